/**
 * age identities as sops finds them (research/sops.md §4.1): `SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE` and the default
 * `<UserConfigDir>/sops/age/keys.txt`, all combined, plus homeops' `--age-key-file`; and the wrapping of a data key
 * for a recipient (one age file per recipient, armored, as sops writes `enc`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { armor, Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { parseAgeIdentities } from "./age.ts";

export interface FoundIdentities {
  identities: string[];
  /** Where identities were looked for (for "no key" messages). */
  searched: string[];
  /** Unreadable or malformed sources: sops refuses those. */
  errors: string[];
}

/** The default keys file: `$XDG_CONFIG_HOME` or `~/.config` (Linux), `~/Library/Application Support` (macOS), `%AppData%`. */
export function defaultKeysFile(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME ?? os.homedir();
  let dir: string;
  if (env.XDG_CONFIG_HOME) dir = env.XDG_CONFIG_HOME;
  else if (process.platform === "darwin") dir = path.join(home, "Library", "Application Support");
  else if (process.platform === "win32")
    dir = env.AppData ?? env.APPDATA ?? path.join(home, "AppData", "Roaming");
  else dir = path.join(home, ".config");
  return path.join(dir, "sops", "age", "keys.txt");
}

export function findAgeIdentities(
  ageKeyFile?: string,
  env: NodeJS.ProcessEnv = process.env,
): FoundIdentities {
  const out: FoundIdentities = { identities: [], searched: [], errors: [] };
  const add = (text: string, source: string) => {
    const r = parseAgeIdentities(text);
    for (const i of r.identities) if (!out.identities.includes(i)) out.identities.push(i);
    for (const e of r.errors) out.errors.push(`${source}: ${e}`);
  };
  const readFile = (file: string, source: string, mustExist: boolean) => {
    out.searched.push(source);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      if (mustExist || (e as NodeJS.ErrnoException).code !== "ENOENT")
        out.errors.push(`${source}: ${(e as Error).message}`);
      return;
    }
    add(text, source);
  };
  if (ageKeyFile) readFile(ageKeyFile, `--age-key-file ${ageKeyFile}`, true);
  if (env.SOPS_AGE_KEY) {
    out.searched.push("SOPS_AGE_KEY");
    // sops ≥ 3.13 allows several whitespace-separated identities per line.
    add(env.SOPS_AGE_KEY.split(/\s+/).join("\n"), "SOPS_AGE_KEY");
  }
  if (env.SOPS_AGE_KEY_FILE)
    readFile(env.SOPS_AGE_KEY_FILE, `SOPS_AGE_KEY_FILE ${env.SOPS_AGE_KEY_FILE}`, true);
  const def = defaultKeysFile(env);
  readFile(def, def, false);
  return out;
}

const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$|^age1pq1[02-9ac-hj-np-z]+$/;

/** Whether a recipient is one homeops can wrap a key for (X25519 and hybrid age recipients). */
export function isAgeRecipient(r: string): boolean {
  return RECIPIENT.test(r);
}

/** The data key wrapped for one recipient: an armored age file with one stanza, ending in a newline. */
export async function wrapDataKey(dataKey: Uint8Array, recipient: string): Promise<string> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return armor.encode(await e.encrypt(dataKey));
}

export interface NewKey {
  identity: string;
  recipient: string;
  /** The key file as `age-keygen` writes it. */
  text: string;
}

export async function generateAgeKey(now: Date = new Date()): Promise<NewKey> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const created = `${now.toISOString().slice(0, 19)}Z`;
  return { identity, recipient, text: `# created: ${created}\n# public key: ${recipient}\n${identity}\n` };
}

/** The Secret Flux reads identities from: every data entry ending in `.agekey` (an `age.key` entry is ignored). */
export function fluxAgeSecret(keyText: string, name = "sops-age", namespace = "flux-system"): string {
  const body = keyText
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => `    ${l}`)
    .join("\n");
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ntype: Opaque\nstringData:\n  age.agekey: |\n${body}\n`;
}
