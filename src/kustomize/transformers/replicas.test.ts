import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../core/diagnostics.ts";
import { newMap, type ValueMap } from "../../core/yaml/value.ts";
import { goldenSuite } from "../generators/golden-suite.ts";
import type { Resource } from "../resource.ts";
import { applyReplicas, DEFAULT_REPLICAS_FIELD_SPECS } from "./replicas.ts";

goldenSuite("replicas", join(import.meta.dirname, "replicas-testdata"), 3);

function res(obj: ValueMap): Resource {
  return { obj, origin: { file: "r.yaml", line: 1, column: 1 }, prevIds: [] };
}

describe("applyReplicas", () => {
  const ctx = () => ({ diags: new Diagnostics(), at: { file: "kustomization.yaml", line: 3, column: 1 } });

  it("reports kustomize's no-match error with the fieldSpecs' GVKs", () => {
    const c = ctx();
    applyReplicas([], [{ name: "x", count: 1 }], DEFAULT_REPLICAS_FIELD_SPECS, c);
    expect(c.diags.items.map((d) => d.message)).toEqual([
      "resource with name x does not match a config with the following GVK [Deployment.[noVer].[noGrp] StatefulSet.[noVer].[noGrp] ReplicaSet.[noVer].[noGrp] ReplicationController.[noVer].[noGrp]]",
    ]);
  });

  it("keeps a count beyond 2^53 exact", () => {
    const c = ctx();
    const obj = newMap();
    Object.assign(obj, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } });
    applyReplicas([res(obj)], [{ name: "d", count: 2n ** 60n }], DEFAULT_REPLICAS_FIELD_SPECS, c);
    expect((obj.spec as ValueMap).replicas).toBe(2n ** 60n);
  });

  it("errors when a path runs into a scalar", () => {
    const c = ctx();
    const obj = newMap();
    Object.assign(obj, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: "oops" });
    applyReplicas([res(obj)], [{ name: "d", count: 1 }], DEFAULT_REPLICAS_FIELD_SPECS, c);
    expect(c.diags.items.map((d) => d.code)).toEqual(["REP002"]);
  });
});
