import { describe, expect, it } from "vitest";
import type { ValueMap } from "../core/yaml/value.ts";
import { FieldSpecError, splitFieldPath, visitField } from "./fieldspec.ts";
import { isClusterScoped, parseApiVersion } from "./resid.ts";

describe("splitFieldPath (kyaml PathSplitter)", () => {
  it("splits on slashes, honours escapes and drops one leading slash", () => {
    expect(splitFieldPath("spec/template/metadata")).toEqual(["spec", "template", "metadata"]);
    expect(splitFieldPath("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret")).toEqual([
      "metadata",
      "annotations",
      "nginx.ingress.kubernetes.io/auth-secret",
    ]);
    expect(splitFieldPath("/a/b")).toEqual(["a", "b"]);
    expect(splitFieldPath("a//b")).toEqual(["a", "", "b"]);
  });
});

describe("visitField", () => {
  const obj = (): ValueMap => JSON.parse('{"spec":{"list":[{"a":1},{"b":2},null],"n":null,"s":"x"}}');

  it("fans out over sequences and creates only with create", () => {
    const o = obj();
    visitField(o, { path: "spec/list/c", create: true }, "scalar", (h, k) => {
      h[k] = "new";
    });
    expect(o.spec).toEqual({ list: [{ a: 1, c: "new" }, { b: 2, c: "new" }, null], n: null, s: "x" });
    const seen: string[] = [];
    visitField(obj(), { path: "spec/list/c" }, "scalar", (_h, k) => seen.push(k));
    expect(seen).toEqual([]);
  });

  it("turns null into the kind it would create", () => {
    const o = obj();
    visitField(o, { path: "spec/n/x", create: true }, "map", () => {});
    expect((o.spec as ValueMap).n).toEqual({ x: {} });
    const p = obj();
    let got: unknown = "unset";
    visitField(p, { path: "spec/n" }, "map", (h, k) => {
      got = h[k];
    });
    expect(got).toBeNull();
  });

  it("fails like kustomize on scalars in the way and empty segments", () => {
    expect(() => visitField(obj(), { path: "spec/s/x" }, undefined, () => {})).toThrow(FieldSpecError);
    expect(() => visitField(obj(), { path: "spec//x" }, undefined, () => {})).toThrow(
      "cannot set or create an empty field name",
    );
  });

  it("walks `name[]` only into existing sequences", () => {
    const o: ValueMap = JSON.parse('{"spec":{}}');
    visitField(o, { path: "spec/containers[]/image", create: true }, "scalar", (h, k) => {
      h[k] = "x";
    });
    expect(o).toEqual({ spec: {} });
  });
});

describe("cluster scope (kyaml precomputed table)", () => {
  it("is keyed by exact apiVersion and kind", () => {
    const gvk = (av: string, kind: string) => ({ ...parseApiVersion(av), kind });
    expect(isClusterScoped(gvk("v1", "Namespace"))).toBe(true);
    expect(isClusterScoped(gvk("rbac.authorization.k8s.io/v1", "ClusterRole"))).toBe(true);
    expect(isClusterScoped(gvk("storage.k8s.io/v1alpha1", "VolumeAttachment"))).toBe(false);
    expect(isClusterScoped(gvk("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"))).toBe(false);
    expect(isClusterScoped(gvk("cert-manager.io/v1", "ClusterIssuer"))).toBe(false);
    expect(isClusterScoped(gvk("v1", "ConfigMap"))).toBe(false);
  });
});
