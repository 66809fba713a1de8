import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../core/diagnostics.ts";
import type { ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { makeResource, type Resource, renameResource } from "../resource.ts";
import { prefixTransformer, suffixTransformer } from "./prefix-suffix.ts";

const at = { file: "k.yaml", line: 1, column: 1 };
const ctx = (): TransformContext => ({ diags: new Diagnostics(), at });
const res = (o: object): Resource => makeResource(JSON.parse(JSON.stringify(o)) as ValueMap, at);
const name = (r: Resource) => (r.obj.metadata as ValueMap).name;

describe("prefix/suffix", () => {
  it("renames, records the affixes and remembers the old id", () => {
    const r = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    prefixTransformer([r], "p-", [{ path: "metadata/name" }], ctx());
    suffixTransformer([r], "-s", [{ path: "metadata/name" }], ctx());
    expect(name(r)).toBe("p-c-s");
    expect(r.namePrefixes).toEqual(["p-"]);
    expect(r.nameSuffixes).toEqual(["-s"]);
    expect(r.prevIds.map((i) => i.name)).toEqual(["c", "p-c"]);
  });

  it("skips CRDs, APIServices and Namespaces by their original id", () => {
    const crd = res({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "a.b" },
    });
    const ns = res({ apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } });
    const api = res({
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1.x" },
    });
    // Once a Namespace, always skipped, even if a patch changed the kind.
    const was = res({ apiVersion: "v1", kind: "Namespace", metadata: { name: "w" } });
    renameResource(was, { kind: "ConfigMap" });
    prefixTransformer([crd, ns, api, was], "p-", [{ path: "metadata/name" }], ctx());
    expect([crd, ns, api, was].map(name)).toEqual(["a.b", "n", "v1.x", "w"]);
  });

  it("applies extra field specs of user configurations, creating where asked", () => {
    const r = res({ apiVersion: "x/v1", kind: "Thing", metadata: { name: "t" }, spec: {} });
    prefixTransformer(
      [r],
      "p-",
      [{ path: "metadata/name" }, { path: "spec/ref", kind: "Thing", create: true }],
      ctx(),
    );
    expect(r.obj.spec).toEqual({ ref: "p-" });
  });

  it("reports non-scalar targets", () => {
    const c = ctx();
    const r = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: { a: 1 } } });
    prefixTransformer([r], "p-", [{ path: "metadata/name" }], c);
    expect(c.diags.items[0]?.code).toBe("KUS321");
  });
});
