import { describe, expect, it } from "vitest";
import { Diagnostics } from "../core/diagnostics.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { resourcesFromDocs } from "./resources-from-docs.ts";

const read = (text: string) => {
  const diags = new Diagnostics();
  const loaded = loadYaml(text, "r.yaml");
  return { resources: resourcesFromDocs(loaded.docs, "r.yaml", diags), diags: diags.items };
};

describe("resourcesFromDocs", () => {
  it("rejects a null item in any list, saying where", () => {
    const r = read(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n    -\n",
    );
    expect(r.resources).toBeUndefined();
    expect(r.diags.map((d) => [d.code, d.message, d.line])).toEqual([
      ["KUS020", "empty item at spec.containers.1 in Pod object", 1],
    ]);
  });

  it("finds null items in List items and in aliased lists too", () => {
    const list = read(
      "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: p}, x: [~]}\n",
    );
    expect(list.diags.map((d) => d.message)).toEqual(["empty item at x.0 in Pod object"]);
    const alias = read("a: &l [1, null]\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nb: *l\n");
    expect(alias.diags.map((d) => d.message)).toEqual(["empty item at a.1 in Pod object"]);
  });

  it("accepts objects whose lists hold no null", () => {
    const r = read(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a}], x: {y: null}}\n",
    );
    expect(r.diags).toEqual([]);
    expect(r.resources).toHaveLength(1);
  });
});
