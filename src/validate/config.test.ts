import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { homeopsConfigJsonSchema } from "./config.ts";

/** schemas/homeops-config.schema.json is the one the zod schema generates (UPDATE_SCHEMAS=1 rewrites it). */
describe(".homeops.yaml schema", () => {
  it("matches the committed JSON Schema", () => {
    const file = path.resolve(import.meta.dirname, "..", "..", "schemas", "homeops-config.schema.json");
    const generated = homeopsConfigJsonSchema();
    if (process.env.UPDATE_SCHEMAS) fs.writeFileSync(file, generated);
    expect(fs.readFileSync(file, "utf8")).toBe(generated);
  });
});
