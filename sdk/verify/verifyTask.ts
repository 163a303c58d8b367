/**
 * `verifyTask`: rebuilds a task's lifecycle from its events and rechecks it off-chain.
 *
 * Reads: the task's logs (one paged `eth_getLogs` filtered by the task id topic — over the handler and `caller`
 * when `caller` is given, over all contracts otherwise, keeping only the handler's and its trusted caller's), the transactions carrying the step and prove calldata (the output, the step data with its
 * ECTs and capsules, and the proofs are in no event), the task's view and policy, and each verifier's own signer
 * set — all independent reads in parallel, so a batching transport sends them in a few round trips.
 *
 * Checks, per stage: the step's calldata matches its event; its output hashes to `outputHash`; its input is the
 * attested task input (WYRIWE at stage 0) or the previous output as the policy says, with the right witness; the
 * prove binds the step and names the stage's verifier; its signatures recover to the verifier's own attesters,
 * meet the threshold and give the verdict the chain recorded, over the digest the chain reported (optionally the
 * verifier is asked too, from the handler); the ECTs carried in the step data pass the 13-step verification (with
 * a key store) and bind the task (`wid`) and the step's output; capsules recompute to their `capsule_id`. Per
 * task: dispatch from the handler's trusted caller, the WYRIWE sentinel, the final output, the recorded status,
 * the five DAG rules over all the task's ECTs and their stage order, and the pluggable `workflowCheck` (the
 * workflow document against the on-chain policy: wire sdk/workflow's check there).
 *
 * Never throws for a malformed or hostile task (those are failed checks); throws `ChainRpcError` when the RPC
 * fails (after retries) and `ChainParameterError` for malformed parameters.
 */
import { stageOutputHash } from "../bridge/stepPayload.js";
import {
  BaseError,
  decodeEventLog,
  decodeFunctionData,
  keccak256,
  sha256,
  toFunctionSelector,
  type Address,
  type Hex,
} from "viem";
import { getTransaction } from "viem/actions";
import { agentCallerAbi, agentHandlerAbi } from "../chain/abis.js";
import { getLogsPaged, withRpcRetry, type RetryOptions, type RpcLog } from "../chain/logs.js";
import { ChainRpcError, decodeRevert } from "../chain/revert.js";
import { attestedInputHash, isSentinelPipeline } from "../chain/wyriwe.js";
import { policyDigest, type WorkflowPolicy } from "../chain/policy.js";
import { stepDigest } from "../chain/step.js";
import { assertAddress, assertBool, assertBytes32, assertObject } from "../chain/validate.js";
import { ChainParameterError } from "../chain/errors.js";
import { findStepCall, type DecodedStepCall } from "../chain/actions/getTaskResult.js";
import { taskStatusName, proveRejectionName, type AnyClient } from "../chain/actions/internal.js";
import type { ProveRejectionName, TaskStatusName } from "../chain/actions/types.js";
import { decodeEctUnverified, validateEctDag, verifyEctWorkflow, type AgentKeyStore, type EctDagNode, type EctDagOptions } from "../ect/index.js";
import { checkCapsuleId } from "../capsule/capsuleId.js";
import { chainIdOf, checkStageProofOffChain, askVerifier, readVerifierInfo, type VerifierInfo, type VerifyStageProofReturnType } from "./verifyStageProof.js";
import { decodeStepPayload, type StepPayload } from "../bridge/stepPayload.js";
import { checkCapsuleBinding } from "../bridge/capsuleBinding.js";
import { capsuleVerdict } from "../bridge/capsuleVerdict.js";
import { Verdict } from "../chain/attestation.js";
import { isTransportFailure, lower, safeRead, short, shortText } from "./internal.js";
import { allPass, fail, pass, skip, type VerifyCheck } from "./types.js";
import { anchorSection, readAnchor, type AnchorItem, type AnchorOptions, type AnchorReport } from "./anchorChecks.js";
import { capsuleAnchorDigest, ectAnchorDigest } from "../anchor/digests.js";
import type { Deployment } from "../deployments/deployment.js";

export type WorkflowCheckContext = {
  client: AnyClient;
  handler: Address;
  taskId: Hex;
  agentWorkflowHash: Hex | undefined;
  /** The workflow document bytes published in `CallAgent` (`0x` when only the hash was published). */
  agentWorkflow: Hex | undefined;
  /** The registered policy as the handler returns it, when readable. */
  policy: TaskPolicy | undefined;
  /** The handler's stored `workflowPolicyDigest` (keccak256(abi.encode(policy))), when it exposes one. */
  policyDigest: Hex | undefined;
};

/** Checks the workflow document against the on-chain policy; returns its findings (throwing = one failed check). */
export type WorkflowCheck = (context: WorkflowCheckContext) => readonly VerifyCheck[] | Promise<readonly VerifyCheck[]>;

export type VerifyTaskParameters = {
  handler: Address;
  taskId: Hex;
  /** The AgentCaller; default: the handler's `agentCaller()`. */
  caller?: Address | undefined;
  /** Log range (default: block 0 to the latest). */
  fromBlock?: bigint | undefined;
  toBlock?: bigint | undefined;
  /** Blocks per `eth_getLogs` page to start with (default: the whole range; halved on provider caps). */
  pageSize?: bigint | undefined;
  /** Also ask every stage's verifier on-chain (simulated from the handler). Default false. */
  onChain?: boolean | undefined;
  /** ECT verification. Without `keyStore`, signatures are not checked (structure, bindings and DAG still are). */
  ect?:
    | {
        keyStore?: AgentKeyStore | undefined;
        /** Audience for step 9; default `null` (audit mode: any audience). */
        audience?: string | readonly string[] | null | undefined;
        /** Milliseconds clock for steps 10-11 (default `Date.now`; use the step's time to audit old tasks). */
        clock?: (() => number) | undefined;
        /** DAG rule options (clock skew, trust domains, traversal limit). */
        dag?: EctDagOptions | undefined;
        /** The `wid` a task's ECTs must carry (default: the task id, lowercase hex). */
        widOf?: ((taskId: Hex) => string) | undefined;
      }
    | undefined;
  /** Reads a step's application data (after the witness); default: sdk/bridge's `AEX1` step payload. */
  decodeStepData?: ((appData: Hex, stage: number) => StepPayload | undefined) | undefined;
  /** The workflow document check (sdk/workflow); reported as `workflow.*` checks. */
  workflowCheck?: WorkflowCheck | undefined;
  /**
   * The DigestAnchor contract (its address, or options): report whether the digests the steps carry (ECTs and
   * Capsules) are under a root anchored for the task (the report's `anchor` section). Default: the deployment's
   * `DigestAnchor`, when `deployment` is given and has one; otherwise no anchor section.
   */
  anchor?: Address | AnchorOptions | undefined;
  /** Where the anchor's address comes from when `anchor` is not given (its `contracts.DigestAnchor`). */
  deployment?: Pick<Deployment, "chainId" | "contracts"> | undefined;
  /** Fail unless every digest the steps carry is anchored (default false: unanchored digests are reported, not failed). */
  requireAnchor?: boolean | undefined;
  retry?: RetryOptions | undefined;
};

export type TaskPolicy = {
  stages: readonly { resolution: number; gating: boolean; input: number; verifier: Address; verifierGasLimit: number }[];
  minFinalStage: number;
  pipelineHash: Hex;
  agentAuth: number;
  agentRegistry: Address;
  agents: readonly Address[];
  /** Who may request tasks (v3 policies; empty: anyone). */
  requesters?: readonly Address[] | undefined;
};

export type StageStep = {
  agent: Address;
  agentId: bigint;
  inputHash: Hex;
  outputHash: Hex;
  isFinal: boolean;
  transactionHash: Hex;
  blockNumber: bigint;
  /** The output bytes from calldata (undefined when not published or not found). */
  output: Hex | undefined;
  /** Earlier steps of this stage that were replaced or discarded. */
  supersededSteps: number;
  ects: number;
  capsules: number;
};

export type StageProve = {
  status: "proven" | "halted";
  transactionHash: Hex;
  verifier: Address | undefined;
  /** The digest the chain reported. */
  digest: Hex;
  proof: Hex | undefined;
  check: VerifyStageProofReturnType | undefined;
};

export type RejectedProve = {
  transactionHash: Hex;
  reason: ProveRejectionName;
  detail: Hex;
  /** Why it was rejected, rechecked off-chain (signers, threshold, …), when the proof was found. */
  check: VerifyStageProofReturnType | undefined;
};

export type StageReport = {
  stage: number;
  /** `approved`/`denied`: proven / halted the task; `rejected`: only rejected proves; `unproven`: stepped, no prove. */
  verdict: "approved" | "denied" | "rejected" | "unproven" | "not-stepped";
  ok: boolean;
  step: StageStep | undefined;
  prove: StageProve | undefined;
  rejectedProves: RejectedProve[];
  checks: VerifyCheck[];
};

export type TaskReport = {
  taskId: Hex;
  handler: Address;
  chainId: number;
  /** No check failed. */
  ok: boolean;
  /** The handler's `taskOf` status ("Unknown" when the handler does not answer it). */
  status: TaskStatusName | "Unknown";
  /** The status the events imply. */
  eventStatus: TaskStatusName;
  dispatch:
    | {
        caller: Address;
        requester: Address;
        agentWorkflowHash: Hex;
        inputHash: Hex;
        input: Hex;
        deadline: bigint;
        transactionHash: Hex;
      }
    | undefined;
  attestedInputHash: Hex | undefined;
  finalized: { finalStage: number; outputHash: Hex; transactionHash: Hex } | undefined;
  stages: StageReport[];
  /** Task-level checks. */
  checks: VerifyCheck[];
  /** Merkle anchoring of the steps' digests (undefined when no DigestAnchor was given or known). */
  anchor: AnchorReport | undefined;
  stats: { logs: number; logRequests: number; transactions: number; verifiers: number; ects: number; fromBlock: bigint; toBlock: bigint };
};

type Decoded = { name: string; args: Record<string, unknown>; log: RpcLog; tx: Hex; block: bigint; index: number };

const PROVE_SELECTOR = toFunctionSelector(
  (() => {
    const f = agentHandlerAbi.find((x) => x.type === "function" && x.name === "onAgentProve");
    if (!f || f.type !== "function") throw new Error("ABI: onAgentProve missing");
    return f;
  })(),
);

/** Verifies a task end to end from the chain; see the module comment. */
export async function verifyTask(client: AnyClient, parameters: VerifyTaskParameters): Promise<TaskReport> {
  const { handler, taskId, retry } = parameters;
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  if (parameters.caller !== undefined) assertAddress("caller", parameters.caller);
  const anchorOptions = anchorOptionsOf(parameters);
  const checks: VerifyCheck[] = [];

  // 1. One round trip: chain id, the handler's view of the task, its trusted caller, and the task's logs (every
  // contract's logs with the task id as first topic; only the handler's and its caller's are used).
  const callerPromise: Promise<{ ok: true; value: Address } | { ok: false; reason: string }> = parameters.caller
    ? Promise.resolve({ ok: true as const, value: parameters.caller })
    : safeRead<Address>(client, { address: handler, abi: agentHandlerAbi, functionName: "agentCaller" }, retry);
  const logsOf = (address: Address[] | undefined) =>
    getLogsPaged(client, { address, topics: [null, taskId], fromBlock: parameters.fromBlock, toBlock: parameters.toBlock, pageSize: parameters.pageSize, retry });
  const [chainId, viewRead, callerRead, paged, anchorReads] = await Promise.all([
    chainIdOf(client, retry),
    safeRead<{ status: number; agentWorkflowHash: Hex; deadline: number | bigint; steppedStages: number; provenStages: bigint; pastDeadline: boolean; requester?: Address }>(
      client,
      { address: handler, abi: agentHandlerAbi, functionName: "taskOf", args: [taskId] },
      retry,
    ),
    callerPromise,
    parameters.caller
      ? logsOf([handler, parameters.caller])
      : // Some providers refuse log filters without an address: then read the handler's and its caller's.
        logsOf(undefined).catch(async (error: unknown) => {
          const c = await callerPromise;
          return logsOf(c.ok ? [handler, c.value] : [handler]).catch(() => {
            throw error;
          });
        }),
    anchorOptions
      ? readAnchor(client, anchorOptions, { taskId, fromBlock: parameters.fromBlock, toBlock: parameters.toBlock, pageSize: parameters.pageSize, retry })
      : undefined,
  ]);
  const caller = callerRead.ok ? callerRead.value : undefined;
  if (!callerRead.ok) checks.push(fail("task.handler", `the handler does not name its trusted caller: ${callerRead.reason}`));

  const events = decodeLogs(paged.logs, handler, caller);

  // 3. Lifecycle from events.
  let dispatchEvent: Decoded | undefined;
  let opened: Decoded | undefined;
  let finalizedEv: Decoded | undefined;
  let haltedEv: Decoded | undefined;
  let expiredEv: Decoded | undefined;
  const current = new Map<number, Decoded>(); // stage → current step
  const superseded = new Map<number, number>();
  const firstStage0 = { seen: false, firstTx: undefined as Hex | undefined, firstIndex: -1 };
  const proven = new Map<number, Decoded>();
  const rejected = new Map<number, Decoded[]>();
  for (const e of events) {
    switch (e.name) {
      case "CallAgent":
        if (dispatchEvent) checks.push(fail("task.dispatch", `CallAgent emitted twice for the task (again in ${e.tx})`));
        else dispatchEvent = e;
        break;
      case "AgentTaskOpened":
        if (opened) checks.push(fail("task.dispatch", `AgentTaskOpened emitted twice (again in ${e.tx})`));
        else opened = e;
        break;
      case "AgentStepReplaced": {
        const stage = Number(e.args.stage);
        const discarded = Number(e.args.discardedLaterSteps);
        for (let s = stage + 1; s <= stage + discarded; s++) {
          if (current.delete(s)) superseded.set(s, (superseded.get(s) ?? 0) + 1);
        }
        break;
      }
      case "AgentStepAccepted": {
        const stage = Number(e.args.stage);
        if (stage === 0 && !firstStage0.seen) {
          firstStage0.seen = true;
          firstStage0.firstTx = e.tx;
          firstStage0.firstIndex = e.index;
        }
        if (current.has(stage)) superseded.set(stage, (superseded.get(stage) ?? 0) + 1);
        current.set(stage, e);
        break;
      }
      case "AgentStageProven":
        proven.set(Number(e.args.stage), e);
        break;
      case "AgentProveRejected": {
        const stage = Number(e.args.stage);
        rejected.set(stage, [...(rejected.get(stage) ?? []), e]);
        break;
      }
      case "AgentTaskHalted":
        haltedEv = e;
        break;
      case "AgentTaskFinalized":
        finalizedEv = e;
        break;
      case "AgentTaskExpired":
        expiredEv = e;
        break;
    }
  }

  const view = viewRead.ok ? viewRead.value : undefined;
  const workflowHash = (opened?.args.agentWorkflowHash as Hex | undefined) ?? view?.agentWorkflowHash ?? (dispatchEvent?.args.agentWorkflowHash as Hex | undefined);

  // 4. Policy, transactions and verifiers, in parallel.
  const txHashes = new Set<Hex>();
  for (const e of current.values()) txHashes.add(e.tx);
  for (const e of proven.values()) txHashes.add(e.tx);
  if (haltedEv) txHashes.add(haltedEv.tx);
  for (const list of rejected.values()) for (const e of list) txHashes.add(e.tx);
  const eventVerifiers = new Set<string>();
  for (const e of [...proven.values(), ...[...rejected.values()].flat()]) eventVerifiers.add(lower(e.args.verifier as string));

  const infos = new Map<string, Promise<VerifierInfo>>();
  const infoOf = (v: Address) => {
    const k = lower(v);
    let p = infos.get(k);
    if (!p) infos.set(k, (p = readVerifierInfo(client, v, { chainId, retry })));
    return p;
  };
  for (const v of eventVerifiers) void infoOf(v as Address).catch(() => undefined);
  const policyPromise = (
    workflowHash
      ? safeRead<TaskPolicy>(client, { address: handler, abi: agentHandlerAbi, functionName: "workflowPolicy", args: [workflowHash] }, retry)
      : Promise.resolve({ ok: false as const, reason: "no workflow hash known for the task" })
  ).then((read) => {
    // Verifiers the policy names but no event does (stages not proven yet) are read as soon as the policy is in.
    if (read.ok && Array.isArray(read.value.stages)) for (const st of read.value.stages) if (typeof st?.verifier === "string") void infoOf(st.verifier).catch(() => undefined);
    return read;
  });
  const txs = new Map<string, Hex | undefined>();
  const txPromise = Promise.all(
    [...txHashes].map(async (h) => {
      try {
        const tx = await withRpcRetry(() => getTransaction(client, { hash: h }), retry);
        txs.set(lower(h), tx.input);
      } catch (error) {
        if (isTransportFailure(error)) throw decodeRevert(error, { method: "eth_getTransactionByHash" });
        txs.set(lower(h), undefined);
      }
    }),
  );
  const digestPromise = workflowHash
    ? safeRead<Hex>(client, { address: handler, abi: agentHandlerAbi, functionName: "workflowPolicyDigest", args: [workflowHash] }, retry)
    : Promise.resolve({ ok: false as const, reason: "no workflow hash known for the task" });
  const [policyRead, , digestRead] = await Promise.all([policyPromise, txPromise, digestPromise]);
  const policy = policyRead.ok ? policyRead.value : undefined;
  if (!policyRead.ok) checks.push(fail("task.policy", `the task's policy cannot be read: ${policyRead.reason}`));
  const stageCount = policy?.stages.length ?? Math.max(-1, ...current.keys()) + 1;
  const storedDigest = digestRead.ok ? digestRead.value : undefined;
  if (policy && storedDigest) {
    let computed: Hex | undefined;
    try {
      computed = policyDigest({ ...policy, requesters: policy.requesters ?? [] } as WorkflowPolicy);
    } catch {
      computed = undefined;
    }
    checks.push(
      computed && lower(computed) === lower(storedDigest)
        ? pass("task.policyDigest", `the returned policy hashes to the registered digest ${short(storedDigest)}`)
        : fail("task.policyDigest", `the returned policy hashes to ${short(computed)}, the handler stores ${short(storedDigest)}`),
    );
  } else checks.push(skip("task.policyDigest", digestRead.ok ? "no policy" : `no stored policy digest: ${digestRead.reason}`));

  // 5. Task-level: dispatch and WYRIWE sentinel.
  let dispatch: TaskReport["dispatch"];
  if (!dispatchEvent) {
    checks.push(fail("task.dispatch", caller ? `no CallAgent for the task from the handler's caller ${caller}` : "no CallAgent found"));
  } else {
    const a = dispatchEvent.args;
    dispatch = {
      caller: dispatchEvent.log.address,
      requester: a.requester as Address,
      agentWorkflowHash: a.agentWorkflowHash as Hex,
      inputHash: a.inputHash as Hex,
      input: a.input as Hex,
      deadline: a.deadline as bigint,
      transactionHash: dispatchEvent.tx,
    };
    const problems: string[] = [];
    if (lower(a.handler as string) !== lower(handler)) problems.push(`CallAgent names handler ${String(a.handler)}`);
    if (workflowHash && lower(a.agentWorkflowHash as string) !== lower(workflowHash)) problems.push("CallAgent's workflow hash is not the task's");
    if ((a.agentWorkflow as Hex) !== "0x" && lower(keccak256(a.agentWorkflow as Hex)) !== lower(a.agentWorkflowHash as string)) problems.push("the published workflow document does not hash to agentWorkflowHash");
    if ((a.input as Hex) !== "0x" && lower(keccak256(a.input as Hex)) !== lower(a.inputHash as string)) problems.push("the published input does not hash to inputHash");
    if (opened && (opened.args.deadline as bigint) !== (a.deadline as bigint)) problems.push("AgentTaskOpened's deadline differs from CallAgent's");
    if (view?.requester !== undefined && lower(view.requester) !== lower(a.requester as string)) problems.push(`the handler records requester ${view.requester}, CallAgent names ${String(a.requester)}`);
    const allowed = policy?.requesters ?? [];
    if (allowed.length && !allowed.some((r) => lower(r) === lower(a.requester as string))) problems.push(`requester ${String(a.requester)} is not allowed by the policy`);
    checks.push(problems.length ? fail("task.dispatch", problems.join("; ")) : pass("task.dispatch", `dispatched by ${short(dispatch.requester)} through ${short(dispatch.caller)}`));
  }
  const attested = opened?.args.attestedInputHash as Hex | undefined;
  if (!opened) checks.push(fail("task.opened", "the handler emitted no AgentTaskOpened for the task"));
  if (dispatch && attested && policy) {
    const pipeline = policy.pipelineHash;
    const expected = attestedInputHash({ declaredInputHash: dispatch.inputHash, pipelineHash: pipeline });
    if (lower(expected) === lower(attested)) {
      checks.push(pass("task.sentinel", isSentinelPipeline(pipeline) ? "no pipeline: attested input = declared input (sentinel)" : `attested input = H(declared, pipeline ${short(pipeline)})`));
    } else {
      checks.push(
        fail(
          "task.sentinel",
          isSentinelPipeline(pipeline)
            ? `WYRIWE sentinel violated: no pipeline is declared, so the attested input must equal the declared input ${short(dispatch.inputHash)}, but the task attests ${short(attested)}`
            : `attested input ${short(attested)} ≠ H(declared ${short(dispatch.inputHash)}, pipeline ${short(pipeline)}) = ${short(expected)}`,
        ),
      );
    }
  } else {
    checks.push(skip("task.sentinel", "dispatch, opening or policy unknown"));
  }

  // 6. Stages.
  const decodeData = parameters.decodeStepData ?? ((d: Hex) => decodeStepPayload(d));
  const stages: StageReport[] = [];
  const ectTokens: { token: string; stage: number }[] = [];
  const anchorItems: AnchorItem[] = [];
  const unanchorable: string[] = [];
  const stageEcts = new Map<number, number[]>(); // stage → indices into ectTokens
  const stepOf = (s: number) => current.get(s);
  // Stage 0's record as a later stage sees it (followed by that stage, so not final): what a WYRIWE witness reopens.
  const stage0RecordOf = (s: number): Hex | undefined => {
    const first = s > 0 ? stepOf(0) : undefined;
    if (!first) return undefined;
    return stepDigest({ inputHash: first.args.inputHash as Hex, outputHash: first.args.outputHash as Hex, agent: first.args.agent as Address, isFinal: false });
  };
  const onChainAsks: Promise<void>[] = [];
  for (let s = 0; s < stageCount; s++) {
    const sc: VerifyCheck[] = [];
    const ev = stepOf(s);
    const cfg = policy?.stages[s];
    let step: StageStep | undefined;
    let call: DecodedStepCall | undefined;
    let stageCapsules: readonly unknown[] = [];
    if (ev) {
      const input = txs.get(lower(ev.tx));
      call = input ? findStepCall(input, taskId, s, ev.args.outputHash as Hex) : undefined;
      step = {
        agent: ev.args.agent as Address,
        agentId: ev.args.agentId as bigint,
        inputHash: ev.args.inputHash as Hex,
        outputHash: ev.args.outputHash as Hex,
        isFinal: ev.args.isFinal as boolean,
        transactionHash: ev.tx,
        blockNumber: ev.block,
        output: call && call.output !== "0x" ? call.output : undefined,
        supersededSteps: superseded.get(s) ?? 0,
        ects: 0,
        capsules: 0,
      };
      // calldata ↔ event
      if (!call) sc.push(fail("step.calldata", `no step call for stage ${s} in transaction ${short(ev.tx)}`));
      else {
        const mism: string[] = [];
        if (lower(call.inputHash) !== lower(step.inputHash)) mism.push("inputHash");
        if (lower(call.agent) !== lower(step.agent)) mism.push("agent");
        if (call.isFinal !== step.isFinal) mism.push("isFinal");
        if (call.agentId !== step.agentId) mism.push("agentId");
        sc.push(mism.length ? fail("step.calldata", `the step call differs from its event in ${mism.join(", ")}`) : pass("step.calldata", `${call.functionName} in ${short(ev.tx)}`));
      }
      // output
      if (step.output !== undefined) {
        sc.push(lower(keccak256(step.output)) === lower(step.outputHash) ? pass("step.output", `${(step.output.length - 2) / 2} output bytes hash to outputHash`) : fail("step.output", "the published output does not hash to outputHash"));
      } else sc.push(skip("step.output", "the agent published only the output hash"));
      // input source and witness
      sc.push(...inputChecks(s, step, call, cfg, attested, stepOf, firstStage0.firstTx === ev.tx && firstStage0.firstIndex === ev.index));
      // app data: ECTs and capsules
      if (call) {
        const hasWitness = !(s === 0 && firstStage0.firstTx === ev.tx && firstStage0.firstIndex === ev.index);
        const app = hasWitness ? (call.data.length >= 2 + 2 * WITNESS_BYTES ? (`0x${call.data.slice(2 + 2 * WITNESS_BYTES)}` as Hex) : ("0x" as Hex)) : call.data;
        let carried: StepPayload | undefined;
        try {
          carried = decodeData(app, s);
        } catch (error) {
          sc.push(fail("step.data", `decodeStepData threw: ${shortText(error)}`));
        }
        if (carried) {
          const ects = Array.isArray(carried.ects) ? carried.ects : [];
          step.ects = ects.length;
          const idx: number[] = [];
          for (const t of ects) {
            idx.push(ectTokens.length);
            ectTokens.push({ token: t, stage: s });
          }
          stageEcts.set(s, idx);
          const caps = Array.isArray(carried.capsules) ? carried.capsules : [];
          if (anchorOptions) {
            ects.forEach((t, i) => {
              try {
                anchorItems.push({ digest: ectAnchorDigest(t), kind: "ect", stage: s, index: i });
              } catch {
                unanchorable.push(`stage ${s} ECT ${i} is not a compact JWS`);
              }
            });
            caps.forEach((c, i) => {
              try {
                anchorItems.push({ digest: capsuleAnchorDigest(c), kind: "capsule", stage: s, index: i });
              } catch {
                unanchorable.push(`stage ${s} Capsule ${i} has no well-formed capsule_id`);
              }
            });
          }
          step.capsules = caps.length;
          stageCapsules = caps;
          sc.push(...capsuleChecks(caps));
          sc.push(...capsuleBindingChecks(caps, { chainId, handler, taskId, stage: s, outputHash: step.outputHash }));
        }
      }
    } else if (s < (view?.steppedStages ?? 0)) {
      sc.push(fail("step.recorded", `the handler counts stage ${s} as stepped but no AgentStepAccepted was found`));
    }

    // prove
    let prove: StageProve | undefined;
    const pe = proven.get(s) ?? (haltedEv && Number(haltedEv.args.stage) === s ? haltedEv : undefined);
    const rejectedProves: RejectedProve[] = [];
    const verifier = cfg?.verifier;
    if (pe) {
      const status = pe.name === "AgentStageProven" ? "proven" : "halted";
      const pv = (pe.args.verifier as Address | undefined) ?? verifier;
      const pcall = findProve(txs.get(lower(pe.tx)), taskId, s, ev && pe.tx === ev.tx ? call : undefined);
      prove = { status, transactionHash: pe.tx, verifier: pv, digest: pe.args.digest as Hex, proof: pcall?.proof, check: undefined };
      if (!ev || !step) sc.push(fail("prove.binding", "a prove was recorded for a stage with no step"));
      else if (!pcall) sc.push(fail("prove.calldata", `no prove call for stage ${s} in transaction ${short(pe.tx)}`));
      else {
        const mism: string[] = [];
        if (lower(pcall.inputHash) !== lower(step.inputHash) || lower(pcall.outputHash) !== lower(step.outputHash)) mism.push("the proven (inputHash, outputHash) is not the step's");
        if (verifier && pv && lower(pv) !== lower(verifier)) mism.push(`verifier ${short(pv)} is not the stage's ${short(verifier)}`);
        if (pcall.verifier && verifier && lower(pcall.verifier) !== lower(verifier)) mism.push("the prove call names another verifier");
        if (!pcall.header || lower(pcall.header) !== lower(step.agent)) mism.push(`the prove header names agent ${short(pcall.header)}, the step's is ${short(step.agent)}`);
        sc.push(mism.length ? fail("prove.binding", mism.join("; ")) : pass("prove.binding", `binds step (${short(step.inputHash)}, ${short(step.outputHash)}, ${short(step.agent)}, final=${step.isFinal}) and verifier ${short(pv)}`));
        if (pv) {
          const info = await infoOf(pv);
          const check = checkStageProofOffChain({
            handler,
            verifier: pv,
            taskId,
            stage: s,
            inputHash: step.inputHash,
            outputHash: step.outputHash,
            proof: pcall.proof,
            agent: step.agent,
            isFinal: step.isFinal,
            info,
            policyPipelineHash: policy?.pipelineHash,
            stage0Record: stage0RecordOf(s),
          });
          if (parameters.onChain) {
            // Asked concurrently for every stage; the finding is added when the answer is in (before the report returns).
            const stageChecks = sc;
            onChainAsks.push(
              askVerifier(client, { handler, verifier: pv, taskId, stage: s, inputHash: step.inputHash, outputHash: step.outputHash, proof: pcall.proof, agent: step.agent, isFinal: step.isFinal, retry }).then((answer) => {
                answer.agrees = answer.verdict === check.verdict;
                check.onChain = answer;
                stageChecks.push(
                  answer.agrees
                    ? pass("proof.onChain", `the verifier, asked from the handler, answers ${answer.verdict}`)
                    : fail("proof.onChain", `the verifier answers ${answer.verdict}; off-chain: ${check.verdict}`),
                );
              }),
            );
          }
          prove.check = check;
          sc.push(...check.checks.filter((c) => c.id !== "proof.format" || c.status === "fail"));
          const want = status === "proven" ? "approved" : "denied";
          if (check.kind !== "unknown") {
            sc.push(
              check.verdict === want
                ? pass("prove.verdict", `off-chain verdict ${check.verdict} matches the chain (${status})`)
                : fail("prove.verdict", `the chain recorded ${status} but the proof rechecks as ${check.verdict}`),
            );
            if (check.digest) {
              sc.push(lower(check.digest) === lower(prove.digest) ? pass("prove.digest", "the reported digest is the attested EIP-712 digest") : fail("prove.digest", `the chain reported digest ${short(prove.digest)}, the attestation is ${short(check.digest)}`));
            }
          }
        }
      }
    }
    for (const r of rejected.get(s) ?? []) {
      const pcall = findProve(txs.get(lower(r.tx)), taskId, s);
      let check: VerifyStageProofReturnType | undefined;
      const rv = r.args.verifier as Address;
      if (pcall && step) {
        const info = await infoOf(rv);
        check = checkStageProofOffChain({ handler, verifier: rv, taskId, stage: s, inputHash: pcall.inputHash, outputHash: pcall.outputHash, proof: pcall.proof, agent: pcall.header ?? step.agent, isFinal: step.isFinal, info, policyPipelineHash: policy?.pipelineHash, stage0Record: stage0RecordOf(s) });
      }
      rejectedProves.push({ transactionHash: r.tx, reason: proveRejectionName(Number(r.args.reason)), detail: r.args.detail as Hex, check });
    }
    if (rejectedProves.length) {
      const why = rejectedProves.map((r) => `${r.reason}${r.check ? ` (${r.check.checks.filter((c) => c.status === "fail").map((c) => c.reason).join("; ") || "rechecks as valid"})` : ""}`);
      sc.push(skip("prove.rejected", `${rejectedProves.length} rejected prove(s): ${why.join(" | ")}`));
    }

    if (cfg?.gating && prove && stageCapsules.length) sc.push(...capsuleVerdictChecks(stageCapsules, prove.status));

    const verdict: StageReport["verdict"] = prove ? (prove.status === "proven" ? "approved" : "denied") : rejectedProves.length ? "rejected" : step ? "unproven" : "not-stepped";
    stages.push({ stage: s, verdict, ok: allPass(sc), step, prove, rejectedProves, checks: sc });
  }

  if (onChainAsks.length) {
    await Promise.all(onChainAsks);
    for (const st of stages) st.ok = allPass(st.checks);
  }

  // 7. ECTs over the whole task.
  if (ectTokens.length) await ectChecks(ectTokens, stageEcts, stages, checks, taskId, parameters);

  // 8. Final output and status.
  const eventStatus: TaskStatusName = finalizedEv ? "Finalized" : haltedEv ? "Halted" : expiredEv ? "Expired" : opened ? "Active" : "None";
  let finalized: TaskReport["finalized"];
  if (finalizedEv) {
    const fs = Number(finalizedEv.args.finalStage);
    finalized = { finalStage: fs, outputHash: finalizedEv.args.outputHash as Hex, transactionHash: finalizedEv.tx };
    const last = stepOf(fs);
    const problems: string[] = [];
    if (!last) problems.push(`no step recorded for final stage ${fs}`);
    else {
      if (!(last.args.isFinal as boolean)) problems.push(`stage ${fs}'s step is not flagged final`);
      if (lower(last.args.outputHash as string) !== lower(finalized.outputHash)) problems.push("the finalised output is not the final step's output");
    }
    for (let s = 0; s <= fs; s++) if (!proven.has(s)) problems.push(`stage ${s} was never proven`);
    if (policy && fs < policy.minFinalStage) problems.push(`final stage ${fs} is before minFinalStage ${policy.minFinalStage}`);
    checks.push(problems.length ? fail("task.final", problems.join("; ")) : pass("task.final", `finalised at stage ${fs} with output ${short(finalized.outputHash)}`));
  }
  const status: TaskReport["status"] = view ? taskStatusName(view.status) : "Unknown";
  if (!view) checks.push(fail("task.status", `the handler does not answer taskOf: ${viewRead.ok ? "" : viewRead.reason}`));
  else if (status === eventStatus || (status === "Active" && eventStatus === "Active")) checks.push(pass("task.status", `${status}${view.pastDeadline && status === "Active" ? " (deadline passed)" : ""}`));
  else checks.push(fail("task.status", `the handler reports ${status} but its events say ${eventStatus}`));

  // 9. Merkle anchoring of the steps' digests.
  let anchor: AnchorReport | undefined;
  if (anchorOptions && anchorReads) {
    const dep = parameters.anchor === undefined ? parameters.deployment : undefined;
    if (dep && dep.chainId !== chainId) {
      checks.push(fail("anchor.deployment", `the deployment is for chain ${dep.chainId}, the client is on chain ${chainId}`));
    } else {
      const trusted = [...(dispatch ? [dispatch.requester] : []), ...[...current.values()].map((e) => e.args.agent as Address)];
      anchor = await anchorSection(client, anchorReads, {
        options: anchorOptions,
        chainId,
        handler,
        taskId,
        items: anchorItems,
        unanchorable,
        trustedBatchAnchorers: trusted,
        requireAnchor: parameters.requireAnchor === true,
        retry,
      });
    }
  } else if (parameters.requireAnchor) {
    checks.push(fail("anchor.required", "anchoring is required but no DigestAnchor address was given (anchor) or known (deployment)"));
  }

  // 10. Workflow document (pluggable).
  if (parameters.workflowCheck) {
    try {
      const found = await parameters.workflowCheck({ client, handler, taskId, agentWorkflowHash: workflowHash, agentWorkflow: dispatch ? (dispatchEvent?.args.agentWorkflow as Hex) : undefined, policy, policyDigest: storedDigest });
      for (const c of found) checks.push({ id: c.id.startsWith("workflow") ? c.id : `workflow.${c.id}`, status: c.status, reason: c.reason });
    } catch (error) {
      if (error instanceof ChainRpcError || (error instanceof BaseError && isTransportFailure(error))) throw decodeRevert(error);
      checks.push(fail("workflow.check", `the workflow check failed: ${shortText(error)}`));
    }
  } else checks.push(skip("workflow.check", "no workflowCheck given"));

  return {
    taskId,
    handler,
    chainId,
    ok: allPass(checks) && stages.every((s) => s.ok) && (anchor?.ok ?? true),
    status,
    eventStatus,
    dispatch,
    attestedInputHash: attested,
    finalized,
    stages,
    checks,
    anchor,
    stats: {
      logs: paged.logs.length,
      logRequests: paged.requests + (anchorReads?.requests ?? 0),
      transactions: txHashes.size,
      verifiers: infos.size,
      ects: ectTokens.length,
      fromBlock: paged.fromBlock,
      toBlock: paged.toBlock,
    },
  };
}

/** The anchor to check: `anchor` (validated), else the deployment's `DigestAnchor`, else none. */
function anchorOptionsOf(parameters: VerifyTaskParameters): AnchorOptions | undefined {
  const a = parameters.anchor;
  if (a === undefined) {
    const dep = parameters.deployment;
    if (dep === undefined) return undefined;
    assertObject("deployment", dep);
    assertObject("deployment.contracts", dep.contracts);
    const c = Object.hasOwn(dep.contracts, "DigestAnchor") ? dep.contracts.DigestAnchor : undefined;
    if (c === undefined) return undefined;
    assertAddress("deployment.contracts.DigestAnchor.address", c?.address);
    return { address: c.address };
  }
  if (typeof a === "string") {
    assertAddress("anchor", a);
    return { address: a };
  }
  assertObject("anchor", a);
  assertAddress("anchor.address", a.address);
  if (a.onChain !== undefined) assertBool("anchor.onChain", a.onChain);
  if (a.batchAnchorers !== undefined) {
    if (!Array.isArray(a.batchAnchorers)) throw new ChainParameterError("anchor.batchAnchorers", "expected an array of addresses");
    a.batchAnchorers.forEach((x, i) => assertAddress(`anchor.batchAnchorers[${i}]`, x));
  }
  if (a.batches !== undefined) {
    if (!Array.isArray(a.batches)) throw new ChainParameterError("anchor.batches", "expected an array of { anchorer, batchId }");
    a.batches.forEach((b, i) => {
      assertObject(`anchor.batches[${i}]`, b);
      assertAddress(`anchor.batches[${i}].anchorer`, b.anchorer);
      assertBytes32(`anchor.batches[${i}].batchId`, b.batchId);
    });
  }
  return a;
}

function decodeLogs(logs: readonly RpcLog[], handler: Address, caller: Address | undefined): Decoded[] {
  const out: Decoded[] = [];
  for (const log of logs) {
    if (!log.transactionHash || log.blockNumber === null) continue;
    const fromHandler = lower(log.address) === lower(handler);
    const fromCaller = caller !== undefined && lower(log.address) === lower(caller);
    if (!fromHandler && !fromCaller) continue;
    try {
      const d = decodeEventLog({ abi: fromHandler ? agentHandlerAbi : agentCallerAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]], strict: true });
      if (fromCaller && !fromHandler && d.eventName !== "CallAgent") continue;
      out.push({ name: d.eventName, args: d.args as Record<string, unknown>, log, tx: log.transactionHash, block: BigInt(log.blockNumber), index: Number(log.logIndex ?? 0) });
    } catch {
      // Not one of ours (or malformed): ignored, as the chain would.
    }
  }
  return out.sort((a, b) => (a.block === b.block ? a.index - b.index : a.block < b.block ? -1 : 1));
}

/** The witness at the head of a step's data: `hash ‖ agent` (v3). */
const WITNESS_BYTES = 52;

/** `proof` is the verifier's proof; `header` the prove header's agent (`onAgentProve` only). */
type ProveCall = { inputHash: Hex; outputHash: Hex; proof: Hex; verifier: Address | undefined; header: Address | undefined };

/** The prove call of `taskId`/`stage` in a transaction's calldata (`onAgentProve`, or `stepAndProve`'s proof). */
function findProve(input: Hex | undefined, taskId: Hex, stage: number, stepCall?: DecodedStepCall): ProveCall | undefined {
  if (!input) return undefined;
  if (stepCall?.functionName === "stepAndProve" && stepCall.proof !== undefined) {
    return { inputHash: stepCall.inputHash, outputHash: stepCall.outputHash, proof: stepCall.proof, verifier: undefined, header: stepCall.agent };
  }
  const body = input.toLowerCase();
  let at = body.indexOf(PROVE_SELECTOR.slice(2), 2);
  while (at !== -1) {
    if (at % 2 === 0) {
      try {
        const d = decodeFunctionData({ abi: agentHandlerAbi, data: `0x${body.slice(at)}` as Hex });
        if (d.functionName === "onAgentProve") {
          const [t, inputHash, outputHash, proof, verifier, st] = d.args;
          if (lower(t) === lower(taskId) && st === stage) {
            if (proof.length < 42) return { inputHash, outputHash, proof: "0x", verifier, header: undefined };
            return { inputHash, outputHash, proof: `0x${proof.slice(42)}` as Hex, verifier, header: `0x${proof.slice(2, 42)}` as Address };
          }
        }
      } catch {
        // keep looking
      }
    }
    at = body.indexOf(PROVE_SELECTOR.slice(2), at + 2);
  }
  const sp = findStepCall(input, taskId, stage);
  if (sp?.functionName === "stepAndProve" && sp.proof !== undefined) return { inputHash: sp.inputHash, outputHash: sp.outputHash, proof: sp.proof, verifier: undefined, header: sp.agent };
  return undefined;
}

function inputChecks(
  s: number,
  step: StageStep,
  call: DecodedStepCall | undefined,
  cfg: TaskPolicy["stages"][number] | undefined,
  attested: Hex | undefined,
  stepOf: (s: number) => Decoded | undefined,
  firstStage0: boolean,
): VerifyCheck[] {
  if (!cfg) return [skip("step.input", "the stage's policy is unknown")];
  const out: VerifyCheck[] = [];
  const witness = call && call.data.length >= 2 + 2 * WITNESS_BYTES ? (call.data.slice(0, 2 + 2 * WITNESS_BYTES).toLowerCase() as Hex) : undefined;
  const expect = (hash: string, agent: string) => `${hash}${agent.slice(2)}`.toLowerCase();
  if (s === 0) {
    if (attested === undefined) out.push(skip("step.input", "the attested input is unknown"));
    else
      out.push(
        lower(step.inputHash) === lower(attested)
          ? pass("step.input", "stage 0 declares the attested task input (WYRIWE)")
          : fail("step.input", `WYRIWE: stage 0 declares input ${short(step.inputHash)}, the task attests ${short(attested)}`),
      );
    if (!firstStage0 && call) {
      out.push(witness ? pass("step.witness", "replacement carries a witness") : fail("step.witness", "a replacing stage-0 step carries no witness"));
    }
    return out;
  }
  if (cfg.input === 1) {
    const prev = stepOf(s - 1);
    if (!prev) return [fail("step.input", `stage ${s} chains on stage ${s - 1}, which has no step`)];
    out.push(
      lower(step.inputHash) === lower(prev.args.outputHash as string)
        ? pass("step.input", `chained: input = stage ${s - 1}'s output`)
        : fail("step.input", `chained stage ${s} declares input ${short(step.inputHash)}, stage ${s - 1}'s output is ${short(prev.args.outputHash as string)}`),
    );
    if (call) {
      const want = expect(prev.args.inputHash as string, prev.args.agent as string);
      out.push(witness === want ? pass("step.witness", "witness = previous inputHash ‖ agent") : fail("step.witness", `witness ${short(witness)} is not stage ${s - 1}'s inputHash ‖ agent`));
    }
  } else {
    const first = stepOf(0);
    if (!first) return [fail("step.input", "stage 0 has no step")];
    out.push(
      lower(step.inputHash) === lower(first.args.inputHash as string)
        ? pass("step.input", "keyed on the attested task input")
        : fail("step.input", `stage ${s} declares input ${short(step.inputHash)}, not the attested task input ${short(first.args.inputHash as string)}`),
    );
    if (call) {
      const want = expect(first.args.outputHash as string, first.args.agent as string);
      out.push(witness === want ? pass("step.witness", "witness = stage 0's outputHash ‖ agent") : fail("step.witness", `witness ${short(witness)} is not stage 0's outputHash ‖ agent`));
    }
  }
  return out;
}

/** `capsule.binding`: each Capsule's `org.agent-exec.step` member (when it has one) names the step carrying it. */
function capsuleBindingChecks(
  capsules: readonly unknown[],
  step: { chainId: number; handler: Address; taskId: Hex; stage: number; outputHash: Hex },
): VerifyCheck[] {
  if (capsules.length === 0) return [];
  const moved: string[] = [];
  let bound = 0;
  capsules.forEach((capsule, i) => {
    const r = checkCapsuleBinding({ capsule, ...step });
    if (r.status === "mismatch") moved.push(`capsule ${i} was made for another step (${r.fields.join(", ")} differ)`);
    else if (r.status === "bound") bound++;
  });
  if (moved.length) return [fail("capsule.binding", moved.join("; "))];
  if (bound === 0) return [skip("capsule.binding", "no Capsule names its step (no org.agent-exec.step member)")];
  return [pass("capsule.binding", `${bound} of ${capsules.length} Capsule(s) name this step`)];
}

/**
 * `capsule.verdict` (gating stages): a Capsule that records a decision must record the one the chain acted on —
 * a denying Capsule on a proven (approved) gate, or an accepting one on a halted gate, is a contradiction.
 */
function capsuleVerdictChecks(capsules: readonly unknown[], status: "proven" | "halted"): VerifyCheck[] {
  const recorded = status === "proven" ? Verdict.Approved : Verdict.Denied;
  const contradicting: string[] = [];
  let decided = 0;
  capsules.forEach((c, i) => {
    const v = capsuleVerdict(c);
    if (v.verdict === undefined) return;
    decided++;
    if (v.verdict !== recorded) contradicting.push(`capsule ${i}: ${v.reason}, but the gate was ${status}`);
  });
  if (contradicting.length) return [fail("capsule.verdict", contradicting.join("; "))];
  if (decided === 0) return [skip("capsule.verdict", "no Capsule of the gate records a decision")];
  return [pass("capsule.verdict", `${decided} Capsule disposition(s) agree with the gate's verdict (${status})`)];
}

function capsuleChecks(capsules: readonly unknown[]): VerifyCheck[] {
  if (capsules.length === 0) return [];
  const problems: string[] = [];
  const notChecked: string[] = [];
  capsules.forEach((c, i) => {
    try {
      const r = checkCapsuleId(c);
      if (!r.ok) problems.push(`capsule ${i}: capsule_id ${short(String(r.claimed))} recomputes to ${short(r.capsuleId)}`);
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      if (/FLOAT|UNCOMPUTABLE|NUMBER|DOMAIN/i.test(code)) notChecked.push(`capsule ${i}: not checked (${shortText(error)})`);
      else problems.push(`capsule ${i}: ${shortText(error)}`);
    }
  });
  const out: VerifyCheck[] = [];
  if (problems.length) out.push(fail("capsule.id", problems.join("; ")));
  else if (capsules.length > notChecked.length) out.push(pass("capsule.id", `${capsules.length - notChecked.length} capsule id(s) recompute`));
  if (notChecked.length) out.push(skip("capsule.id", notChecked.join("; ")));
  return out;
}

function b64urlToHex(s: unknown): Hex | undefined {
  if (typeof s !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(s)) return undefined;
  return `0x${Buffer.from(s, "base64url").toString("hex")}` as Hex;
}

async function ectChecks(
  tokens: readonly { token: string; stage: number }[],
  stageEcts: ReadonlyMap<number, number[]>,
  stages: StageReport[],
  checks: VerifyCheck[],
  taskId: Hex,
  parameters: VerifyTaskParameters,
): Promise<void> {
  const o = parameters.ect ?? {};
  const claims: (Record<string, unknown> | undefined)[] = [];
  const perToken: (string | undefined)[] = [];
  let dagViolations: { index?: number | undefined; details: string; rule: unknown }[] = [];
  if (o.keyStore) {
    const r = await verifyEctWorkflow(
      tokens.map((t) => t.token),
      { keyStore: o.keyStore, audience: o.audience === undefined ? null : o.audience, clock: o.clock, workers: 0, ...(o.dag ?? {}) },
    );
    r.results.forEach((x, i) => {
      if (x.ok) claims[i] = x.payload;
      else {
        const d = decodeEctUnverified(tokens[i]?.token);
        claims[i] = d instanceof Error ? undefined : d.payload;
        perToken[i] = `step ${x.step}: ${x.error.shortMessage}${x.error.details ? ` (${x.error.details})` : ""}`;
      }
    });
    dagViolations = r.violations;
  } else {
    tokens.forEach((t, i) => {
      const d = decodeEctUnverified(t.token);
      if (d instanceof Error) perToken[i] = `not an ECT: ${d.shortMessage ?? d.message}`;
      else claims[i] = d.payload;
    });
    const nodes = claims.map((c) => (c ? ({ ...c, par: (c.par ?? c.pred) as string[] } as unknown as EctDagNode) : ({} as EctDagNode)));
    dagViolations = validateEctDag(nodes, o.dag ?? {}).violations;
  }
  const jtiStage = new Map<string, number>();
  claims.forEach((c, i) => {
    if (c && typeof c.jti === "string") jtiStage.set(c.jti, tokens[i]?.stage ?? -1);
  });
  const wid = (o.widOf ?? ((t: Hex) => t.toLowerCase()))(taskId);

  for (const [stage, idx] of stageEcts) {
    const report = stages[stage];
    if (!report) continue;
    const sc = report.checks;
    const bad = idx.filter((i) => perToken[i] !== undefined).map((i) => `ECT ${i - (idx[0] ?? 0)}: ${perToken[i]}`);
    if (o.keyStore) sc.push(bad.length ? fail("ect.verify", bad.join("; ")) : pass("ect.verify", `${idx.length} ECT(s) pass the 13-step verification`));
    else sc.push(bad.length ? fail("ect.verify", bad.join("; ")) : skip("ect.verify", `${idx.length} ECT(s) decoded; signatures not checked (no keyStore)`));
    const widBad = idx.filter((i) => claims[i] && String(claims[i]?.wid ?? "").toLowerCase() !== wid);
    sc.push(widBad.length ? fail("ect.wid", `${widBad.length} ECT(s) do not carry wid = the task id`) : pass("ect.wid", "every ECT's wid is the task id"));
    // Order: parents in the same or an earlier stage.
    const orderBad: string[] = [];
    for (const i of idx) {
      const par = (claims[i]?.par ?? claims[i]?.pred) as unknown;
      if (!Array.isArray(par)) continue;
      for (const p of par) {
        const ps = jtiStage.get(String(p));
        if (ps !== undefined && ps > stage) orderBad.push(`${String(claims[i]?.jti)} (stage ${stage}) has parent ${String(p)} in later stage ${ps}`);
      }
    }
    sc.push(orderBad.length ? fail("ect.order", orderBad.join("; ")) : pass("ect.order", "ECT parents lie in this or earlier stages"));
    // Output binding: a sink ECT of the stage attests the step's output.
    const step = report.step;
    if (step) {
      const inStage = new Set(idx.map((i) => claims[i]?.jti).filter((j): j is string => typeof j === "string"));
      const parents = new Set<string>();
      for (const i of idx) for (const p of ((claims[i]?.par ?? claims[i]?.pred) as unknown[] | undefined) ?? []) if (inStage.has(String(p))) parents.add(String(p));
      const sinks = idx.filter((i) => typeof claims[i]?.jti === "string" && !parents.has(claims[i]?.jti as string));
      const hashes = sinks.map((i) => claims[i]?.out_hash).filter((h): h is string => typeof h === "string");
      if (hashes.length === 0) sc.push(skip("ect.output", "the stage's final ECTs carry no out_hash"));
      else {
        const sha = step.output ? Buffer.from(sha256(step.output).slice(2), "hex").toString("base64url") : undefined;
        // One ECT: its out_hash is the output hash; several (fan-out): sdk/bridge's stageOutputHash over the stage's
        // ECTs in payload order.
        const all = idx.map((i) => claims[i]?.out_hash);
        let combined: string | undefined;
        try {
          combined = all.length > 1 && all.every((h): h is string => typeof h === "string") ? stageOutputHash(all) : undefined;
        } catch {
          combined = undefined;
        }
        const ok =
          (combined !== undefined && lower(combined) === lower(step.outputHash)) ||
          hashes.some((h) => (sha !== undefined && h === sha) || lower(b64urlToHex(h) ?? "") === lower(step.outputHash));
        sc.push(
          ok
            ? pass("ect.output", "a final ECT of the stage attests the step's output")
            : fail("ect.output", `swapped output: no final ECT of stage ${stage} attests the step's output ${short(step.outputHash)} (ECT out_hash ${hashes.map((h) => short(h)).join(", ")})`),
        );
      }
    }
    report.ok = allPass(sc);
  }
  const v = dagViolations.map((x) => `${x.index !== undefined ? `ECT #${x.index} (stage ${tokens[x.index]?.stage}) ` : ""}rule ${String(x.rule)}: ${x.details}`);
  checks.push(v.length ? fail("ect.dag", v.join("; ")) : pass("ect.dag", `${tokens.length} ECTs satisfy the five DAG rules`));
}

