import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import type { Value, ValueMap } from "../../core/yaml/value.ts";
import { applyJson6902 } from "./json6902.ts";
import { kubectlAvailable, readCases, runOracle, writeCases } from "./testdata/oracle.ts";

const file = fileURLToPath(new URL("./testdata/json-cases.yaml", import.meta.url));
const cases = readCases(file);
const noKubectl = kubectlAvailable();

if (process.env.UPDATE_PATCH_FIXTURES && !noKubectl) {
  for (const c of cases) c.expected = runOracle(c);
  writeCases(file, cases);
}

describe("JSON 6902 patch (fixtures from kubectl kustomize v5.5.0)", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(c.expected, "run with UPDATE_PATCH_FIXTURES=1 to record kubectl's output").toBeDefined();
    const expected = c.expected ?? "";
    const resource = parse(c.resource) as ValueMap;
    // kustomize decodes a patch starting with `[` as JSON, anything else through sigs.k8s.io/yaml (YAML 1.1).
    const text = c.patch.trim();
    const ops = (
      text.startsWith("[") ? JSON.parse(text) : parse(text, { version: "1.1", uniqueKeys: false })
    ) as Value;
    const got = applyJson6902(resource, ops);
    if (expected.startsWith("error: ")) {
      expect(got.ok, JSON.stringify(got)).toBe(false);
      if (!got.ok) expect(expected).toContain(got.error);
      return;
    }
    expect(got.ok, JSON.stringify(got)).toBe(true);
    const docs = parseAllDocuments(expected).map((d) => d.toJS());
    if (got.ok) expect([got.result]).toEqual(docs);
    // The input is not modified.
    expect(resource).toEqual(parse(c.resource));
  });
});

describe.skipIf(noKubectl)("live differential against kubectl", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    expect(runOracle(c)).toBe(c.expected);
  });
});

if (noKubectl) console.info(`patch oracle tests skipped: ${noKubectl}`);
