import * as fs from "node:fs";
import * as path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { loadFixtures, materialize } from "../validate/fixtures-support.ts";
import { capture } from "./capture-test-support.ts";
import { main } from "./main.ts";

const example = path.resolve(import.meta.dirname, "..", "..", "examples", "home-ops");
const fixtures = new Map(loadFixtures().map((f) => [f.name, f]));
const dirs: string[] = [];

function fixtureDir(name: string): string {
  const dir = materialize(fixtures.get(name)!);
  dirs.push(dir);
  return dir;
}

afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The SARIF 2.1.0 schema is draft-04: ajv 8 reads it once `id` is `$id` and the draft marker is gone. */
function sarifValidator() {
  const file = path.join(import.meta.dirname, "..", "validate", "testdata", "sarif-schema-2.1.0.json");
  const schema = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  // Its language-tag pattern is not valid with the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

describe("homeops check", () => {
  it("exits 0 on the bundled example and says what it checked", async () => {
    const io = capture();
    expect(await main(["check", example])).toBe(0);
    expect(io.out()).toBe("no problems found\nchecked 1 cluster, 4 Kustomizations, 12 objects\n");
  });

  it("exits 1 with errors and prints a code frame and the hint", async () => {
    const io = capture();
    expect(await main(["check", fixtureDir("CHK101")])).toBe(1);
    expect(io.out()).toContain("clusters/main/apps.yaml:8:13: error CHK101: Kustomization flux-system/apps");
    expect(io.out()).toContain("  8 |     - name: infrastructure\n    |             ^\n  hint: Fix the name");
    expect(io.out()).toContain("1 error, 0 warnings");
  });

  it("--rule turns a code off or changes its severity; --max-warnings fails on warnings", async () => {
    const dir = fixtureDir("CHK101");
    capture();
    expect(await main(["check", dir, "--rule", "CHK101=off"])).toBe(0);
    expect(await main(["check", dir, "--rule", "CHK101=warn"])).toBe(0);
    expect(await main(["check", dir, "--rule", "CHK101=warn", "--max-warnings", "0"])).toBe(1);
  });

  it("exits 2 on usage errors", async () => {
    const io = capture();
    expect(await main(["check", example, "--format", "xml"])).toBe(2);
    expect(await main(["check", example, "--rule", "CHK999=off"])).toBe(2);
    expect(await main(["check", example, "--rule", "CHK101"])).toBe(2);
    expect(await main(["check", example, "--max-warnings", "-1"])).toBe(2);
    expect(await main(["check", path.join(example, "missing")])).toBe(2);
    expect(io.err()).toContain("--rule: no rule CHK999");
  });

  it("--format github prints workflow annotations", async () => {
    const io = capture();
    expect(await main(["check", fixtureDir("CHK303"), "--format", "github"])).toBe(1);
    expect(io.out()).toBe(
      "::error file=apps/configmap.yaml,line=5,col=14,title=CHK303::namespace 'media' is used (first by ConfigMap app) but no Kustomization of cluster 'clusters/main' creates it%0Ahint: Add a Namespace object to the cascade (before the objects that use it, e.g. with dependsOn), or fix the namespace.\n",
    );
  });

  it("--format sarif validates against the SARIF 2.1.0 schema", async () => {
    const validate = sarifValidator();
    for (const name of ["CHK101", "CHK202", "CHK403", "FLX011", "valid"]) {
      const io = capture();
      await main(["check", fixtureDir(name), "--format", "sarif"]);
      const log = JSON.parse(io.out()) as { runs: { results: { ruleId: string }[] }[] };
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
      if (name !== "valid") expect(log.runs[0]!.results.some((r) => r.ruleId === name)).toBe(true);
      vi.restoreAllMocks();
    }
  });

  it("--format json lists every finding, info included", async () => {
    const io = capture();
    expect(await main(["check", fixtureDir("CHK403"), "--format", "json"])).toBe(0);
    const ds = JSON.parse(io.out()) as { code: string; severity: string }[];
    expect(ds.map((d) => `${d.severity} ${d.code}`)).toEqual(["info CHK403"]);
  });
});
