import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../core/diagnostics.ts";
import type { ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { makeResource, type Resource, renameResource } from "../resource.ts";
import {
  defaultTransformerConfig,
  makeTransformerConfig,
  parseTransformerConfig,
} from "../transformer-config.ts";
import { fixNameReferences } from "./name-reference.ts";

const at = { file: "k.yaml", line: 1, column: 1 };
const ctx = (): TransformContext => ({ diags: new Diagnostics(), at });
const res = (o: object): Resource => makeResource(JSON.parse(JSON.stringify(o)) as ValueMap, at);

const cm = (name: string, ns?: string) =>
  res({ apiVersion: "v1", kind: "ConfigMap", metadata: ns ? { name, namespace: ns } : { name } });

describe("fixNameReferences", () => {
  it("follows renames of targets only, leaving names of unknown objects alone", () => {
    const target = cm("values");
    renameResource(target, { name: "values-abc" });
    const hr = res({
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "app" },
      spec: {
        valuesFrom: [
          { kind: "ConfigMap", name: "values" },
          { kind: "ConfigMap", name: "elsewhere" },
        ],
      },
    });
    const user = parseTransformerConfig({
      nameReference: [
        {
          kind: "ConfigMap",
          version: "v1",
          fieldSpecs: [{ path: "spec/valuesFrom/name", kind: "HelmRelease" }],
        },
      ],
    }).config;
    const c = ctx();
    fixNameReferences([target, hr], makeTransformerConfig([user]), c);
    expect(c.diags.items).toEqual([]);
    expect((hr.obj.spec as ValueMap).valuesFrom).toEqual([
      { kind: "ConfigMap", name: "values-abc" },
      { kind: "ConfigMap", name: "elsewhere" },
    ]);
  });

  it("does nothing for a target that was never renamed (no previous ids)", () => {
    const target = cm("values");
    const pod = res({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { volumes: [{ name: "v", configMap: { name: "values" } }] },
    });
    fixNameReferences([target, pod], defaultTransformerConfig(), ctx());
    expect(pod.obj.spec).toEqual({ volumes: [{ name: "v", configMap: { name: "values" } }] });
  });

  it("matches roleRef by the roleRef's apiGroup and kind", () => {
    const role = res({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r" } });
    const crole = res({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "r" },
    });
    renameResource(role, { name: "role-r" });
    renameResource(crole, { name: "clusterrole-r" });
    const rb = res({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "b" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "r" },
    });
    const c = ctx();
    fixNameReferences([role, crole, rb], defaultTransformerConfig(), c);
    expect(c.diags.items).toEqual([]);
    expect((rb.obj.roleRef as ValueMap).name).toBe("clusterrole-r");
  });

  it("only sees targets in the referrer's namespace (or cluster-scoped ones)", () => {
    const a = cm("cfg", "a");
    const b = cm("cfg", "b");
    renameResource(a, { name: "cfg-a" });
    renameResource(b, { name: "cfg-b" });
    const pod = res({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "b" },
      spec: { volumes: [{ name: "v", configMap: { name: "cfg" } }] },
    });
    fixNameReferences([a, b, pod], defaultTransformerConfig(), ctx());
    expect(pod.obj.spec).toEqual({ volumes: [{ name: "v", configMap: { name: "cfg-b" } }] });
  });

  it("reports ambiguity, keeping the field", () => {
    const a = cm("cfg", "a");
    const b = cm("cfg", "b");
    renameResource(a, { name: "cfg-a" });
    renameResource(b, { name: "cfg-b" });
    const role = res({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "r" },
      rules: [{ resourceNames: ["cfg"] }],
    });
    const c = ctx();
    fixNameReferences([a, b, role], defaultTransformerConfig(), c);
    expect(c.diags.items.map((d) => d.message)).toEqual([
      "updating name reference in 'rules/resourceNames' field of 'ClusterRole.v1.rbac.authorization.k8s.io/r.[noNs]': found multiple possible referrals: ConfigMap.v1.[noGrp]/cfg-a.a, ConfigMap.v1.[noGrp]/cfg-b.b",
    ]);
    expect(role.obj.rules).toEqual([{ resourceNames: ["cfg"] }]);
  });

  it("reports a map field without a name", () => {
    const svc = res({ apiVersion: "v1", kind: "Service", metadata: { name: "s" } });
    renameResource(svc, { name: "s2" });
    const vwc = res({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "v" },
      webhooks: [{ clientConfig: { service: { namespace: "x" } } }],
    });
    const c = ctx();
    fixNameReferences([svc, vwc], defaultTransformerConfig(), c);
    expect(c.diags.items[0]?.message).toContain("path config error; no 'name' field in node");
  });
});
