import { isMap } from "../../core/yaml/value.ts";
import type { Rule } from "../context.ts";

/**
 * A literal value. One built from substitution variables (`${SECRET}`, `s3://${HOST}/bucket`) takes its secret
 * parts from the Kustomization's (encrypted) variables, so the file itself holds none.
 */
function holdsSecret(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  const s = String(v).trim();
  return s !== "" && !s.includes("${");
}

export const rule: Rule = {
  code: "CHK501",
  name: "plaintext-secret",
  severity: "error",
  summary:
    "a v1 Secret committed with its data in plain text (not SOPS-encrypted; SealedSecrets and ExternalSecrets are fine)",
  run(ctx, report) {
    const seen = new Set<string>();
    for (const o of ctx.ofKind("Secret", "")) {
      const doc = ctx.sourceDoc(o.at);
      const src = doc?.value;
      // Generated Secrets (secretGenerator) have no document of their own.
      if (!doc || !isMap(src) || src.kind !== "Secret" || isMap(src.sops)) continue;
      const key = `${o.at.file}:${o.at.line}`;
      if (seen.has(key)) continue;
      for (const field of ["stringData", "data"]) {
        const m = src[field];
        if (!isMap(m)) continue;
        const k = Object.keys(m).find((x) => holdsSecret(m[x]));
        if (k === undefined) continue;
        seen.add(key);
        report({
          message: `Secret ${o.namespace ? `${o.namespace}/` : ""}${o.name} is committed unencrypted (${field}.${k} holds a value)`,
          at: ctx.keyPositionIn(o.at, [field, k]),
          hint: "Encrypt the file with sops (and rename it *.sops.yaml), or use a SealedSecret or an ExternalSecret; rotate the exposed value.",
        });
        break;
      }
    }
  },
};
