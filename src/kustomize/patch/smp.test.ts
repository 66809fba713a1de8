import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import type { ValueMap } from "../../core/yaml/value.ts";
import { applyStrategicMerge } from "./smp.ts";
import { kubectlAvailable, readCases, runOracle, writeCases } from "./testdata/oracle.ts";

const file = fileURLToPath(new URL("./testdata/smp-cases.yaml", import.meta.url));
const cases = readCases(file);
const noKubectl = kubectlAvailable();

if (process.env.UPDATE_PATCH_FIXTURES && !noKubectl) {
  for (const c of cases) c.expected = runOracle(c);
  writeCases(file, cases);
}

describe("strategic merge patch (fixtures from kubectl kustomize v5.5.0)", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(c.expected, "run with UPDATE_PATCH_FIXTURES=1 to record kubectl's output").toBeDefined();
    const expected = c.expected ?? "";
    const resource = parse(c.resource) as ValueMap;
    const patch = parse(c.patch) as ValueMap;
    // With a target selector kustomize first gives the patch the target's apiVersion.
    if (c.target) patch.apiVersion = resource.apiVersion ?? null;
    const got = applyStrategicMerge(resource, patch, c.options ?? {});
    if (expected.startsWith("error: ")) {
      expect(got.ok, JSON.stringify(got)).toBe(false);
      // The node dump after the first line keeps the patch's YAML styles, which values do not carry.
      if (!got.ok) expect(expected).toContain(got.error.split("\n")[0]);
      return;
    }
    expect(got.ok, JSON.stringify(got)).toBe(true);
    const docs = parseAllDocuments(expected).map((d) => d.toJS());
    if (got.ok) expect(got.result === null ? [] : [got.result]).toEqual(docs);
  });
});

describe.skipIf(noKubectl)("live differential against kubectl", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(runOracle(c)).toBe(c.expected);
  });
});

if (noKubectl) console.info(`patch oracle tests skipped: ${noKubectl}`);
