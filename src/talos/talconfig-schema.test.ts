import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { talconfigJsonSchema } from "./talconfig-schema.ts";

const committed = path.resolve(import.meta.dirname, "../../schemas/talconfig.schema.json");

describe("schemas/talconfig.schema.json", () => {
  it("is what the zod schema generates (regenerate: npx tsx scripts/talconfig-schema.ts)", () => {
    expect(fs.readFileSync(committed, "utf8")).toBe(`${JSON.stringify(talconfigJsonSchema(), null, 2)}\n`);
  });
});
