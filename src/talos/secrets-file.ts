import * as fs from "node:fs";
import * as path from "node:path";
import { type Diagnostic, diagnostic } from "../core/diagnostics.ts";
import { encryptBytes, openBytes } from "../sops/file.ts";
import { findAgeIdentities } from "../sops/keys.ts";
import { settingsFor } from "../sops/ops.ts";
import { parseSecretsBundle, type SecretsBundle } from "./secrets.ts";

const recoverHint =
  "restore the bundle from git history or a backup, or rebuild it from a control-plane machine config " +
  "(`talosctl gen secrets --from-controlplane-config controlplane.yaml`); generating new secrets would lock you out " +
  "of the running cluster, so homeops never does that silently (new cluster: `homeops talos gensecret`)";

/**
 * Reads a secrets bundle, SOPS-decrypting it when it carries sops metadata. A missing, undecryptable or invalid
 * bundle is an error diagnostic (TAL010–TAL012) that says how to get it back.
 */
export async function readSecretsBundle(
  file: string,
  options: { ageKeyFile?: string; display?: string } = {},
): Promise<{ bundle?: SecretsBundle; diagnostics: Diagnostic[] }> {
  const shown = options.display ?? file;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    return {
      diagnostics: [
        diagnostic(
          "TAL010",
          "error",
          missing
            ? `secrets bundle ${shown} does not exist`
            : `cannot read ${shown}: ${(e as Error).message}`,
          { file: shown },
          recoverHint,
        ),
      ],
    };
  }
  let text = bytes.toString("utf8");
  if (/^sops:\s*$/m.test(text) && /\bENC\[AES256_GCM,/.test(text)) {
    const found = findAgeIdentities(options.ageKeyFile);
    const opened = await openBytes(bytes, "yaml", { identities: found.identities });
    if (!opened.ok) {
      return {
        diagnostics: [
          diagnostic(
            "TAL011",
            "error",
            `cannot decrypt ${shown}: ${opened.error}`,
            { file: shown },
            `make the age key available (--age-key-file, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY or ${found.searched.at(-1) ?? "the sops keys file"}); if the key is lost, ${recoverHint}`,
          ),
        ],
      };
    }
    text = opened.opened.plaintext.toString("utf8");
  }
  const parsed = parseSecretsBundle(text);
  if (!parsed.bundle) {
    return {
      diagnostics: parsed.problems.map((p) =>
        diagnostic(
          "TAL012",
          "error",
          `${shown}: ${p.path ? `${p.path} ` : ""}${p.message}`,
          { file: shown },
          "a Talos secrets bundle has cluster, secrets, trustdinfo and certs (as `homeops talos gensecret` writes it)",
        ),
      ),
    };
  }
  return { bundle: parsed.bundle, diagnostics: [] };
}

export interface PlannedSecretsFile {
  file: string;
  content: string;
  encrypted: boolean;
}

/**
 * The bytes to write for a new bundle: SOPS-encrypted for the age recipients of the `.sops.yaml` creation rule
 * that matches `file`, otherwise plaintext (with a TAL014 warning).
 */
export async function planSecretsFile(
  file: string,
  plaintext: string,
): Promise<{ plan?: PlannedSecretsFile; diagnostics: Diagnostic[] }> {
  const abs = path.resolve(file);
  const s = settingsFor(abs, path.dirname(abs), undefined);
  if (!s.ok) {
    if (s.code === "no-config" || s.code === "no-rule") {
      const why = s.code === "no-config" ? "no .sops.yaml found" : s.error;
      return {
        plan: { file: abs, content: plaintext, encrypted: false },
        diagnostics: [
          diagnostic(
            "TAL014",
            "warning",
            `${file} is written unencrypted: ${why}`,
            { file },
            "add a .sops.yaml creation rule with age recipients for this path (or encrypt it with `sops -e -i`) before committing it",
          ),
        ],
      };
    }
    return { diagnostics: [diagnostic("TAL015", "error", `cannot encrypt ${file}: ${s.error}`, { file })] };
  }
  const enc = await encryptBytes(Buffer.from(plaintext), "yaml", s.settings, s.store);
  if (!enc.ok)
    return { diagnostics: [diagnostic("TAL015", "error", `cannot encrypt ${file}: ${enc.error}`, { file })] };
  return { plan: { file: abs, content: enc.bytes.toString("utf8"), encrypted: true }, diagnostics: [] };
}
