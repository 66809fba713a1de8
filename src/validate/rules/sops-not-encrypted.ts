import { isMap } from "../../core/yaml/value.ts";
import type { Rule } from "../context.ts";

export const rule: Rule = {
  code: "CHK502",
  name: "sops-not-encrypted",
  severity: "error",
  summary:
    "a `*.sops.yaml` file with a document that is not SOPS-encrypted, or whose SOPS metadata has no MAC",
  run(ctx, report) {
    for (const file of ctx.yamlFiles()) {
      if (!/\.sops\.ya?ml$/.test(file) || file.split("/").pop()?.startsWith(".")) continue;
      for (const d of ctx.load(file)?.docs ?? []) {
        if (!isMap(d.value)) continue;
        const sops = d.value.sops;
        const at = { file, line: d.line, column: d.column };
        if (!isMap(sops)) {
          report({
            message: `${file} is named as a SOPS file but this document is not encrypted`,
            at,
            hint: `Encrypt it: sops --encrypt --in-place ${file}`,
          });
        } else if (typeof sops.mac !== "string" || !sops.mac.startsWith("ENC[")) {
          report({
            message: `the SOPS metadata of ${file} has no MAC: the file was edited by hand or truncated`,
            at: ctx.keyPositionIn(at, ["sops"]),
            hint: "Re-encrypt it with sops so its integrity can be verified.",
          });
        }
      }
    }
  },
};
