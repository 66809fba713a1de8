import { ksKey, str } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { entries, findProvider, fluxKustomizations } from "../lookup.ts";

export const rule: Rule = {
  code: "CHK107",
  name: "substitute-from-missing",
  severity: "error",
  summary:
    "a Kustomization's `postBuild.substituteFrom` names a ConfigMap or Secret that nothing creates and is not optional",
  run(ctx, report) {
    for (const ks of fluxKustomizations(ctx)) {
      for (const [i, ref] of entries(ks.spec, ["postBuild", "substituteFrom"])) {
        const kind = str(ref.kind);
        const name = str(ref.name);
        // The render's own note on this reference is superseded by this rule's verdict.
        const prefix = `substituteFrom ${kind} ${ks.namespace}/${name} of Kustomization ${ksKey(ks)}`;
        for (const d of ctx.render.diagnostics)
          if (d.code === "FLX030" && d.message.startsWith(prefix)) ctx.consumed.add(d);
        if (ref.optional === true || (kind !== "ConfigMap" && kind !== "Secret")) continue;
        if (findProvider(ctx, ks.cluster, kind, ks.namespace, name)) continue;
        report({
          message: `Kustomization ${ksKey(ks)} substitutes variables from ${kind} ${ks.namespace}/${name}, which nothing in the repository creates`,
          at: ctx.positionIn(ks.at, ["spec", "postBuild", "substituteFrom", i, "name"]),
          hint: "substituteFrom is read in the Kustomization's own namespace; add the object, fix the name, or mark it optional: true.",
        });
      }
    }
  },
};
