// Writes schemas/talconfig.schema.json from the zod schema (src/talos/talconfig-schema.ts); a test checks for drift.
import { writeFileSync } from "node:fs";
import { talconfigJsonSchema } from "../src/talos/talconfig-schema.ts";

writeFileSync("schemas/talconfig.schema.json", `${JSON.stringify(talconfigJsonSchema(), null, 2)}\n`);
console.log("wrote schemas/talconfig.schema.json");
