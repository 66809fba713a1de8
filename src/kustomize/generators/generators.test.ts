import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../core/diagnostics.ts";
import type { ValueMap } from "../../core/yaml/value.ts";
import type { Resource } from "../resource.ts";
import { parseEnvFile } from "./dotenv.ts";
import {
  absorbGenerated,
  addHashesToNames,
  type ConfigMapArgs,
  encodeBase64,
  type GeneratorFileReader,
  generateConfigMap,
  generateSecret,
  goPathBase,
  mergeGlobalOptionsIntoLocal,
  parseFileSource,
  parseLiteralSource,
} from "./generators.ts";

const ctx = () => ({ diags: new Diagnostics(), at: { file: "kustomization.yaml", line: 2, column: 3 } });
const enc = (s: string) => new TextEncoder().encode(s);
const files = (m: Record<string, Uint8Array | string>): GeneratorFileReader => ({
  readFile: (p) => {
    const v = m[p];
    if (v === undefined) return { ok: false, message: `cannot read '${p}'` };
    return { ok: true, bytes: typeof v === "string" ? enc(v) : v };
  },
});

describe("parseEnvFile (kv.keyValuesFromLines)", () => {
  it("keeps kustomize's literal reading: no quote removal, no export, no right trim", () => {
    const r = parseEnvFile(enc('\ufeffA=1\r\n  # c\n\nexport B=2\nC\nD="q"\nE = s \n=x\nF=a=b\n\tG=tab'));
    expect(r).toEqual({
      ok: true,
      pairs: [
        { key: "A", value: "1" },
        { key: "export B", value: "2" },
        { key: "C", value: "" },
        { key: "D", value: '"q"' },
        { key: "E ", value: " s " },
        { key: "F", value: "a=b" },
        { key: "G", value: "tab" },
      ],
    });
  });
  it("strips the BOM on the first line only, and U+FEFF is not a space to Go", () => {
    const r = parseEnvFile(enc("\ufeffA=1\n\ufeffB=2\n"));
    expect(r.ok && r.pairs.map((p) => p.key)).toEqual(["A", "\ufeffB"]);
  });
  it("rejects a line that is not UTF-8", () => {
    expect(parseEnvFile(new Uint8Array([0x41, 0x3d, 0xff, 0x0a])).ok).toBe(false);
  });
  it("stops silently at a line of 64 KiB or more, like an unchecked bufio.Scanner", () => {
    const r = parseEnvFile(enc(`A=1\nB=${"x".repeat(70000)}\nC=3\n`));
    expect(r.ok && r.pairs.map((p) => p.key)).toEqual(["A"]);
  });
});

describe("sources", () => {
  it("parses literals like kustomize", () => {
    expect(parseLiteralSource("a=x=y")).toEqual({ ok: true, key: "a", value: "x=y" });
    expect(parseLiteralSource(`c="x"`)).toEqual({ ok: true, key: "c", value: "x" });
    expect(parseLiteralSource(`d="x'`)).toEqual({ ok: true, key: "d", value: `"x'` });
    expect(parseLiteralSource(`g="`)).toEqual({ ok: true, key: "g", value: `"` });
    expect(parseLiteralSource("=x")).toEqual({
      ok: false,
      message: "invalid literal source =x, expected key=value",
    });
    expect(parseLiteralSource("nokey").ok).toBe(false);
  });
  it("parses file sources like generators.ParseFileSource", () => {
    expect(parseFileSource("./path/myfile")).toEqual({ ok: true, key: "myfile", path: "./path/myfile" });
    expect(parseFileSource("k.ini=old")).toEqual({ ok: true, key: "k.ini", path: "old" });
    expect(parseFileSource("k==old")).toEqual({
      ok: false,
      message: `source "k==old" key name or file path contains '='`,
    });
    expect(parseFileSource("=f")).toEqual({
      ok: false,
      message: `missing key name for file path "f" in source "=f"`,
    });
    expect(parseFileSource("k=")).toEqual({
      ok: false,
      message: `missing file path for key name "k" in source "k="`,
    });
    expect([goPathBase(""), goPathBase("a/"), goPathBase("/"), goPathBase("a/b//")]).toEqual([
      ".",
      "a",
      "/",
      "b",
    ]);
  });
  it("wraps base64 longer than 69 characters into 70-character lines, each ending in a newline", () => {
    expect(encodeBase64(enc("y".repeat(51)))).toBe("eXl5".repeat(17));
    expect(encodeBase64(enc("y".repeat(52)))).toMatch(/^[A-Za-z0-9+/=]{70}\n[A-Za-z0-9+/=]{2}\n$/);
    expect(encodeBase64(enc("y".repeat(60)))).toMatch(/^[A-Za-z0-9+/=]{70}\n[A-Za-z0-9+/=]{10}\n$/);
    expect(encodeBase64(new Uint8Array())).toBe("");
  });
});

describe("generator options", () => {
  it("lets local labels win and ORs the booleans", () => {
    expect(
      mergeGlobalOptionsIntoLocal(
        { labels: { a: "local" }, disableNameSuffixHash: false },
        { labels: { a: "g", b: "g" }, annotations: { x: "1" }, disableNameSuffixHash: true, immutable: true },
      ),
    ).toEqual({
      labels: { a: "local", b: "g" },
      annotations: { x: "1" },
      disableNameSuffixHash: true,
      immutable: true,
    });
    expect(mergeGlobalOptionsIntoLocal(undefined, undefined)).toBeUndefined();
  });
});

describe("generateConfigMap / generateSecret", () => {
  it("lays out a ConfigMap: no data field when empty, binaryData for non-UTF-8, sorted keys", () => {
    const c = ctx();
    const r = generateConfigMap(
      { name: "c", files: ["b.bin", "t.txt"], literals: ["z=1"] },
      undefined,
      files({ "b.bin": new Uint8Array([0xff, 0x68]), "t.txt": "\ufeffhi\n" }),
      c,
    )!;
    expect(JSON.parse(JSON.stringify(r.obj))).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { "t.txt": "\ufeffhi\n", z: "1" },
      binaryData: { "b.bin": "/2g=" },
    });
    expect(r.needsHashSuffix).toBe(true);
    expect(generateConfigMap({ name: "e" }, undefined, files({}), c)!.obj.data).toBeUndefined();
  });

  it("lays out a Secret: type Opaque by default, data always present", () => {
    const r = generateSecret({ name: "s" }, { disableNameSuffixHash: true }, files({}), ctx())!;
    expect(JSON.parse(JSON.stringify(r.obj))).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      type: "Opaque",
      data: {},
    });
    expect(r.needsHashSuffix).toBeUndefined();
  });

  it.each([
    [
      { literals: ["a=1"], name: "c" },
      { name: "c", literals: ["a=1", "a=2"] },
      "configmap c illegally repeats the key `a`",
    ],
    [{}, {}, "a configmap must have a name"],
    [
      {},
      { name: "c", literals: [5] },
      "invalid Kustomization: json: cannot unmarshal number into Go struct field ConfigMapArgs.configMapGenerator.literals of type string",
    ],
    [{}, { name: "c", bogus: 1 }, 'invalid Kustomization: json: unknown field "bogus"'],
    [
      {},
      { name: "c", options: { labels: { a: 1 } } },
      "invalid Kustomization: json: cannot unmarshal number into Go struct field GeneratorOptions.configMapGenerator.options.labels of type string",
    ],
    [
      {},
      { name: "c", options: { disableNameSuffixHash: "true" } },
      "invalid Kustomization: json: cannot unmarshal string into Go struct field GeneratorOptions.configMapGenerator.options.disableNameSuffixHash of type bool",
    ],
    [
      {},
      { name: "c", literals: "a=1" },
      "invalid Kustomization: json: cannot unmarshal string into Go struct field ConfigMapArgs.configMapGenerator.literals of type []string",
    ],
    [{}, { name: "c", literals: ["a=1", null] }, "invalid literal source , expected key=value"],
    [{}, { name: "c", files: ["missing"] }, "file sources: cannot read 'missing'"],
  ])("reports kustomize's error (%#)", (_x, args, message) => {
    const c = ctx();
    expect(generateConfigMap(args as ConfigMapArgs, undefined, files({}), c)).toBeUndefined();
    expect(c.diags.items.map((d) => d.message)).toEqual([message]);
  });

  it("matches field names case-insensitively like encoding/json", () => {
    const r = generateConfigMap(
      { Name: "c", LITERALS: ["a=1"] } as unknown as ConfigMapArgs,
      undefined,
      files({}),
      ctx(),
    );
    expect(r?.obj.data).toEqual({ a: "1" });
  });

  it("warns about keys the API server rejects but generates them like kustomize", () => {
    const c = ctx();
    const r = generateConfigMap({ name: "c", literals: ["sp ace=1"] }, undefined, files({}), c);
    expect(r?.obj.data).toEqual({ "sp ace": "1" });
    expect(c.diags.items.map((d) => [d.severity, d.code])).toEqual([["warning", "GEN011"]]);
  });
});

describe("absorbGenerated / addHashesToNames", () => {
  const plain = (name: string, data: object, extra: Partial<Resource> = {}): Resource => ({
    obj: { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data } as unknown as ValueMap,
    origin: { file: "base.yaml", line: 1, column: 1 },
    prevIds: [],
    ...extra,
  });

  it("merges through a previous name, keeps the existing name and history, hash only if both want it", () => {
    const c = ctx();
    const existing = plain("p-cm", { a: "1" }, { needsHashSuffix: true, loadedFrom: "base" });
    existing.prevIds.push({ group: "", version: "v1", kind: "ConfigMap", name: "cm", namespace: "" });
    const list = [existing];
    const incoming = generateConfigMap(
      { name: "cm", behavior: "merge", literals: ["b=2"] },
      undefined,
      files({}),
      c,
    )!;
    expect(absorbGenerated(list, incoming, c)).toBe(true);
    expect(list).toHaveLength(1);
    const m = list[0]!;
    expect(JSON.parse(JSON.stringify(m.obj))).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "p-cm" },
      data: { a: "1", b: "2" },
    });
    expect(m.prevIds.map((i) => i.name)).toEqual(["cm"]);
    expect(m.loadedFrom).toBe("base");
    expect(m.needsHashSuffix).toBe(true);
    addHashesToNames(list, c);
    expect((m.obj.metadata as ValueMap).name).toMatch(/^p-cm-[a-z0-9]{10}$/);
    expect(m.prevIds.map((i) => i.name)).toEqual(["cm", "p-cm"]);
  });

  it("drops the hash when the existing object had none", () => {
    const c = ctx();
    const list = [plain("cm", { a: "1" })];
    const incoming = generateConfigMap(
      { name: "cm", behavior: "replace", literals: ["b=2"] },
      undefined,
      files({}),
      c,
    )!;
    absorbGenerated(list, incoming, c);
    expect(list[0]!.needsHashSuffix).toBeUndefined();
    expect(list[0]!.obj.data).toEqual({ b: "2" });
  });

  it("rejects create on an existing id and merge without one", () => {
    const c = ctx();
    const list = [plain("cm", {})];
    absorbGenerated(list, generateConfigMap({ name: "cm" }, undefined, files({}), c)!, c);
    absorbGenerated(list, generateConfigMap({ name: "x", behavior: "merge" }, undefined, files({}), c)!, c);
    expect(c.diags.items.map((d) => d.code)).toEqual(["GEN009", "GEN008"]);
  });
});
