import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/** Every diagnostic code the source can emit is documented in docs/diagnostics.md, and nothing else is. */
const root = path.resolve(import.meta.dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "testdata" || e.name === "node_modules" ? [] : sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.includes(".test.") && !e.name.includes("test-support")
      ? [p]
      : [];
  });
}

describe("diagnostic codes", () => {
  it("docs/diagnostics.md lists exactly the codes in src", () => {
    const used = new Set<string>();
    for (const f of sourceFiles(path.join(root, "src"))) {
      for (const m of fs
        .readFileSync(f, "utf8")
        .matchAll(/"((?:KUS|GEN|IMG|REP|YAML|FLX|SOPS|TAL|CHK)\d{3})"/g))
        used.add(m[1]!);
    }
    const doc = fs.readFileSync(path.join(root, "docs", "diagnostics.md"), "utf8");
    const documented = new Set([...doc.matchAll(/^\| ((?:[A-Z]+)\d{3}) \|/gm)].map((m) => m[1]!));
    expect([...used].filter((c) => !documented.has(c)).sort()).toEqual([]);
    expect([...documented].filter((c) => !used.has(c)).sort()).toEqual([]);
  });
});
