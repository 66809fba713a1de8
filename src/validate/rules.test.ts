import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Rule } from "./context.ts";
import { FIXTURES_DIR } from "./fixtures-support.ts";
import { RULES } from "./rules/index.ts";

/** The registry, the rules folder, docs/rules.md and the fixtures list the same rules. */
const rulesDir = path.join(import.meta.dirname, "rules");
const docs = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "docs", "rules.md"), "utf8");

describe("rule registry", () => {
  it("has unique CHKnnn codes in order, and kebab-case names", () => {
    const codes = RULES.map((r) => r.code);
    expect(codes.every((c) => /^CHK\d{3}$/.test(c))).toBe(true);
    expect([...codes].sort()).toEqual(codes);
    expect(new Set(codes).size).toBe(codes.length);
    expect(RULES.every((r) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(r.name))).toBe(true);
  });

  it("registers every module of src/validate/rules, each named after its rule", async () => {
    const files = fs
      .readdirSync(rulesDir)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts")
      .sort();
    const fromFolder: Rule[] = [];
    for (const f of files) {
      const mod = (await import(path.join(rulesDir, f))) as { rule?: Rule };
      expect(mod.rule, f).toBeDefined();
      expect(`${mod.rule!.name}.ts`).toBe(f);
      fromFolder.push(mod.rule!);
    }
    expect(new Set(fromFolder)).toEqual(new Set(RULES));
  });

  it("docs/rules.md documents each rule with its severity, a bad and a good example", () => {
    const sections = docs.split(/^### /m).slice(1);
    const documented = sections.map((s) => s.slice(0, s.indexOf("\n")));
    expect(documented).toEqual(RULES.map((r) => `${r.code} ${r.name}`));
    for (const [i, s] of sections.entries()) {
      const r = RULES[i]!;
      expect(s, r.code).toContain(`\n${r.severity} — `);
      expect(s, r.code).toMatch(/\nBad:\n\n```yaml\n[\s\S]+?```\n\nGood:\n\n```yaml\n[\s\S]+?```/);
    }
  });

  it("has one fixture per rule, and no fixture for a code no rule has", () => {
    const fixtures = fs
      .readdirSync(FIXTURES_DIR)
      .filter((f) => /^CHK\d{3}\.txt$/.test(f))
      .map((f) => f.slice(0, 6))
      .sort();
    expect(fixtures).toEqual(RULES.map((r) => r.code));
  });
});
