import { isMap } from "../../core/yaml/value.ts";
import type { Rule } from "../context.ts";

export const rule: Rule = {
  code: "CHK505",
  name: "sops-without-decryption",
  severity: "error",
  summary:
    "a SOPS-encrypted object applied by a Kustomization without `spec.decryption`: Flux refuses an encrypted Secret, and applies other kinds with ciphertext",
  run(ctx, report) {
    const seen = new Set<string>();
    for (const o of ctx.objects) {
      if (isMap(o.ks.spec.decryption) || !ctx.fs.tryReadRel(o.at.file)?.includes("sops:")) continue;
      const doc = ctx.sourceDoc(o.at);
      if (!doc || !isMap(doc.value) || doc.value.kind !== o.kind || !isMap(doc.value.sops)) continue;
      const key = `${o.ks.namespace}/${o.ks.name}\0${o.at.file}:${o.at.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      report({
        message: `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name} is SOPS-encrypted, but Kustomization ${o.ks.namespace}/${o.ks.name} has no spec.decryption`,
        at: ctx.keyPositionIn(o.at, ["sops"]),
        hint: "Add spec.decryption (provider: sops, secretRef: the Secret holding the age key) to the Kustomization, or to the parent's patch of its children.",
      });
    }
  },
};
