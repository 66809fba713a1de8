import { isMap } from "../../core/yaml/value.ts";
import { ksKey, str } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { entries, findProvider, fluxKustomizations } from "../lookup.ts";

/** fluxcd/pkg kustomize_varsub.go varsub regexp. */
const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export const rule: Rule = {
  code: "CHK203",
  name: "invalid-variable-name",
  severity: "error",
  summary:
    "a substitution variable whose name Flux refuses (`^[_[:alpha:]][_[:alpha:][:digit:]]*$`): the whole Kustomization fails",
  run(ctx, report) {
    for (const ks of fluxKustomizations(ctx)) {
      const pb = ks.spec.postBuild;
      if (!isMap(pb)) continue;
      let bad = false;
      if (isMap(pb.substitute)) {
        for (const k of Object.keys(pb.substitute)) {
          if (VAR_NAME.test(k)) continue;
          bad = true;
          report({
            message: `variable name '${k}' of Kustomization ${ksKey(ks)} is invalid: Flux fails the whole Kustomization`,
            at: ctx.keyPositionIn(ks.at, ["spec", "postBuild", "substitute", k]),
            hint: "Use letters, digits and underscores only, not starting with a digit (e.g. MY_VAR).",
          });
        }
      }
      for (const [, ref] of entries(ks.spec, ["postBuild", "substituteFrom"])) {
        const kind = str(ref.kind);
        const p = findProvider(ctx, ks.cluster, kind, ks.namespace, str(ref.name));
        if (p?.via !== "object") continue;
        const src = p.o;
        for (const field of ["data", "stringData"]) {
          const m = src.obj[field];
          if (!isMap(m)) continue;
          for (const k of Object.keys(m)) {
            if (VAR_NAME.test(k)) continue;
            bad = true;
            report({
              message: `key '${k}' of ${kind} ${ks.namespace}/${str(ref.name)} is not a valid variable name, and Kustomization ${ksKey(ks)} substitutes from it: Flux fails the whole Kustomization`,
              at: ctx.keyPositionIn(src.at, [field, k]),
              hint: "Rename the key (letters, digits, underscores), or keep such keys in another object.",
            });
          }
        }
      }
      if (!bad) continue;
      for (const d of ctx.render.diagnostics)
        if (
          d.code === "FLX101" &&
          d.message.includes(`Kustomization ${ksKey(ks)}:`) &&
          d.message.includes("var name is invalid")
        )
          ctx.consumed.add(d);
    }
  },
};
