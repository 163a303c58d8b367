/**
 * A runtime in a child process, for the crash tests: configured from AGENT_CHILD (JSON), it runs until the given
 * tasks are settled (exit 0, outcomes on stdout) — or SIGKILLs itself at the runtime event AGENT_CHILD.crashAt
 * names (`<event type>:<stage>:<kind>`), the way a power cut or OOM kill would stop it.
 */
import { privateKeyToAccount } from "viem/accounts";
import { hexToBytes, type Hex } from "viem";
import { createCapsuleSigner } from "../../sdk/capsule/index.js";
import type { WorkflowDocument } from "../../sdk/workflow/types.js";
import { runtimeFor } from "./runtimeFor.js";

type ChildConfig = {
  url: string;
  chainId: number;
  key: Hex;
  attesterKey: Hex;
  caller: `0x${string}`;
  handler: `0x${string}`;
  document: WorkflowDocument;
  workflowHash: Hex;
  stateDir: string;
  atHand: boolean;
  taskIds: Hex[];
  crashAt?: string | undefined;
  /** A capsule signing key (32-byte P-256 scalar, hex) for workflows with Capsule stages. */
  capsuleKey?: Hex | undefined;
};

// Only as a spawned child: the test runner also loads every file under test/, and then AGENT_CHILD is unset.
if (process.env.AGENT_CHILD) {
  const cfg = JSON.parse(process.env.AGENT_CHILD ?? "{}") as ChildConfig;
  const rt = runtimeFor({
    ...cfg,
    attester: privateKeyToAccount(cfg.attesterKey),
    capsuleSigner: cfg.capsuleKey ? createCapsuleSigner(hexToBytes(cfg.capsuleKey)) : undefined,
    onEvent: (e) => {
      if (e.type === "capsule-recorded") process.stdout.write(JSON.stringify({ capsule: { taskId: e.taskId, stage: e.stage, capsuleId: e.capsuleId } }) + "\n");
      if (!cfg.crashAt) return;
      const tag = `${e.type}:${"stage" in e ? e.stage : ""}:${"kind" in e ? e.kind : ""}`;
      if (tag === cfg.crashAt) {
        process.stdout.write(JSON.stringify({ crashed: tag }) + "\n");
        process.kill(process.pid, "SIGKILL");
      }
    },
  });
  await rt.start();
  const outcomes = await rt.settled(cfg.taskIds, { timeoutMs: 120_000 });
  const stats = rt.stats();
  await rt.stop();
  process.stdout.write(JSON.stringify({ outcomes: Object.fromEntries(outcomes), stats }) + "\n");
  process.exit(0);
}
