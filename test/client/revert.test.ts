import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeErrorResult, encodeAbiParameters, BaseError, HttpRequestError, type Abi, type AbiParameter } from "viem";
import { agentExecErrorsAbi, decodeRevert, decodeRevertData, ChainRpcError, ContractRevertError } from "../../sdk/chain/revert.js";
import { agentHandlerAbi, agentCallerAbi, ecdsaAttestationVerifierAbi } from "../../sdk/chain/abis.js";

function sample(p: AbiParameter): unknown {
  if (p.type === "address") return "0x00000000000000000000000000000000000000aa";
  if (p.type === "bool") return true;
  if (p.type === "bytes32") return `0x${"ab".repeat(32)}`;
  if (p.type === "bytes4") return "0xdeadbeef";
  if (p.type === "bytes") return "0x1234";
  if (p.type === "string") return "why";
  if (p.type.startsWith("uint")) return p.type === "uint8" ? 3 : p.type === "uint16" || p.type === "uint32" ? 7 : 7n;
  if (p.type.startsWith("int")) return -1n;
  throw new Error(`no sample for ${p.type}`);
}

describe("typed reverts", () => {
  it("covers every custom error of the handler, caller and verifiers", () => {
    const names = new Set(agentExecErrorsAbi.map((e) => e.name));
    for (const abi of [agentHandlerAbi, agentCallerAbi, ecdsaAttestationVerifierAbi] as readonly Abi[]) {
      for (const item of abi) if (item.type === "error") assert.ok(names.has(item.name), item.name);
    }
    assert.ok(names.size >= 60, `only ${names.size} errors`);
  });

  it("decodes every one to CHAIN_REVERT_<ErrorName> with its arguments by name", () => {
    for (const item of agentExecErrorsAbi) {
      const args = item.inputs.map(sample);
      const data = encodeErrorResult({ abi: [item] as Abi, errorName: item.name, args } as never);
      const e = decodeRevertData(data);
      assert.ok(e instanceof ContractRevertError);
      assert.equal(e.code, `CHAIN_REVERT_${item.name}`);
      assert.equal(e.errorName, item.name);
      assert.deepEqual(Object.keys(e.args), item.inputs.map((i, k) => i.name || `arg${k}`));
      item.inputs.forEach((input, k) => {
        const got = e.args[input.name || `arg${k}`];
        const want = args[k];
        assert.equal(typeof got === "string" ? got.toLowerCase() : got, typeof want === "string" ? want.toLowerCase() : want, `${item.name}.${input.name}`);
      });
      assert.match(e.message, new RegExp(item.name));
    }
  });

  it("Error(string), Panic(uint256), unknown selectors and no data", () => {
    const err = decodeRevertData(`0x08c379a0${encodeAbiParameters([{ type: "string" }], ["nope"]).slice(2)}`);
    assert.equal(err.code, "CHAIN_REVERT_Error");
    assert.equal(err.args.message, "nope");
    const panic = decodeRevertData(`0x4e487b71${encodeAbiParameters([{ type: "uint256" }], [0x11n]).slice(2)}`);
    assert.equal(panic.code, "CHAIN_REVERT_Panic");
    assert.equal(panic.args.reason, 0x11n);
    const unknown = decodeRevertData("0x12345678");
    assert.equal(unknown.code, "CHAIN_REVERT_UNKNOWN");
    assert.equal(unknown.selector, "0x12345678");
    assert.equal(decodeRevertData(undefined).code, "CHAIN_REVERT_UNKNOWN");
  });

  it("finds revert data in a viem error's cause chain; other failures are CHAIN_RPC", () => {
    const data = encodeErrorResult({ abi: agentHandlerAbi, errorName: "AgentHandlerTaskNotFound", args: [`0x${"11".repeat(32)}`] });
    const wrapped = new BaseError("call failed", { cause: Object.assign(new Error("execution reverted"), { data }) });
    const e = decodeRevert(wrapped);
    assert.ok(e instanceof ContractRevertError && e.code === "CHAIN_REVERT_AgentHandlerTaskNotFound");
    const rpc = decodeRevert(new HttpRequestError({ url: "http://x", status: 503 }), { method: "eth_call" });
    assert.ok(rpc instanceof ChainRpcError);
    assert.equal(rpc.code, "CHAIN_RPC");
    assert.equal(rpc.method, "eth_call");
    assert.equal(decodeRevert("weird").code, "CHAIN_RPC");
  });
});
