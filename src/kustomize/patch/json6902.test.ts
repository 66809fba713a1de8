import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { seededRandom } from "../../core/yaml/emit-test-support.ts";
import { emptyKeys, type ValueMap } from "../../core/yaml/value.ts";
import { applyJson6902, decodeJson6902Text, quickDecode } from "./json6902.ts";
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
  test("the quick reading through homeops's loader equals the YAML 1.1 reading", () => {
    const scalars = [
      "x",
      "web",
      "/spec/replicas",
      "3",
      "-7",
      "0",
      "0777",
      "0x1F",
      "1_000",
      "1.5",
      ".5",
      "1e3",
      ".inf",
      "-.Inf",
      ".nan",
      "y",
      "n",
      "yes",
      "No",
      "on",
      "OFF",
      "true",
      "False",
      "null",
      "~",
      "",
      "1:20",
      "2001-12-14",
      "9007199254740993",
      '"quoted: x"',
      '"3"',
      "'0777'",
      '"yes"',
      "'1:20'",
      '"2001-12-14"',
      "'~'",
      "'single'",
      '"*.example.com"',
      "a b c",
      "a: b",
      "a #c",
      "|\n  block\n",
      "|-\n  block\n  two\n",
      ">\n  folded\n",
      "[a, 1, y]",
      "{k: v, n: 2}",
      "&a x",
      "*a",
      "!!str 5",
      '"es\\tc"',
    ];
    const rnd = seededRandom(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    let quick = 0;
    const cases = 3000;
    for (let i = 0; i < cases; i++) {
      const ops: string[] = [];
      // Half the texts stay with everyday values, which the quick reading takes.
      const everyday = rnd() < 0.5;
      for (let j = 1 + Math.floor(rnd() * 3); j > 0; j--) {
        const v = everyday ? pick(scalars.slice(0, 11)) : pick(scalars);
        const key = everyday
          ? pick(["value", "from"])
          : pick(["value", "value", "from", "on", "y", "1", "path"]);
        const p = everyday ? pick(scalars.slice(0, 3)) : pick(scalars);
        ops.push(
          `- op: ${pick(["add", "replace", "remove"])}\n  path: ${p}\n  ${key}: ${v.replaceAll("\n", "\n    ")}`,
        );
      }
      const text = `${ops.join("\n")}${rnd() < 0.5 ? "\n" : ""}${rnd() < 0.1 ? "---\n- op: x\n" : ""}`;
      if (quickDecode(text) !== undefined) quick++;
      expect(tagged(decodeJson6902Text(text)), text).toEqual(tagged(decodeJson6902Text(text, false)));
    }
    expect(quick).toBeGreaterThan(cases / 5);
  });
  test("JSON text and errors", () => {
    expect(decodeJson6902Text('[{"op":"remove","path":"/a"}]')).toEqual({
      ok: true,
      ops: [{ op: "remove", path: "/a" }],
    });
    expect(decodeJson6902Text("")).toEqual({ ok: false, error: "empty json patch operations" });
    expect(decodeJson6902Text("[").ok).toBe(false);
    expect(decodeJson6902Text("- {op: add, path: /a, value: *nowhere}\n")).toEqual({
      ok: false,
      error: "yaml: unknown anchor 'nowhere' referenced",
    });
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

/** The value with types spelled out (toEqual does not tell 1 from 1n in every position, nor see markers). */
function tagged(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(tagged);
  if (v !== null && typeof v === "object") {
    const m = v as Record<string, unknown>;
    const out: Record<string, unknown> = { "<empty>": emptyKeys(m as ValueMap) };
    for (const k of Object.keys(m)) out[`k:${k}`] = tagged(m[k]);
    return out;
  }
  return `${typeof v}:${String(v)}`;
}
