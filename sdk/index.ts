/**
 * agent-exec SDK: the public surface. Nothing else is imported by users.
 *
 * Entry points (package.json "exports"): "agent-exec" (this file: every area) and one
 * subpath per area, "agent-exec/ect", "agent-exec/atd", "agent-exec/capsule",
 * "agent-exec/chain" (each area's index.ts). The root is exactly the union of the areas
 * plus the error base class (pinned by test/surface/exports.test.ts).
 *
 * Conventions, across areas:
 *   verify* / check* / validate*  return structured results (`ok`, findings or a typed
 *                                 `error` value); they never throw for bad input
 *   assert*                       throw the typed error of the first failure
 *   build* / create* / compute* / encode* / parse* / to*   throw typed errors
 *   is*                           predicates: false for a value of the wrong type (those
 *                                 that need a context — a store, a clock — throw a typed
 *                                 error when the context is unusable)
 *   Memory* / File* / Jwks*       stores: in memory, on disk, from a JWKS
 *   every thrown error is an AgentExecError subclass with a stable `code`; never a plain
 *   TypeError, whatever the argument
 */
export { AgentExecError, isAgentExecError, type AgentExecErrorParameters } from "./errors.js";
export * from "./ect/index.js";
export * from "./atd/index.js";
export * from "./capsule/index.js";
export * from "./chain/index.js";
