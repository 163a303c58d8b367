// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AgentExecFixture} from "./utils/Fixture.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAgentCaller} from "../../contracts/interfaces/IAgentCaller.sol";
import {IAgentHandler} from "../../contracts/interfaces/IAgentHandler.sol";
import {IAgentExecHandler} from "../../contracts/interfaces/IAgentExecHandler.sol";
import {IAgentExecCaller} from "../../contracts/interfaces/IAgentExecCaller.sol";
import {IAgentTaskReceiver} from "../../contracts/interfaces/IAgentTaskReceiver.sol";
import {IWorkflowPolicyRegistry} from "../../contracts/interfaces/IWorkflowPolicyRegistry.sol";
import {IAgentVerifier} from "../../contracts/interfaces/IAgentVerifier.sol";
import {PlainAgentHandler} from "../../contracts/mocks/PlainAgentHandler.sol";

/// @notice The ERC-8301 surface is verbatim: ERC-165 ids (from the seed's signatures), the `CallAgent` event
/// topic, and what each contract declares.
contract InterfacesTest is AgentExecFixture {
    function test_interfaceId_IAgentCallerIs0xd3048c05() public pure {
        assertEq(bytes32(type(IAgentCaller).interfaceId), bytes32(bytes4(0xd3048c05)), "type()");
        bytes4 computed = bytes4(keccak256("callAgent((bytes32,bytes32,bytes,address,uint256),bytes32,bytes)"));
        assertEq(bytes32(computed), bytes32(bytes4(0xd3048c05)), "from the seed's signature");
        assertEq(bytes32(IAgentCaller.callAgent.selector), bytes32(computed), "selector");
    }

    /// @notice Splitting IAgentExecHandler's errors and events into IAgentExecHandlerErrors / IAgentExecHandlerEvents
    /// (which it inherits) leaves its ERC-165 id unchanged: the XOR of the five functions it declares itself.
    function test_interfaceId_IAgentExecHandlerIs0x7dbeea66() public pure {
        assertEq(bytes32(type(IAgentExecHandler).interfaceId), bytes32(bytes4(0x7dbeea66)), "type()");
        bytes4 computed = IAgentExecHandler.stepAndProve.selector ^ IAgentExecHandler.expireTask.selector
            ^ IAgentExecHandler.taskOf.selector ^ IAgentExecHandler.stepDigest.selector
            ^ IAgentExecHandler.taskInputContext.selector;
        assertEq(bytes32(computed), bytes32(bytes4(0x7dbeea66)), "xor of its own selectors");
        assertEq(
            bytes32(bytes4(keccak256("stepAndProve((bytes32,bytes32,bytes32,bytes,uint256,address,uint8,bool,bytes),bytes)"))),
            bytes32(IAgentExecHandler.stepAndProve.selector),
            "stepAndProve signature"
        );
    }

    function test_interfaceId_IAgentHandlerIs0x9346f8a8() public pure {
        assertEq(bytes32(type(IAgentHandler).interfaceId), bytes32(bytes4(0x9346f8a8)), "type()");
        bytes4 step = bytes4(keccak256("onAgentStep(bytes32,bytes32,bytes32,bytes,uint256,address,uint8,bool,bytes)"));
        bytes4 prove = bytes4(keccak256("onAgentProve(bytes32,bytes32,bytes32,bytes,address,uint8)"));
        assertEq(bytes32(step ^ prove), bytes32(bytes4(0x9346f8a8)), "xor of the seed's selectors");
        assertEq(bytes32(IAgentHandler.onAgentStep.selector), bytes32(step), "onAgentStep");
        assertEq(bytes32(IAgentHandler.onAgentProve.selector), bytes32(prove), "onAgentProve");
    }

    function test_event_CallAgentTopicIsTheSeeds() public pure {
        assertEq(
            IAgentCaller.CallAgent.selector,
            keccak256("CallAgent(bytes32,address,bytes32,bytes,bytes32,bytes,address,uint256)"),
            "topic0"
        );
    }

    function test_supportsInterface_callerDeclaresIAgentCaller() public view {
        assertTrue(caller.supportsInterface(0xd3048c05), "IAgentCaller");
        assertTrue(caller.supportsInterface(type(IERC165).interfaceId), "ERC-165");
        assertTrue(caller.supportsInterface(type(IAgentExecCaller).interfaceId), "IAgentExecCaller");
        assertFalse(caller.supportsInterface(0xffffffff), "0xffffffff");
        assertFalse(caller.supportsInterface(0x9346f8a8), "not a handler");
    }

    function test_supportsInterface_handlerDeclaresItsInterfaces() public view {
        assertTrue(handler.supportsInterface(0x9346f8a8), "IAgentHandler");
        assertTrue(handler.supportsInterface(type(IAgentExecHandler).interfaceId), "IAgentExecHandler");
        assertTrue(handler.supportsInterface(type(IAgentTaskReceiver).interfaceId), "IAgentTaskReceiver");
        assertTrue(handler.supportsInterface(type(IWorkflowPolicyRegistry).interfaceId), "IWorkflowPolicyRegistry");
        assertTrue(handler.supportsInterface(type(IERC165).interfaceId), "ERC-165");
        assertFalse(handler.supportsInterface(0xffffffff), "0xffffffff");
        assertFalse(handler.supportsInterface(0xd3048c05), "not a caller");
        assertFalse(handler.supportsInterface(type(IAgentVerifier).interfaceId), "not a verifier");
    }

    function test_supportsInterface_plainHandlerIsNotAReceiver() public {
        PlainAgentHandler plain = new PlainAgentHandler();
        assertTrue(plain.supportsInterface(0x9346f8a8), "IAgentHandler");
        assertFalse(plain.supportsInterface(type(IAgentTaskReceiver).interfaceId), "not a receiver");
    }

    function test_interfaceIds_extensionsAreDistinct() public pure {
        bytes4[6] memory ids = [
            type(IAgentCaller).interfaceId,
            type(IAgentHandler).interfaceId,
            type(IAgentExecHandler).interfaceId,
            type(IAgentTaskReceiver).interfaceId,
            type(IWorkflowPolicyRegistry).interfaceId,
            type(IAgentExecCaller).interfaceId
        ];
        for (uint256 i; i < ids.length; ++i) {
            for (uint256 j = i + 1; j < ids.length; ++j) {
                assertTrue(ids[i] != ids[j], "ids collide");
            }
        }
    }
}
