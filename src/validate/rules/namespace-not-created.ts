import { getPath } from "../../core/yaml/value.ts";
import { str } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { rootKustomizations } from "../lookup.ts";

/** Namespaces every cluster has. */
const BUILTIN = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

export const rule: Rule = {
  code: "CHK303",
  name: "namespace-not-created",
  severity: "error",
  summary: "objects are applied to a namespace that no Kustomization of the cluster creates",
  run(ctx, report) {
    const created = new Set<string>();
    for (const n of ctx.ofKind("Namespace", "")) created.add(`${n.ks.cluster}\0${n.name}`);
    // Namespaces bootstrap makes (the roots' own), and those HelmReleases create on install.
    for (const r of rootKustomizations(ctx)) created.add(`${r.cluster}\0${r.namespace}`);
    for (const f of ctx.ofKind("FluxInstance"))
      created.add(`${f.ks.cluster}\0${f.namespace || "flux-system"}`);
    for (const hr of ctx.ofKind("HelmRelease", "helm.toolkit.fluxcd.io")) {
      if (getPath(hr.obj, ["spec", "install", "createNamespace"]) !== true) continue;
      const ns =
        str(getPath(hr.obj, ["spec", "targetNamespace"])) ||
        str(getPath(hr.obj, ["spec", "storageNamespace"])) ||
        hr.namespace;
      created.add(`${hr.ks.cluster}\0${ns}`);
    }
    const reported = new Set<string>();
    for (const o of ctx.objects) {
      if (!o.namespace || BUILTIN.has(o.namespace)) continue;
      const key = `${o.ks.cluster}\0${o.namespace}`;
      if (created.has(key) || reported.has(key)) continue;
      const apiVersion = typeof o.obj.apiVersion === "string" ? o.obj.apiVersion : "";
      if (ctx.clusterScoped(apiVersion, o.kind) === true) continue;
      reported.add(key);
      report({
        message: `namespace '${o.namespace}' is used (first by ${o.kind} ${o.name}) but no Kustomization of cluster '${o.ks.cluster}' creates it`,
        at: ctx.positionIn(o.at, ["metadata", "namespace"]),
        hint: "Add a Namespace object to the cascade (before the objects that use it, e.g. with dependsOn), or fix the namespace.",
      });
    }
  },
};
