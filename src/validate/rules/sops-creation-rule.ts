import { isMap } from "../../core/yaml/value.ts";
import type { Rule } from "../context.ts";
import { CRYPT_KEYS, matchingRule, sopsConfigFor } from "../sops-config.ts";

export const rule: Rule = {
  code: "CHK503",
  name: "sops-creation-rule",
  severity: "warning",
  summary:
    "a SOPS-encrypted file that no creation rule of `.sops.yaml` matches, or encrypted for other age recipients or another encrypted_regex than its rule says",
  run(ctx, report) {
    for (const file of ctx.yamlFiles()) {
      if (file.split("/").pop()?.startsWith(".")) continue;
      const text = ctx.fs.tryReadRel(file);
      if (!text?.includes("sops:") || !text.includes("ENC[")) continue;
      const config = sopsConfigFor(ctx, file);
      if (!config) continue;
      for (const d of ctx.load(file)?.docs ?? []) {
        if (!isMap(d.value) || !isMap(d.value.sops)) continue;
        const sops = d.value.sops;
        const at = ctx.keyPositionIn({ file, line: d.line, column: d.column }, ["sops"]);
        const rule = matchingRule(config, file);
        if (!rule) {
          report({
            message: `no creation rule of ${config.file} matches ${file}`,
            at,
            hint: "Add a path_regex that matches it, or sops will refuse to re-encrypt it (sops updatekeys, edits).",
          });
          break;
        }
        const recipients = (Array.isArray(sops.age) ? sops.age : [])
          .map((a) => (isMap(a) && typeof a.recipient === "string" ? a.recipient.trim() : ""))
          .filter((r) => r !== "")
          .sort();
        const problems: string[] = [];
        if (rule.age.length > 0 && recipients.join(",") !== rule.age.join(",")) {
          problems.push(
            `age recipients ${recipients.join(", ") || "(none)"} instead of ${rule.age.join(", ")}`,
          );
        }
        const fileCrypt = CRYPT_KEYS.find((k) => typeof sops[k] === "string" && sops[k] !== "");
        if (rule.crypt && (fileCrypt !== rule.crypt[0] || sops[fileCrypt] !== rule.crypt[1])) {
          problems.push(
            `${fileCrypt ? `${fileCrypt} '${String(sops[fileCrypt])}'` : "no encryption selector"} instead of ${rule.crypt[0]} '${rule.crypt[1]}'`,
          );
        }
        if (problems.length === 0) continue;
        report({
          message: `${file} does not match creation rule ${rule.index + 1} of ${config.file}: ${problems.join("; ")}`,
          at,
          hint: `Re-encrypt it under the current rules: sops updatekeys ${file} (or sops --decrypt then --encrypt).`,
        });
        break;
      }
    }
  },
};
