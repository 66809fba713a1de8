/**
 * Decryption of SOPS-encrypted YAML/JSON trees, mirroring sops' `Tree.Decrypt` + `DecryptTree`
 * (research/sops.md §1.3–§1.6): AES-256-GCM per value with the key path as AAD, values re-typed, and the MAC
 * (SHA-512 over the plaintext leaves in document order) checked against `sops.mac`.
 *
 * The `Value` model carries no comments: YAML comments (encrypted or not) never reach us, which is harmless since
 * sops excludes comments from the MAC. Comment rules (`*_comment_regex`) cannot be evaluated without them, so for
 * those files a value is decrypted exactly when it has the `ENC[…]` shape.
 */
import { createDecipheriv, createHash } from "node:crypto";
import { isMap, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { unwrapSopsDataKey } from "./age.ts";

export type DecryptResult = { ok: true; value: Value } | { ok: false; error: string; code: string };
export type DecryptDocsResult = { ok: true; values: Value[] } | { ok: false; error: string; code: string };

export interface DecryptOptions {
  /** age identities (`AGE-SECRET-KEY-1…`), e.g. from `parseAgeIdentities`. */
  identities: readonly string[];
  /** Skip the MAC check (sops `--ignore-mac`). */
  ignoreMac?: boolean;
}

/** What sops' metadata says about how to decrypt; only the fields decryption needs. */
export interface SopsMetadata {
  ageEncs: string[];
  lastModified: string;
  mac: string;
  macOnlyEncrypted: boolean;
  rule: CryptRule;
  /** Master keys other than age that the file also lists (informational: we cannot use them). */
  otherKeyTypes: string[];
}

type CryptRule =
  | { kind: "unencrypted_suffix" | "encrypted_suffix"; suffix: string }
  | { kind: "unencrypted_regex" | "encrypted_regex"; re: RegExp }
  | { kind: "comment_regex" };

const RULE_KEYS = [
  "unencrypted_suffix",
  "encrypted_suffix",
  "unencrypted_regex",
  "encrypted_regex",
  "unencrypted_comment_regex",
  "encrypted_comment_regex",
] as const;
const OTHER_KEYS = ["pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"] as const;

/** A document sops encrypted: a top-level `sops` mapping with a MAC or a modification time. */
export function isSopsEncrypted(value: Value | undefined): boolean {
  if (!isMap(value)) return false;
  const m = value.sops;
  return isMap(m) && (typeof m.mac === "string" || typeof m.lastmodified === "string");
}

type Fail = { ok: false; error: string; code: string };
const fail = (code: string, error: string): Fail => ({ ok: false, error, code });

/** Reads the `sops` mapping leniently, as sops' mapstructure decoding does (absent/null lists mean empty). */
export function readSopsMetadata(doc: Value): { ok: true; metadata: SopsMetadata } | Fail {
  if (!isMap(doc) || !Object.hasOwn(doc, "sops")) return fail("no-metadata", "sops metadata not found");
  const m = doc.sops;
  if (!isMap(m)) return fail("bad-metadata", "the sops metadata is not a mapping");

  const ageEncs: string[] = [];
  const otherKeyTypes = new Set<string>();
  const collect = (group: ValueMap) => {
    const age = group.age;
    if (Array.isArray(age)) {
      for (const e of age) if (isMap(e) && typeof e.enc === "string" && e.enc !== "") ageEncs.push(e.enc);
    }
    for (const k of OTHER_KEYS) {
      const v = group[k];
      if (Array.isArray(v) && v.length > 0) otherKeyTypes.add(k);
    }
  };
  const groups = m.key_groups;
  if (Array.isArray(groups) && groups.length > 0) {
    // Several groups mean the data key is Shamir-split; one group is the same as the top-level lists.
    if (groups.length > 1) {
      return fail(
        "unsupported",
        "files whose data key is split across key groups (Shamir) are not supported",
      );
    }
    if (isMap(groups[0])) collect(groups[0]);
  } else {
    collect(m);
  }

  const lm = m.lastmodified;
  if (typeof lm !== "string") return fail("bad-metadata", "sops metadata has no lastmodified");
  const lastModified = rfc3339(lm);
  if (lastModified === undefined)
    return fail("bad-metadata", `sops lastmodified ${JSON.stringify(lm)} is not RFC3339`);

  const present = RULE_KEYS.filter((k) => typeof m[k] === "string" && m[k] !== "");
  if (present.length > 1)
    return fail("bad-metadata", `sops metadata sets more than one crypt rule: ${present.join(", ")}`);
  let rule: CryptRule = { kind: "unencrypted_suffix", suffix: "_unencrypted" };
  const name = present[0];
  if (name !== undefined) {
    const text = m[name] as string;
    if (name === "unencrypted_suffix" || name === "encrypted_suffix") rule = { kind: name, suffix: text };
    else if (name === "unencrypted_regex" || name === "encrypted_regex") {
      const re = goRegex(text);
      if (re === undefined) return fail("unsupported", `${name} ${JSON.stringify(text)} cannot be evaluated`);
      rule = { kind: name, re };
    } else rule = { kind: "comment_regex" };
  }

  const mac = typeof m.mac === "string" ? m.mac : "";
  const macOnlyEncrypted = m.mac_only_encrypted === true || m.mac_only_encrypted === "true";
  return {
    ok: true,
    metadata: { ageEncs, lastModified, mac, macOnlyEncrypted, rule, otherKeyTypes: [...otherKeyTypes] },
  };
}

/** Decrypts one encrypted document (a YAML or JSON file with a single document). */
export async function decryptSops(doc: Value, options: DecryptOptions): Promise<DecryptResult> {
  const r = await decryptSopsDocuments([doc], options);
  return r.ok ? { ok: true, value: r.values[0] as Value } : r;
}

/**
 * Decrypts a multi-document file: one data key and one MAC for the whole stream, metadata read from the first
 * document and dropped from every document (sops copies it into each).
 */
export async function decryptSopsDocuments(
  docs: readonly Value[],
  options: DecryptOptions,
): Promise<DecryptDocsResult> {
  const first = docs[0];
  if (first === undefined) return fail("no-metadata", "sops metadata not found");
  const md = readSopsMetadata(first);
  if (!md.ok) return md;
  if (md.metadata.ageEncs.length === 0) {
    const others = md.metadata.otherKeyTypes;
    return fail(
      "no-age-recipient",
      others.length > 0
        ? `the file is encrypted only for ${others.join(", ")}, not age`
        : "the file has no age recipients",
    );
  }
  const key = await unwrapSopsDataKey(md.metadata.ageEncs, options.identities);
  if (!key.ok) return key;
  return decryptWithDataKey(docs, key.key, md.metadata, options.ignoreMac ?? false);
}

/** The tree walk with a known data key (exported so callers can cache keys per file). */
export function decryptWithDataKey(
  docs: readonly Value[],
  dataKey: Uint8Array,
  metadata: SopsMetadata,
  ignoreMac = false,
): DecryptDocsResult {
  const hash = createHash("sha512");
  // sops seeds the hash so that a file cannot be switched between the two MAC modes unnoticed.
  if (metadata.macOnlyEncrypted) hash.update(createHash("sha256").update("sops").digest());
  const values: Value[] = [];
  for (const doc of docs) {
    if (!isMap(doc)) return fail("bad-document", "a sops document must be a mapping at the top level");
    const body = newMap();
    for (const k of Object.keys(doc)) if (k !== "sops") body[k] = doc[k] as Value;
    const r = walk(body, [], { dataKey, metadata, hash });
    if (!r.ok) return r;
    values.push(r.value);
  }
  if (ignoreMac) return { ok: true, values };

  const computed = hash.digest("hex").toUpperCase();
  if (metadata.mac === "") return fail("no-mac", "the file has no MAC");
  const stored = decryptValue(metadata.mac, dataKey, metadata.lastModified);
  if (!stored.ok) return fail("mac-mismatch", `the file's MAC cannot be decrypted: ${stored.error}`);
  if (stored.type !== "str" || stored.text !== computed) {
    return fail("mac-mismatch", `MAC mismatch: the file has ${stored.text}, computed ${computed}`);
  }
  return { ok: true, values };
}

interface WalkCtx {
  dataKey: Uint8Array;
  metadata: SopsMetadata;
  hash: ReturnType<typeof createHash>;
}

/** Result of a walk step; `drop` removes decrypted comments from sequences (they were comments, not data). */
type WalkResult = { ok: true; value: Value; drop?: boolean } | Fail;

function walk(v: Value, path: string[], ctx: WalkCtx): WalkResult {
  if (v === null) return { ok: true, value: null }; // nil is neither encrypted nor hashed
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (const item of v) {
      // Sequence indices are not part of the AAD.
      const r = walk(item, path, ctx);
      if (!r.ok) return r;
      if (!r.drop) out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (isMap(v)) {
    const out = newMap();
    for (const k of Object.keys(v)) {
      const r = walk(v[k] as Value, [...path, k], ctx);
      if (!r.ok) return r;
      if (!r.drop) out[k] = r.value;
    }
    return { ok: true, value: out };
  }
  return leaf(v, path, ctx);
}

function leaf(v: Exclude<Value, null | Value[] | ValueMap>, path: string[], ctx: WalkCtx): WalkResult {
  const { metadata } = ctx;
  const encrypted =
    metadata.rule.kind === "comment_regex"
      ? typeof v === "string" && ENC.test(v)
      : shouldBeEncrypted(path, metadata.rule);
  let value: Value = v;
  let isComment = false;
  if (encrypted) {
    if (typeof v !== "string") {
      return fail("bad-value", `${where(path)}: expected an encrypted string, found ${typeof v}`);
    }
    // sops never encrypts empty values, and decrypts "" to "".
    if (v !== "") {
      const d = decryptValue(v, ctx.dataKey, aad(path));
      if (!d.ok) return fail(d.code, `${where(path)}: ${d.error}`);
      const typed = fromPlaintext(d.text, d.type);
      if (!typed.ok) return fail("bad-value", `${where(path)}: ${typed.error}`);
      value = typed.value;
      isComment = d.type === "comment";
    }
  }
  if ((!metadata.macOnlyEncrypted || encrypted) && !isComment) ctx.hash.update(toBytes(value));
  return isComment ? { ok: true, value: null, drop: true } : { ok: true, value };
}

function shouldBeEncrypted(path: readonly string[], rule: CryptRule): boolean {
  switch (rule.kind) {
    case "unencrypted_suffix":
      return !path.some((p) => p.endsWith(rule.suffix));
    case "encrypted_suffix":
      return path.some((p) => p.endsWith(rule.suffix));
    case "unencrypted_regex":
      return !path.some((p) => rule.re.test(p));
    case "encrypted_regex":
      return path.some((p) => rule.re.test(p));
    case "comment_regex":
      return true;
  }
}

/** AAD of a value: the mapping keys from the root joined with ':' plus a trailing ':' (top level → ":"). */
const aad = (path: readonly string[]): string => `${path.join(":")}:`;
const where = (path: readonly string[]): string => (path.length === 0 ? "(top level)" : path.join("."));

// sops' RE2 pattern: anchored at the start only, greedy groups.
const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

type Plain = { ok: true; text: string; type: string } | Fail;

/** Decrypts one `ENC[AES256_GCM,…]` string (any IV length; sops writes 32 bytes). */
export function decryptValue(enc: string, dataKey: Uint8Array, additionalData: string): Plain {
  const m = ENC.exec(enc);
  if (m === null) return fail("bad-value", "the value does not have sops' ENC[AES256_GCM,…] format");
  const [, data, iv, tag, type] = m as unknown as [string, string, string, string, string];
  const ivBytes = Buffer.from(iv, "base64");
  const tagBytes = Buffer.from(tag, "base64");
  if (ivBytes.length === 0 || tagBytes.length !== 16)
    return fail("bad-value", "malformed iv or tag in ENC[…]");
  try {
    const d = createDecipheriv("aes-256-gcm", dataKey, ivBytes, { authTagLength: 16 });
    d.setAAD(Buffer.from(additionalData, "utf8"));
    d.setAuthTag(tagBytes);
    const out = Buffer.concat([d.update(Buffer.from(data, "base64")), d.final()]);
    return { ok: true, text: out.toString("utf8"), type };
  } catch {
    return fail("auth-failed", "decryption failed: wrong data key, or the value was tampered with or moved");
  }
}

/** Converts decrypted text back to its type as sops' `Decrypt` switch does. */
function fromPlaintext(
  text: string,
  type: string,
): { ok: true; value: Value } | { ok: false; error: string } {
  switch (type) {
    case "str":
    case "time": // kept as its RFC3339Nano text, which is how our loader represents YAML timestamps
    case "comment":
    case "bytes":
      return { ok: true, value: text };
    case "int": {
      if (!/^[+-]?\d+$/.test(text)) return { ok: false, error: `invalid int ${JSON.stringify(text)}` };
      const b = BigInt(text);
      if (b > 0x7fffffffffffffffn || b < -0x8000000000000000n)
        return { ok: false, error: `int ${text} overflows` };
      return {
        ok: true,
        value: b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b,
      };
    }
    case "float": {
      const f = goParseFloat(text);
      return f === undefined
        ? { ok: false, error: `invalid float ${JSON.stringify(text)}` }
        : { ok: true, value: f };
    }
    case "bool": {
      if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return { ok: true, value: true };
      if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return { ok: true, value: false };
      return { ok: false, error: `invalid bool ${JSON.stringify(text)}` };
    }
    default:
      return { ok: false, error: `unknown datatype ${JSON.stringify(type)}` };
  }
}

function goParseFloat(s: string): number | undefined {
  const t = s.replace(/^\+/, "");
  if (/^-?inf(inity)?$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** sops' `ToBytes`: the MAC input of a leaf. */
function toBytes(v: Value): Buffer {
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (typeof v === "boolean") return Buffer.from(v ? "True" : "False");
  if (typeof v === "bigint") return Buffer.from(v.toString());
  if (typeof v === "number") return Buffer.from(goFormatFloat(v));
  return Buffer.alloc(0);
}

/** Go's `strconv.FormatFloat(x, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function goFormatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (Object.is(x, -0)) return "-0";
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return s;
  const [, sign, int, frac = "", expText] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const digits = int + frac;
  const point = 1 + Number(expText); // position of the decimal point within `digits`
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Go `time.Parse(RFC3339)` then `Format(RFC3339)`: seconds precision, `Z` for a zero offset. */
function rfc3339(s: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (m === null) return undefined;
  const [, date, time, zone] = m as unknown as [string, string, string, string];
  const z = zone === "z" || zone === "Z" || zone === "+00:00" || zone === "-00:00" ? "Z" : zone;
  return `${date}T${time}${z}`;
}

/** A Go RE2 pattern as a JS RegExp (unanchored search, like `regexp.MatchString`); common RE2-only syntax mapped. */
function goRegex(pattern: string): RegExp | undefined {
  let p = pattern;
  let flags = "u";
  const inline = /^\(\?([imsU]+)\)/.exec(p);
  if (inline !== null) {
    const f = inline[1] as string;
    if (f.includes("U")) return undefined;
    flags += f;
    p = p.slice(inline[0].length);
  }
  p = p.replaceAll("(?P<", "(?<").replaceAll("\\A", "^").replaceAll("\\z", "$");
  try {
    return new RegExp(p, flags);
  } catch {
    try {
      return new RegExp(p, flags.replace("u", ""));
    } catch {
      return undefined;
    }
  }
}

/**
 * Decrypts a dotenv file as sops' dotenv store reads it: lines split on `\n` only, `#` lines are comments
 * (excluded from the MAC), `key=value` split at the first `=` with no trimming, `\n` escapes in values, and
 * the metadata flattened into `sops_…` keys (`__list_N` / `__map_name` separators).
 */
export async function decryptSopsDotenv(text: string, options: DecryptOptions): Promise<DecryptResult> {
  const body = newMap();
  const meta = newMap();
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) return fail("bad-document", `line ${i + 1}: invalid dotenv input line: ${line}`);
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1).replaceAll("\\n", "\n");
    if (k.startsWith("sops_")) {
      if (!setFlattened(meta, k.slice(5), v))
        return fail("bad-metadata", `line ${i + 1}: malformed sops key ${k}`);
    } else {
      // The tree is an ordered list in sops; a map cannot hold a repeated key, so refuse rather than mis-hash.
      if (Object.hasOwn(body, k))
        return fail("bad-document", `line ${i + 1}: duplicate key ${JSON.stringify(k)}`);
      body[k] = v;
    }
  }
  if (Object.keys(meta).length === 0) return fail("no-metadata", "sops metadata not found");
  const doc = newMap();
  Object.assign(doc, body);
  doc.sops = meta;
  return decryptSops(doc, options);
}

/** sops' `unflatten`: `age__list_0__map_enc` → `age[0].enc`. */
function setFlattened(root: ValueMap, key: string, value: string): boolean {
  const parts = key.split(/(__list_|__map_)/);
  let container: ValueMap | Value[] = root;
  let slot: string | number = parts[0] as string;
  for (let j = 1; j < parts.length; j += 2) {
    const sep = parts[j];
    const name = parts[j + 1] as string;
    const next: Value[] | ValueMap = sep === "__list_" ? [] : newMap();
    const existing: Value | undefined = Array.isArray(container)
      ? container[slot as number]
      : (container as ValueMap)[slot as string];
    const child: Value = existing ?? next;
    if (Array.isArray(child) !== (sep === "__list_") || !(Array.isArray(child) || isMap(child))) return false;
    if (Array.isArray(container)) container[slot as number] = child;
    else container[slot as string] = child;
    container = child;
    if (sep === "__list_") {
      if (!/^\d+$/.test(name)) return false;
      slot = Number(name);
    } else slot = name;
  }
  if (Array.isArray(container)) container[slot as number] = value;
  else container[slot as string] = value;
  return true;
}
