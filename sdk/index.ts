/**
 * agent-exec SDK: the public surface. Nothing else is imported by users.
 * Each area re-exports from its own barrel; see README's architecture map.
 */
export { AgentExecError, isAgentExecError, type AgentExecErrorParameters } from "./errors.js";
export * from "./ect/index.js";
export * from "./atd/index.js";
export * from "./capsule/index.js";
export * from "./chain/index.js";
