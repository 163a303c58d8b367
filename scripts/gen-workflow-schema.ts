// Writes schemas/erc8301-workflow.schema.json from sdk/workflow/schema.ts (the published copy of the schema).
import { writeFileSync } from "node:fs";
import { workflowDocumentSchema } from "../sdk/workflow/schema.js";

writeFileSync(new URL("../schemas/erc8301-workflow.schema.json", import.meta.url), JSON.stringify(workflowDocumentSchema, null, 2) + "\n");
console.log("wrote schemas/erc8301-workflow.schema.json");
