/**
 * The `homeops secrets` operations on files: settings from `.sops.yaml`, identities from the sops locations, problems
 * as `SOPSnnn` diagnostics naming the file, atomic writes, and `edit` with a private temporary file that is removed
 * on every exit path (also on SIGINT/SIGTERM/SIGHUP).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Diagnostic, diagnostic } from "../core/diagnostics.ts";
import type { Fail } from "./cipher.ts";
import { findSopsConfig, loadSopsConfig, ruleForFile } from "./config.ts";
import {
  type EncryptSettings,
  encryptBytes,
  MAX_FILE_BYTES,
  type Opened,
  openBytes,
  readEncrypted,
  rewrapBytes,
  rotateOpened,
  type StoreOptions,
  sealBytes,
  sealParsed,
} from "./file.ts";
import { type Format, formatForPath } from "./formats.ts";
import { findAgeIdentities, isAgeRecipient } from "./keys.ts";
import { setValue } from "./set-path.ts";

/** Fail codes of the library → stable diagnostic codes (documented in docs/diagnostics.md). */
const CODES: Record<string, [string, string | undefined]> = {
  "bad-document": ["SOPS001", "The file is not valid for its format (truncated or corrupted?)."],
  "not-encrypted": ["SOPS002", "Encrypt it first: homeops secrets encrypt --in-place <file>."],
  "already-encrypted": ["SOPS003", "Decrypt it first, or use homeops secrets edit."],
  "bad-metadata": ["SOPS004", "The sops block is damaged; restore the file from Git."],
  "no-metadata": ["SOPS004", "The sops block is missing; restore the file from Git."],
  "no-identity": [
    "SOPS005",
    "Pass --age-key-file, set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY, or put the key in ~/.config/sops/age/keys.txt.",
  ],
  "no-matching-identity": ["SOPS006", "None of your age identities is a recipient of this file."],
  "bad-stanza": ["SOPS006", "The age entry of the file is damaged; restore the file from Git."],
  "bad-identity": ["SOPS023", "Check the key file: one AGE-SECRET-KEY-1… per line."],
  "no-age-recipient": ["SOPS007", "homeops only speaks age; decrypt it with sops and the key it names."],
  "auth-failed": [
    "SOPS008",
    "The value was changed, moved to another key, or belongs to another file; restore it from Git.",
  ],
  "mac-mismatch": [
    "SOPS009",
    "A value was changed outside sops/homeops; restore the file, or pass --ignore-mac to read it anyway.",
  ],
  "no-mac": ["SOPS010", "Pass --ignore-mac to read it anyway."],
  "bad-value": ["SOPS011", "An encrypted value has the wrong type or shape; restore the file from Git."],
  "too-large": ["SOPS013", undefined],
  unsupported: ["SOPS014", undefined],
  empty: ["SOPS015", "sops cannot encrypt an empty file."],
  "no-recipients": ["SOPS020", "Add a creation rule with age recipients to .sops.yaml, or pass --age."],
  "no-config": ["SOPS020", "Add a .sops.yaml with creation_rules, or pass --age <recipient>."],
  "no-rule": ["SOPS020", "Add a creation rule whose path_regex matches this file, or pass --age."],
  "bad-config": ["SOPS021", undefined],
  "bad-recipient": ["SOPS022", "age recipients look like age1… (62 characters)."],
};

/** A library failure as a diagnostic on `file`. */
export function sopsDiagnostic(f: Fail, file: string | undefined): Diagnostic {
  const [code, hint] = CODES[f.code] ?? ["SOPS001", undefined];
  return diagnostic(code, "error", f.error, file === undefined ? undefined : { file }, hint);
}

export interface SecretsEnv {
  /** Directory `.sops.yaml` is searched from (sops: the working directory). */
  cwd: string;
  ageKeyFile?: string;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

type Outcome<T> = { value?: T; diagnostics: Diagnostic[] };

function fail<T>(f: Fail, file: string | undefined): Outcome<T> {
  return { diagnostics: [sopsDiagnostic(f, file)] };
}

const display = (abs: string, cwd: string): string => {
  const r = path.relative(cwd, abs);
  return r.startsWith("..") ? abs : r.split(path.sep).join("/");
};

function readInput(abs: string, shown: string): { ok: true; bytes: Buffer } | Diagnostic {
  try {
    const st = fs.statSync(abs);
    if (!st.isFile()) return diagnostic("SOPS001", "error", "not a regular file", { file: shown });
    if (st.size > MAX_FILE_BYTES)
      return sopsDiagnostic(
        {
          ok: false,
          code: "too-large",
          error: `the file is ${st.size} bytes; the limit is ${MAX_FILE_BYTES}`,
        },
        shown,
      );
    return { ok: true, bytes: fs.readFileSync(abs) };
  } catch (e) {
    return diagnostic("SOPS001", "error", `cannot read the file: ${(e as Error).message}`, { file: shown });
  }
}

/** Identities from every sops location; a missing one is only an error when decryption needs it. */
export function identitiesFor(env: SecretsEnv): { identities: string[]; diagnostics: Diagnostic[] } {
  const found = findAgeIdentities(env.ageKeyFile, env.env ?? process.env);
  const diagnostics = found.errors.map((e) =>
    diagnostic("SOPS023", "error", `age identities: ${e}`, undefined, "One AGE-SECRET-KEY-1… per line."),
  );
  if (found.identities.length === 0 && diagnostics.length === 0) {
    diagnostics.push(
      diagnostic(
        "SOPS005",
        "error",
        `no age identity found (looked in ${found.searched.join(", ")})`,
        undefined,
        CODES["no-identity"]?.[1],
      ),
    );
  }
  return { identities: found.identities, diagnostics };
}

/** What to encrypt a file with: `--age` recipients, else the first matching creation rule of `.sops.yaml`. */
export function settingsFor(
  abs: string,
  searchFrom: string,
  recipients: readonly string[] | undefined,
): { ok: true; settings: EncryptSettings; store: StoreOptions } | Fail {
  const cfgFile = findSopsConfig(searchFrom);
  let store: StoreOptions = {};
  const settings: EncryptSettings = { recipients: [] };
  if (cfgFile) {
    const cfg = loadSopsConfig(cfgFile);
    if (!cfg.ok) return cfg;
    store = {
      ...(cfg.config.yamlIndent !== undefined ? { yamlIndent: cfg.config.yamlIndent } : {}),
      ...(cfg.config.jsonIndent !== undefined ? { jsonIndent: cfg.config.jsonIndent } : {}),
    };
    const rule = cfg.config.rules.length > 0 ? ruleForFile(cfg.config, abs) : undefined;
    if (rule) {
      settings.recipients = rule.age;
      if (rule.rule) settings.rule = rule.rule;
      settings.macOnlyEncrypted = rule.macOnlyEncrypted;
      if (rule.age.length === 0 && rule.otherKeys.length > 0 && !recipients)
        return {
          ok: false,
          code: "no-recipients",
          error: `creation rule ${rule.index + 1} of ${cfgFile} names only ${rule.otherKeys.join(", ")} keys, which homeops cannot use`,
        };
    } else if (!recipients)
      return { ok: false, code: "no-rule", error: `no creation rule of ${cfgFile} matches this file` };
  } else if (!recipients)
    return { ok: false, code: "no-config", error: "no .sops.yaml found from the working directory upwards" };
  if (recipients) settings.recipients = [...recipients];
  for (const r of settings.recipients)
    if (!isAgeRecipient(r))
      return { ok: false, code: "bad-recipient", error: `invalid age recipient ${JSON.stringify(r)}` };
  if (settings.recipients.length === 0)
    return { ok: false, code: "no-recipients", error: "no age recipients to encrypt for" };
  return { ok: true, settings, store };
}

/** `secrets encrypt`: the encrypted bytes of a plaintext file. */
export async function encryptFile(
  abs: string,
  env: SecretsEnv & { recipients?: string[]; format?: Format },
): Promise<Outcome<Buffer>> {
  const shown = display(abs, env.cwd);
  const input = readInput(abs, shown);
  if (!("ok" in input)) return { diagnostics: [input] };
  const s = settingsFor(abs, env.cwd, env.recipients);
  if (!s.ok) return fail(s, shown);
  const r = await encryptBytes(
    input.bytes,
    env.format ?? formatForPath(abs),
    { ...s.settings, ...(env.now ? { now: env.now } : {}) },
    s.store,
  );
  return r.ok ? { value: r.bytes, diagnostics: [] } : fail(r, shown);
}

/**
 * The library entry point for other features (e.g. Talos secrets): encrypts `plaintext` for the repository file
 * `relPath` with the creation rule `.sops.yaml` (searched from the file's directory up to the root) names for it.
 */
export async function encryptFileForPath(
  repoRoot: string,
  relPath: string,
  plaintext: string | Uint8Array,
): Promise<Outcome<Buffer>> {
  const abs = path.resolve(repoRoot, relPath);
  const s = settingsFor(abs, path.dirname(abs), undefined);
  if (!s.ok) return fail(s, relPath);
  const r = await encryptBytes(Buffer.from(plaintext), formatForPath(abs), s.settings, s.store);
  return r.ok ? { value: r.bytes, diagnostics: [] } : fail(r, relPath);
}

/** Opens an encrypted file (MAC verified unless `ignoreMac`, which is reported as a warning). */
export async function openFile(
  abs: string,
  env: SecretsEnv & { ignoreMac?: boolean; format?: Format },
): Promise<Outcome<Opened>> {
  const shown = display(abs, env.cwd);
  const input = readInput(abs, shown);
  if (!("ok" in input)) return { diagnostics: [input] };
  const ids = identitiesFor(env);
  const format = env.format ?? formatForPath(abs);
  const enc = readEncrypted(input.bytes, format);
  if (!enc.ok) return fail(enc, shown);
  if (ids.identities.length === 0)
    return { diagnostics: ids.diagnostics.map((d) => ({ ...d, file: shown })) };
  const r = await openBytes(input.bytes, format, {
    identities: ids.identities,
    ignoreMac: env.ignoreMac === true,
  });
  if (!r.ok) return fail(r, shown);
  const diagnostics: Diagnostic[] = [];
  if (r.opened.macIgnored !== undefined)
    diagnostics.push(
      diagnostic(
        "SOPS012",
        "warning",
        `MAC NOT VERIFIED (--ignore-mac): ${r.opened.macIgnored}`,
        { file: shown },
        "The content may have been tampered with; do not trust it.",
      ),
    );
  return { value: r.opened, diagnostics };
}

/** `secrets set`: one value changed at a sops-style path (`["a"]["b"][0]`), everything else keeps its ciphertext. */
export async function setInFile(
  abs: string,
  keyPath: string,
  valueText: string,
  env: SecretsEnv & { ignoreMac?: boolean },
): Promise<Outcome<{ bytes: Buffer; changed: boolean }>> {
  const shown = display(abs, env.cwd);
  const o = await openFile(abs, env);
  if (!o.value) return o as Outcome<never>;
  const set = setValue(o.value.body, keyPath, valueText);
  if (!set.ok) return fail(set, shown);
  const r = sealParsed(o.value, o.value.body, {}, env.now ?? new Date());
  if (!r.ok) return fail(r, shown);
  return {
    value: { bytes: r.bytes, changed: !r.bytes.equals(o.value.original) },
    diagnostics: o.diagnostics,
  };
}

/** `secrets rotate`: a new data key for the file's current recipients. */
export async function rotateFile(abs: string, env: SecretsEnv): Promise<Outcome<Buffer>> {
  const shown = display(abs, env.cwd);
  const o = await openFile(abs, env);
  if (!o.value) return o as Outcome<never>;
  const r = await rotateOpened(
    o.value,
    o.value.metadata.age.map((a) => a.recipient),
    {},
    env.now ?? new Date(),
  );
  return r.ok ? { value: r.bytes, diagnostics: o.diagnostics } : fail(r, shown);
}

/** `secrets updatekeys`: the data key re-wrapped for the recipients the matching creation rule names now. */
export async function updateKeysFile(
  abs: string,
  env: SecretsEnv,
): Promise<Outcome<{ bytes: Buffer; changed: boolean; added: string[]; removed: string[] }>> {
  const shown = display(abs, env.cwd);
  const input = readInput(abs, shown);
  if (!("ok" in input)) return { diagnostics: [input] };
  const s = settingsFor(abs, env.cwd, undefined);
  if (!s.ok) return fail(s, shown);
  const ids = identitiesFor(env);
  const r = await rewrapBytes(input.bytes, formatForPath(abs), ids.identities, s.settings.recipients);
  if (!r.ok) return fail(r, shown);
  return { value: r, diagnostics: [] };
}

/** Writes a file so that it is never seen half-written: temp file in the same directory, fsync, rename. */
export function writeFileAtomic(file: string, bytes: Uint8Array, mode?: number): void {
  const dir = path.dirname(file);
  let fileMode = mode;
  if (fileMode === undefined) {
    try {
      fileMode = fs.statSync(file).mode & 0o777;
    } catch {
      fileMode = 0o644;
    }
  }
  const tmp = path.join(dir, `.${path.basename(file)}.homeops-${process.pid}-${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, "wx", fileMode);
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, "r");
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Directories cannot be fsynced everywhere; the rename is done.
  }
}

/**
 * `secrets edit`: decrypts into a private temporary directory (0700, file 0600), runs the editor, and re-encrypts
 * only what changed. The temporary directory is removed on every exit path, including signals (the editor is
 * stopped first).
 */
export async function editFile(
  abs: string,
  env: SecretsEnv & {
    editor: string;
    ignoreMac?: boolean;
    /** Asked when the edited file does not parse; true re-opens the editor on it. */
    retry?: (error: string) => Promise<boolean>;
  },
): Promise<Outcome<{ bytes: Buffer; changed: boolean }>> {
  const shown = display(abs, env.cwd);
  const o = await openFile(abs, env);
  if (!o.value) return o as Outcome<never>;
  const opened = o.value;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-edit-"));
  fs.chmodSync(dir, 0o700);
  const tmp = path.join(dir, path.basename(abs));
  let child: ReturnType<typeof spawn> | undefined;
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  const onSignal = (sig: NodeJS.Signals) => {
    // Ctrl-C reaches the whole terminal group: while the editor runs it is the editor's (vim uses it).
    if (sig === "SIGINT" && child && child.exitCode === null && child.signalCode === null) return;
    child?.kill("SIGTERM");
    cleanup();
    process.exit(sig === "SIGINT" ? 130 : sig === "SIGHUP" ? 129 : 143);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, onSignal);
  try {
    fs.writeFileSync(tmp, opened.plaintext, { mode: 0o600, flag: "wx" });
    const [cmd, ...args] = env.editor.split(/\s+/).filter((x) => x !== "");
    if (!cmd)
      return { diagnostics: [diagnostic("SOPS024", "error", "no editor: set $EDITOR", { file: shown })] };
    for (;;) {
      const code = await new Promise<number | null>((resolve) => {
        child = spawn(cmd, [...args, tmp], { stdio: "inherit" });
        child.on("error", () => resolve(-1));
        child.on("exit", (c) => resolve(c));
      });
      if (code !== 0) {
        const msg = `the editor '${env.editor}' failed (exit ${code}); nothing was changed`;
        return { diagnostics: [diagnostic("SOPS024", "error", msg, { file: shown })] };
      }
      const r = sealBytes(opened, fs.readFileSync(tmp), {}, env.now ?? new Date());
      // Invalid content: the user may fix it in the editor again rather than lose the edit.
      if (!r.ok && r.code === "bad-document" && env.retry && (await env.retry(`${shown}: ${r.error}`)))
        continue;
      if (!r.ok) return fail(r, shown);
      return { value: { bytes: r.bytes, changed: r.changed }, diagnostics: o.diagnostics };
    }
  } finally {
    for (const s of signals) process.off(s, onSignal);
    cleanup();
  }
}

export interface FileStatus {
  file: string;
  encrypted: boolean;
  recipients: string[];
  otherKeys: string[];
  /** The creation rule that matches the file (1-based), if any. */
  rule?: number;
  lastModified?: string;
}

const SKIP = new Set([".git", "node_modules", ".direnv", ".venv"]);

/** `secrets status`: encrypted files with their recipients, and files a creation rule names that are not encrypted. */
export function secretsStatus(dir: string, env: SecretsEnv): Outcome<FileStatus[]> {
  const root = path.resolve(dir);
  const cfgFile = findSopsConfig(root);
  const cfg = cfgFile ? loadSopsConfig(cfgFile) : undefined;
  const diagnostics: Diagnostic[] = [];
  if (cfg && !cfg.ok) diagnostics.push(sopsDiagnostic(cfg, display(cfgFile as string, env.cwd)));
  const out: FileStatus[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = fs.readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (SKIP.has(n)) continue;
      const abs = path.join(d, n);
      const st = fs.lstatSync(abs);
      if (st.isDirectory()) walk(abs);
      else if (st.isFile() && n !== ".sops.yaml" && st.size <= MAX_FILE_BYTES) {
        const rule = cfg?.ok ? ruleForFile(cfg.config, abs) : undefined;
        const hasPathRule = rule?.pathRegex !== undefined;
        const bytes = fs.readFileSync(abs);
        const format = formatForPath(abs);
        // A binary envelope is JSON; other files merely mentioning the markers are not SOPS files.
        const encrypted =
          looksEncrypted(bytes) &&
          (format !== "binary" || bytes.toString("utf8").trimStart().startsWith("{"));
        if (!encrypted && !hasPathRule) continue;
        const shown = display(abs, env.cwd);
        const r = encrypted ? readEncrypted(bytes, format) : undefined;
        const s: FileStatus = { file: shown, encrypted: r?.ok === true, recipients: [], otherKeys: [] };
        if (rule) s.rule = rule.index + 1;
        if (r?.ok) {
          s.recipients = r.metadata.age.map((a) => a.recipient);
          s.otherKeys = Object.keys(r.metadata.others);
          s.lastModified = r.metadata.lastModified;
        } else if (r && !r.ok) diagnostics.push(sopsDiagnostic(r, shown));
        else
          diagnostics.push(
            diagnostic(
              "SOPS032",
              "warning",
              `creation rule ${s.rule} of .sops.yaml matches this file, but it is not encrypted`,
              { file: shown },
              "Encrypt it: homeops secrets encrypt --in-place <file>.",
            ),
          );
        out.push(s);
      }
    }
  };
  walk(root);
  return { value: out, diagnostics };
}

/** The exact markers Flux looks for (YAML `mac: ENC[`, JSON `"mac": "ENC[`, dotenv `sops_mac=ENC[`, INI `[sops]`). */
export function looksEncrypted(bytes: Uint8Array): boolean {
  const t = Buffer.from(bytes).toString("utf8");
  return (
    t.includes("mac: ENC[") ||
    t.includes('"mac": "ENC[') ||
    t.includes("sops_mac=ENC[") ||
    /^\[sops\]/m.test(t)
  );
}
