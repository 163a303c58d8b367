// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {AgentTask} from "./interfaces/AgentTask.sol";
import {IAgentCaller} from "./interfaces/IAgentCaller.sol";
import {IAgentExecCaller} from "./interfaces/IAgentExecCaller.sol";
import {IAgentHandler} from "./interfaces/IAgentHandler.sol";
import {IAgentTaskReceiver} from "./interfaces/IAgentTaskReceiver.sol";
import {BoundedCall} from "./libraries/BoundedCall.sol";

/// @title ERC-8301 task dispatch
/// @notice Validates a task, derives its requester-bound id, opens it at an enforcing handler and emits `CallAgent`.
/// The task record lives with the handler that enforces its staging ({IAgentTaskReceiver}): for those the caller
/// stores nothing. For plain ERC-8301 handlers (no receiver interface) it records each used task id itself, so ids
/// are never reused there either; whether their workflow is registered cannot be checked.
contract AgentCaller is IAgentExecCaller, ERC165 {
    /// @dev The handler stores deadlines in 40 bits.
    uint256 private constant MAX_DEADLINE = type(uint40).max;

    /// @dev Gas for a handler's `checkDispatch` view.
    uint256 private constant DISPATCH_CHECK_GAS = 100_000;

    /// @dev Task ids dispatched to plain (non-receiver) handlers.
    mapping(bytes32 taskId => bool) private _plainTaskIds;

    /// @inheritdoc IAgentCaller
    function callAgent(AgentTask calldata task, bytes32 inputHash, bytes calldata input)
        external
        returns (bytes32 taskId)
    {
        _validate(task, inputHash, input);
        taskId = _taskId(msg.sender, task.handler, task.taskId);
        emit CallAgent(
            taskId,
            msg.sender,
            task.agentWorkflowHash,
            task.agentWorkflow,
            inputHash,
            input,
            task.handler,
            task.deadline
        );
        _dispatch(taskId, msg.sender, task, inputHash);
    }

    /// @inheritdoc IAgentExecCaller
    function computeTaskId(address requester, address handler, bytes32 salt) external view returns (bytes32) {
        return _taskId(requester, handler, salt);
    }

    /// @inheritdoc ERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IAgentCaller).interfaceId || interfaceId == type(IAgentExecCaller).interfaceId
            || super.supportsInterface(interfaceId);
    }

    /// @dev Every rule a task must meet before anything is recorded.
    function _validate(AgentTask calldata task, bytes32 inputHash, bytes calldata input) internal view virtual {
        if (task.taskId == bytes32(0)) revert AgentCallerZeroTaskId();
        if (inputHash == bytes32(0)) revert AgentCallerZeroInputHash();
        if (task.deadline <= block.timestamp) revert AgentCallerDeadlineNotInFuture(task.deadline, block.timestamp);
        if (task.deadline > MAX_DEADLINE) revert AgentCallerDeadlineTooFar(task.deadline, MAX_DEADLINE);
        if (input.length != 0) {
            bytes32 computed = keccak256(input);
            if (computed != inputHash) revert AgentCallerInputHashMismatch(inputHash, computed);
        }
        if (task.agentWorkflow.length != 0) {
            bytes32 computed = keccak256(task.agentWorkflow);
            if (computed != task.agentWorkflowHash) {
                revert AgentCallerWorkflowHashMismatch(task.agentWorkflowHash, computed);
            }
        }
        // Gas-capped (30k), bounded-return ERC-165 query: a hostile handler can only make this return false.
        if (!ERC165Checker.supportsERC165InterfaceUnchecked(task.handler, type(IAgentHandler).interfaceId)) {
            revert AgentCallerHandlerNotSupported(task.handler);
        }
    }

    /// @dev Opens the task at handlers that enforce staging on-chain; plain ERC-8301 handlers only get the event.
    function _dispatch(bytes32 taskId, address requester, AgentTask calldata task, bytes32 inputHash)
        internal
        virtual
    {
        address handler = task.handler;
        if (!ERC165Checker.supportsERC165InterfaceUnchecked(handler, type(IAgentTaskReceiver).interfaceId)) {
            if (_plainTaskIds[taskId]) revert AgentCallerTaskIdReused(taskId);
            _plainTaskIds[taskId] = true;
            return;
        }
        // A handler that claims the interface but answers garbage (or nothing) is refused by name, never with
        // empty revert data: the pre-check is a gas-capped static call reading one word.
        (bool ok, bytes32 answer) = BoundedCall.staticWord(
            handler, DISPATCH_CHECK_GAS, abi.encodeCall(IAgentTaskReceiver.checkDispatch, (taskId, task.agentWorkflowHash))
        );
        if (!ok || uint256(answer) > uint256(type(IAgentTaskReceiver.DispatchCheck).max)) {
            revert AgentCallerDispatchRejected(handler, bytes4(0));
        }
        IAgentTaskReceiver.DispatchCheck check = IAgentTaskReceiver.DispatchCheck(uint8(uint256(answer)));
        if (check == IAgentTaskReceiver.DispatchCheck.TaskIdReused) revert AgentCallerTaskIdReused(taskId);
        if (check == IAgentTaskReceiver.DispatchCheck.WorkflowNotRegistered) {
            revert AgentCallerWorkflowNotRegistered(handler, task.agentWorkflowHash);
        }
        if (check == IAgentTaskReceiver.DispatchCheck.CallerNotTrusted) revert AgentCallerNotTrustedByHandler(handler);
        bytes4 magic = _openAt(
            handler,
            abi.encodeCall(
                IAgentTaskReceiver.onAgentTaskDispatched,
                (taskId, requester, task.agentWorkflowHash, inputHash, task.deadline)
            )
        );
        if (magic != IAgentTaskReceiver.onAgentTaskDispatched.selector) revert AgentCallerDispatchRejected(handler, magic);
    }

    /// @dev Calls the handler's dispatch hook with all gas (it writes the task); bubbles its revert data (its named
    /// errors) and reads at most one word of what it returns.
    function _openAt(address handler, bytes memory data) private returns (bytes4 magic) {
        assembly ("memory-safe") {
            if iszero(call(gas(), handler, 0, add(data, 0x20), mload(data), 0, 0)) {
                let p := mload(0x40)
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
            if iszero(lt(returndatasize(), 0x20)) {
                returndatacopy(0x00, 0x00, 0x20)
                magic := and(mload(0x00), 0xffffffff00000000000000000000000000000000000000000000000000000000)
            }
        }
    }

    function _taskId(address requester, address handler, bytes32 salt) private view returns (bytes32 id) {
        uint256 chainId = block.chainid;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, chainId)
            mstore(add(p, 0x20), address())
            mstore(add(p, 0x40), and(requester, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(p, 0x60), and(handler, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(p, 0x80), salt)
            id := keccak256(p, 0xa0)
        }
    }
}
