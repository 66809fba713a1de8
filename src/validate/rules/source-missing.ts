import { ksKey } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { rootKustomizations, sourceExists } from "../lookup.ts";

export const rule: Rule = {
  code: "CHK103",
  name: "source-missing",
  severity: "error",
  summary:
    "a Kustomization's `sourceRef` names a source (GitRepository, OCIRepository, …) that the cluster does not have",
  run(ctx, report) {
    const roots = rootKustomizations(ctx);
    for (const ks of ctx.render.kustomizations) {
      if (roots.has(ks)) continue;
      const r = ks.sourceRef;
      if (sourceExists(ctx, ks.cluster, r.kind, r.namespace, r.name)) continue;
      report({
        message: `Kustomization ${ksKey(ks)} reads ${r.kind || "(no kind)"} ${r.namespace}/${r.name}, which no Kustomization of cluster '${ks.cluster}' creates`,
        at: ctx.positionIn(ks.origin, ["spec", "sourceRef", "name"]),
        hint: "Fix sourceRef (its namespace defaults to the Kustomization's own), or add the source.",
      });
    }
  },
};
