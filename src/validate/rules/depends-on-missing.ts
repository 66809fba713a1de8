import { ksKey, str } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { entries, fluxKustomizations } from "../lookup.ts";

export const rule: Rule = {
  code: "CHK101",
  name: "depends-on-missing",
  severity: "error",
  summary:
    "a Kustomization or HelmRelease `dependsOn` names an object of its kind that the cluster does not have",
  run(ctx, report) {
    const all = fluxKustomizations(ctx);
    const kustomizations = new Set(all.map((k) => `${k.cluster}\0${ksKey(k)}`));
    for (const ks of all) {
      for (const [i, d] of entries(ks.spec, ["dependsOn"])) {
        const target = `${str(d.namespace) || ks.namespace}/${str(d.name)}`;
        if (kustomizations.has(`${ks.cluster}\0${target}`)) continue;
        report({
          message: `Kustomization ${ksKey(ks)} depends on Kustomization ${target}, which no Kustomization of cluster '${ks.cluster}' creates`,
          at: ctx.positionIn(ks.at, ["spec", "dependsOn", i, "name"]),
          hint: "Fix the name or namespace (it defaults to the Kustomization's own), or add the missing Kustomization.",
        });
      }
    }
    const releases = new Set(
      ctx
        .ofKind("HelmRelease", "helm.toolkit.fluxcd.io")
        .map((o) => `${o.ks.cluster}\0${o.namespace || "default"}/${o.name}`),
    );
    for (const hr of ctx.ofKind("HelmRelease", "helm.toolkit.fluxcd.io")) {
      for (const [i, d] of entries(hr.obj, ["spec", "dependsOn"])) {
        // helm-controller v2.x also accepts dependsOn on other kinds (kind field); only HelmReleases are checked.
        if (d.kind !== undefined && d.kind !== "HelmRelease") continue;
        const target = `${str(d.namespace) || hr.namespace || "default"}/${str(d.name)}`;
        if (releases.has(`${hr.ks.cluster}\0${target}`)) continue;
        report({
          message: `HelmRelease ${hr.namespace || "default"}/${hr.name} depends on HelmRelease ${target}, which no Kustomization of cluster '${hr.ks.cluster}' creates`,
          at: ctx.positionIn(hr.at, ["spec", "dependsOn", i, "name"]),
          hint: "Fix the name or namespace (it defaults to the HelmRelease's own), or add the missing HelmRelease.",
        });
      }
    }
  },
};
