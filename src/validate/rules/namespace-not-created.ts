import { getPath, isMap } from "../../core/yaml/value.ts";
import { str } from "../../flux/objects.ts";
import type { CheckContext, Rule } from "../context.ts";
import { rootKustomizations } from "../lookup.ts";

/** Namespaces every cluster has. */
const BUILTIN = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

export const rule: Rule = {
  code: "CHK303",
  name: "namespace-not-created",
  severity: "error",
  summary:
    "objects are applied to a namespace that no Kustomization of the cluster creates, and no bootstrap file of the repository either",
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
    const bootstrap = bootstrapNamespaces(ctx);
    const reported = new Set<string>();
    for (const o of ctx.objects) {
      if (!o.namespace || BUILTIN.has(o.namespace)) continue;
      const key = `${o.ks.cluster}\0${o.namespace}`;
      if (created.has(key) || reported.has(key) || bootstrap.has(o.namespace)) continue;
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

/**
 * Namespaces the repository creates outside the cascade, at bootstrap: Namespace objects in files nothing renders,
 * and the namespaces of helmfile releases (helmfile creates them).
 */
function bootstrapNamespaces(ctx: CheckContext): Set<string> {
  const out = new Set<string>();
  const rendered = new Set(ctx.render.kustomizations.flatMap((k) => k.files));
  for (const file of ctx.yamlFiles()) {
    if (rendered.has(file)) continue;
    const text = ctx.fs.tryReadRel(file) ?? "";
    if (/^releases:/m.test(text)) {
      // helmfile templates are not always valid YAML: read the release namespaces line by line.
      for (const m of text.matchAll(/^\s+namespace:\s*["']?([a-z0-9][a-z0-9-]*)["']?\s*$/gm)) out.add(m[1]!);
    }
    if (!/^kind:\s*Namespace\s*$/m.test(text)) continue;
    for (const d of ctx.load(file)?.docs ?? []) {
      const v = d.value;
      if (isMap(v) && v.kind === "Namespace" && v.apiVersion === "v1")
        out.add(str(getPath(v, ["metadata", "name"])));
    }
  }
  return out;
}
