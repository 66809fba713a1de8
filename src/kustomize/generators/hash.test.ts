import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import { encodeHex, hashInput, kustomizeHash } from "./hash.ts";
import { parseKubectlOutput } from "./mini-build.ts";

function obj(o: object): ValueMap {
  return o as ValueMap;
}

describe("kustomizeHash", () => {
  it("encodes like hasher.go: sorted keys, HTML escapes, and no name (Lookup of 'metadata/name' misses)", () => {
    expect(hashInput(obj({ kind: "ConfigMap", metadata: { name: "x" }, data: { b: "<&>", a: "1" } }))).toBe(
      '{"data":{"a":"1","b":"\\u003c\\u0026\\u003e"},"kind":"ConfigMap","name":""}',
    );
    expect(hashInput(obj({ kind: "ConfigMap", metadata: { name: "x" } }))).toBe(
      '{"data":"","kind":"ConfigMap","name":""}',
    );
    expect(hashInput(obj({ kind: "Secret", type: "Opaque", data: {} }))).toBe(
      '{"data":{},"kind":"Secret","name":"","type":"Opaque"}',
    );
    expect(hashInput(obj({ kind: "Deployment" }))).toBeUndefined();
  });

  it("substitutes look-alike characters in the first 10 hex digits", () => {
    expect(encodeHex("0123456789abcdef")).toBe("gh2k456789");
    expect(encodeHex("abcdeeeeee00")).toBe("mbcdtttttt");
  });

  // Objects shaped by patches after generation, hashed by kubectl (kustomize v5.5.0) at the end of the build.
  it.each([
    ["emptybin-56bgcdbgf6", { kind: "ConfigMap", binaryData: {}, data: { a: "1" } }],
    ["listdata-dk855m5d49", { kind: "ConfigMap", data: ["x", 1] }],
    ["nodata-6ct58987ht", { kind: "ConfigMap" }],
    ["num-mt5fc26h74", { kind: "ConfigMap", data: { a: "1", big: 12345678901234567890n, f: 1.5, t: true } }],
    ["notype-6g8882bmfm", { kind: "Secret", data: { a: "MQ==" } }],
    [
      "sd-h2ttkkhkg2",
      { kind: "Secret", type: "Opaque", data: { a: "MQ==" }, stringData: { n: 2, s: "<x>" } },
    ],
  ])("%s", (name, o) => {
    const full = obj({ apiVersion: "v1", metadata: { name: name.replace(/-[^-]+$/, "") }, ...o });
    expect(`${name.replace(/-[^-]+$/, "")}-${kustomizeHash(full)}`).toBe(name);
  });

  // Every generated object kubectl emitted for the hash corpus must hash back to its own suffix.
  const corpus = [
    "testdata/hash/expected.yaml",
    "testdata/basic/expected.yaml",
    "testdata/merge/overlay-merge/expected.yaml",
  ];
  for (const file of corpus) {
    const objects = parseKubectlOutput(readFileSync(join(import.meta.dirname, file), "utf8"));
    for (const [key, o] of Object.entries(objects)) {
      const m = /^(.*)-([a-z0-9]{10})$/.exec(key);
      if (!m || !isMap(o as Value)) continue;
      it(`${file}: ${key}`, () => {
        expect(kustomizeHash(o as ValueMap)).toBe(m[2]);
      });
    }
  }
});
