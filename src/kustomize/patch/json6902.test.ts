import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import type { ValueMap } from "../../core/yaml/value.ts";
import { applyJson6902, decodeJson6902Text } from "./json6902.ts";
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
    const decoded = decodeJson6902Text(c.patch);
    expect(decoded.ok, JSON.stringify(decoded)).toBe(true);
    const got = applyJson6902(resource, decoded.ok ? decoded.ops : null);
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

describe("decodeJson6902Text", () => {
  test("YAML 1.1 scalars, timestamps kept as text, first document only", () => {
    const d = decodeJson6902Text(
      "- {op: add, path: /a, value: [y, off, 0777, 2001-12-14, 1:20]}\n---\n- {op: x}\n",
    );
    expect(d).toEqual({
      ok: true,
      ops: [{ op: "add", path: "/a", value: [true, false, 511, "2001-12-14", "1:20"] }],
    });
  });
  test("JSON text and errors", () => {
    expect(decodeJson6902Text('[{"op":"remove","path":"/a"}]')).toEqual({
      ok: true,
      ops: [{ op: "remove", path: "/a" }],
    });
    expect(decodeJson6902Text("")).toEqual({ ok: false, error: "empty json patch operations" });
    expect(decodeJson6902Text("[").ok).toBe(false);
  });
  test("non-list input is rejected by applyJson6902 like DecodePatch", () => {
    expect(applyJson6902({}, { op: "add" })).toEqual({
      ok: false,
      error: "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    });
    expect(applyJson6902({}, ["x"])).toEqual({
      ok: false,
      error: "json: cannot unmarshal string into Go value of type jsonpatch.Operation",
    });
  });
});
