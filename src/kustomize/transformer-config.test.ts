import { describe, expect, it } from "vitest";
import { Diagnostics } from "../core/diagnostics.ts";
import type { TransformContext } from "./context.ts";
import {
  defaultTransformerConfig,
  emptyTransformerConfig,
  loadTransformerConfig,
  makeTransformerConfig,
  mergeFieldSpecs,
  mergeTransformerConfig,
} from "./transformer-config.ts";

const ctx = (): TransformContext => ({
  diags: new Diagnostics(),
  at: { file: "k.yaml", line: 1, column: 1 },
});

describe("defaultTransformerConfig", () => {
  it("has kustomize v5.5's built-in field spec counts", () => {
    const c = defaultTransformerConfig();
    expect(c.namePrefix).toEqual([{ path: "metadata/name" }]);
    expect(c.nameSuffix).toEqual([{ path: "metadata/name" }]);
    expect(c.commonLabels).toHaveLength(32);
    expect(c.templateLabels).toHaveLength(10);
    expect(c.commonAnnotations).toHaveLength(9);
    expect(c.namespace).toHaveLength(3);
    expect(c.varReference).toHaveLength(72);
    expect(c.images).toHaveLength(4);
    expect(c.replicas).toHaveLength(4);
    expect(c.labels).toEqual([]);
    const nbr = Object.fromEntries(c.nameReference.map((n) => [n.kind, n.fieldSpecs.length]));
    expect(nbr).toEqual({
      Deployment: 1,
      ReplicationController: 1,
      ReplicaSet: 1,
      StatefulSet: 1,
      ConfigMap: 52,
      Secret: 70,
      Service: 8,
      Role: 1,
      ClusterRole: 2,
      ServiceAccount: 9,
      PersistentVolumeClaim: 7,
      PersistentVolume: 2,
      StorageClass: 3,
      PriorityClass: 7,
      IngressClass: 1,
      ValidatingAdmissionPolicy: 1,
    });
  });

  it("sorts like Gvk.IsLessThan: kustomize's kind order first, then group_version_kind", () => {
    const kinds = defaultTransformerConfig().nameReference.map((n) => n.kind);
    expect(kinds).toEqual([
      "StorageClass",
      "ServiceAccount",
      "Role",
      "ClusterRole",
      "ConfigMap",
      "Secret",
      "Service",
      "PriorityClass",
      "PersistentVolume",
      "PersistentVolumeClaim",
      "Deployment",
      "StatefulSet",
      "ValidatingAdmissionPolicy",
      "IngressClass",
      "ReplicaSet",
      "ReplicationController",
    ]);
  });

  it("keeps the escaped slash of annotation paths and kustomize's IngressClass group typo", () => {
    const c = defaultTransformerConfig();
    const secret = c.nameReference.find((n) => n.kind === "Secret")!;
    expect(secret.fieldSpecs.map((f) => f.path)).toContain(
      "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
    );
    expect(c.nameReference.find((n) => n.kind === "IngressClass")!.group).toBe("networking.k8s.io/v1");
  });

  it("returns independent copies", () => {
    const a = defaultTransformerConfig();
    a.namePrefix.push({ path: "x" });
    expect(defaultTransformerConfig().namePrefix).toHaveLength(1);
  });
});

describe("loadTransformerConfig", () => {
  it("reads nameReference entries", () => {
    const c = ctx();
    const cfg = loadTransformerConfig(
      {
        nameReference: [
          {
            kind: "ConfigMap",
            version: "v1",
            fieldSpecs: [{ path: "spec/valuesFrom/name", kind: "HelmRelease" }],
          },
        ],
        commonLabels: [{ path: "spec/x", kind: "Foo", create: true }],
      },
      c,
    );
    expect(c.diags.items).toEqual([]);
    expect(cfg.nameReference).toEqual([
      {
        kind: "ConfigMap",
        version: "v1",
        fieldSpecs: [{ path: "spec/valuesFrom/name", kind: "HelmRelease" }],
      },
    ]);
    expect(cfg.commonLabels).toEqual([{ path: "spec/x", kind: "Foo", create: true }]);
  });

  it("reports unknown fields and wrong types like UnmarshalStrict", () => {
    const c = ctx();
    loadTransformerConfig({ nameRefs: [], commonLabels: [{ path: "a", create: "yes" }] }, c, "cfg.yaml");
    expect(c.diags.items.map((d) => d.message)).toEqual([
      'invalid transformer configuration in configuration file cfg.yaml: unknown field "nameRefs"',
      "invalid transformer configuration in configuration file cfg.yaml: commonLabels[0].create must be true or false",
    ]);
  });

  it("takes an empty document as an empty config", () => {
    const c = ctx();
    expect(loadTransformerConfig(null, c)).toEqual(emptyTransformerConfig());
    expect(c.diags.items).toEqual([]);
  });
});

describe("merging", () => {
  it("drops a spec when one already there is selected by its GVK and path", () => {
    expect(mergeFieldSpecs([{ path: "p", kind: "Deployment" }], [{ path: "p" }])).toEqual([
      { path: "p", kind: "Deployment" },
    ]);
    // The other way round the incoming, more specific spec is new.
    expect(mergeFieldSpecs([{ path: "p" }], [{ path: "p", kind: "Deployment" }])).toHaveLength(2);
  });

  it("reports conflicting create flags", () => {
    const c = ctx();
    const a = emptyTransformerConfig();
    a.commonLabels = [{ path: "metadata/labels", create: true }];
    const b = emptyTransformerConfig();
    b.commonLabels = [{ path: "metadata/labels" }];
    mergeTransformerConfig(a, b, c);
    expect(c.diags.items[0]?.message).toBe("failed to merge CommonLabels fieldSpec: conflicting fieldspecs");
  });

  it("merges name references of the same GVK and adds new ones", () => {
    const user = emptyTransformerConfig();
    user.nameReference = [
      {
        kind: "ConfigMap",
        version: "v1",
        fieldSpecs: [{ path: "spec/valuesFrom/name", kind: "HelmRelease" }],
      },
      { kind: "Secret", fieldSpecs: [{ path: "spec/valuesFrom/name", kind: "HelmRelease" }] },
    ];
    const merged = makeTransformerConfig([user]);
    const cm = merged.nameReference.filter((n) => n.kind === "ConfigMap");
    expect(cm).toHaveLength(1);
    expect(cm[0]!.fieldSpecs.at(-1)).toEqual({ path: "spec/valuesFrom/name", kind: "HelmRelease" });
    // `Secret` without version is another GVK than the default `v1 Secret`.
    expect(merged.nameReference.filter((n) => n.kind === "Secret")).toHaveLength(2);
  });
});
