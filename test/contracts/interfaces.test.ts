import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toFunctionSelector, type Abi, type AbiFunction } from "viem";
import { agentCallerAbi, agentHandlerAbi } from "../../sdk/chain/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

/** ERC-165 id of the functions named in `names`, computed from the ABI (XOR of selectors). */
function interfaceId(abi: Abi, names: string[]): string {
  let id = 0;
  for (const name of names) {
    const fn = abi.find((x): x is AbiFunction => x.type === "function" && x.name === name);
    assert.ok(fn, `ABI lacks ${name}`);
    id ^= Number.parseInt(toFunctionSelector(fn).slice(2), 16);
  }
  return `0x${(id >>> 0).toString(16).padStart(8, "0")}`;
}

describe("ERC-8301 interfaces", async () => {
  const f = await deployAgentExec();

  it("IAgentCaller has the ERC-165 id 0xd3048c05 and AgentCaller declares it", async () => {
    assert.equal(interfaceId(agentCallerAbi, ["callAgent"]), "0xd3048c05");
    assert.equal(await f.caller.read.supportsInterface(["0xd3048c05"]), true);
    assert.equal(await f.caller.read.supportsInterface(["0x01ffc9a7"]), true);
    assert.equal(await f.caller.read.supportsInterface(["0xffffffff"]), false);
  });

  it("IAgentHandler has the ERC-165 id 0x9346f8a8 and AgentHandler declares it", async () => {
    assert.equal(interfaceId(agentHandlerAbi, ["onAgentStep", "onAgentProve"]), "0x9346f8a8");
    assert.equal(await f.handler.read.supportsInterface(["0x9346f8a8"]), true);
    assert.equal(await f.handler.read.supportsInterface(["0xffffffff"]), false);
  });

  it("the seed's callAgent / onAgentStep / onAgentProve signatures are exact", () => {
    const sig = (abi: Abi, name: string) => {
      const fn = abi.find((x): x is AbiFunction => x.type === "function" && x.name === name);
      assert.ok(fn);
      return toFunctionSelector(fn);
    };
    assert.equal(sig(agentCallerAbi, "callAgent"), toFunctionSelector("callAgent((bytes32,bytes32,bytes,address,uint256),bytes32,bytes)"));
    assert.equal(
      sig(agentHandlerAbi, "onAgentStep"),
      toFunctionSelector("onAgentStep(bytes32,bytes32,bytes32,bytes,uint256,address,uint8,bool,bytes)"),
    );
    assert.equal(sig(agentHandlerAbi, "onAgentProve"), toFunctionSelector("onAgentProve(bytes32,bytes32,bytes32,bytes,address,uint8)"));
  });
});
