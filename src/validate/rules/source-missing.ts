import { getPath } from "../../core/yaml/value.ts";
import { ksKey, str } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { fluxKustomizations, rootKustomizations, sourceExists } from "../lookup.ts";

export const rule: Rule = {
  code: "CHK103",
  name: "source-missing",
  severity: "error",
  summary:
    "a Kustomization's `sourceRef` names a source (GitRepository, OCIRepository, …) that the cluster does not have",
  run(ctx, report) {
    const roots = rootKustomizations(ctx);
    for (const ks of fluxKustomizations(ctx)) {
      if (ks.rendered && roots.has(ks.rendered)) continue;
      const ref = getPath(ks.spec, ["sourceRef"]);
      const r = {
        kind: str(getPath(ref, ["kind"])),
        name: str(getPath(ref, ["name"])),
        namespace: str(getPath(ref, ["namespace"])) || ks.namespace,
      };
      if (sourceExists(ctx, ks.cluster, r.kind, r.namespace, r.name)) continue;
      // The render's note that it could not read this source is superseded: the source does not exist at all.
      for (const d of ctx.render.diagnostics)
        if (
          (d.code === "FLX020" || d.code === "FLX021") &&
          d.message.startsWith(`Kustomization ${ksKey(ks)} reads `)
        )
          ctx.consumed.add(d);
      report({
        message: `Kustomization ${ksKey(ks)} reads ${r.kind || "(no kind)"} ${r.namespace}/${r.name}, which no Kustomization of cluster '${ks.cluster}' creates`,
        at: ctx.positionIn(ks.at, ["spec", "sourceRef", "name"]),
        hint: "Fix sourceRef (its namespace defaults to the Kustomization's own), or add the source.",
      });
    }
  },
};
