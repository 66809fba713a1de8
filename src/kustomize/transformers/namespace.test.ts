import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../core/diagnostics.ts";
import type { ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { makeResource, type Resource } from "../resource.ts";
import { defaultTransformerConfig } from "../transformer-config.ts";
import { namespaceTransformer } from "./namespace.ts";

const at = { file: "k.yaml", line: 1, column: 1 };
const ctx = (): TransformContext => ({ diags: new Diagnostics(), at });
const res = (o: object): Resource => makeResource(JSON.parse(JSON.stringify(o)) as ValueMap, at);
const specs = defaultTransformerConfig().namespace;

describe("namespaceTransformer", () => {
  it("stores a previous id for every object, even unchanged cluster-scoped ones", () => {
    const cr = res({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "r" },
    });
    const cm = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    namespaceTransformer([cr, cm], { namespace: "apps", fieldSpecs: specs }, ctx());
    expect(cr.prevIds).toEqual([
      {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRole",
        name: "r",
        namespace: "_non_namespaceable_",
      },
    ]);
    expect(cm.prevIds[0]?.namespace).toBe("default");
    expect(cm.obj.metadata).toEqual({ name: "c", namespace: "apps" });
    expect(cr.obj.metadata).toEqual({ name: "r" });
  });

  it("unsetOnly keeps existing namespaces", () => {
    const a = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "keep" } });
    const b = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "" } });
    namespaceTransformer([a, b], { namespace: "apps", fieldSpecs: specs, unsetOnly: true }, ctx());
    expect((a.obj.metadata as ValueMap).namespace).toBe("keep");
    expect((b.obj.metadata as ValueMap).namespace).toBe("apps");
  });

  it("subject modes: default names only, every ServiceAccount, or none", () => {
    const rb = () =>
      res({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "rb" },
        subjects: [
          { kind: "ServiceAccount", name: "default", namespace: "x" },
          { kind: "ServiceAccount", name: "other", namespace: "x" },
          { kind: "Group", name: "default" },
        ],
      });
    const ns = (r: Resource) => (r.obj.subjects as ValueMap[]).map((s) => s.namespace ?? null);
    const a = rb();
    namespaceTransformer([a], { namespace: "n", fieldSpecs: specs }, ctx());
    expect(ns(a)).toEqual(["n", "x", "n"]);
    const b = rb();
    namespaceTransformer(
      [b],
      { namespace: "n", fieldSpecs: specs, setRoleBindingSubjects: "allServiceAccounts" },
      ctx(),
    );
    expect(ns(b)).toEqual(["n", "n", null]);
    const c = rb();
    namespaceTransformer([c], { namespace: "n", fieldSpecs: specs, setRoleBindingSubjects: "none" }, ctx());
    expect(ns(c)).toEqual(["x", "x", null]);
  });

  it("reports a map where a namespace should go", () => {
    const c = ctx();
    const r = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: { x: 1 } } });
    namespaceTransformer([r], { namespace: "apps", fieldSpecs: specs }, c);
    expect(c.diags.items[0]?.code).toBe("KUS311");
  });

  it("reports ID conflicts", () => {
    const c = ctx();
    const a = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "one" } });
    const b = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } });
    namespaceTransformer([a, b], { namespace: "apps", fieldSpecs: specs }, c);
    expect(c.diags.items.map((d) => d.code)).toEqual(["KUS312"]);
    expect(c.diags.items[0]?.message).toContain("namespace transformation produces ID conflict");
  });
});
