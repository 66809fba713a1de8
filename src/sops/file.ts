/**
 * Whole-file SOPS operations on bytes, per store: encrypt (new data key), open (decrypt, keeping the data key and
 * the IVs so unchanged values re-encrypt to the same text), seal (re-encrypt an opened file after an edit), rotate
 * and re-wrap. Pure apart from the randomness: reading and writing files is the caller's (see `ops.ts`).
 */
import { randomBytes } from "node:crypto";
import { unwrapSopsDataKey } from "./age.ts";
import { decryptEnc, encryptLeaf, type Fail, fail, type IvStash, nowRfc3339 } from "./cipher.ts";
import {
  emitBinaryEnvelope,
  emitDotenv,
  emitIni,
  emitJson,
  type Format,
  type GenericFile,
  parseDotenv,
  parseIni,
  parseJson,
} from "./formats.ts";
import { wrapDataKey } from "./keys.ts";
import { type AgeEntry, type Plain, parseMetadata, SOPS_VERSION, type SopsMetadata } from "./metadata.ts";
import { type CryptRule, DEFAULT_RULE } from "./rules.ts";
import { Decryptor, Encryptor, isFail, type LeafFn, walkTree } from "./tree.ts";
import { emitYamlFile, parseYamlFile, walkYaml, type YamlFile } from "./yaml-store.ts";

/** Files larger than this are refused before parsing (Flux itself stops at 5 MiB of decrypted data). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export type Body =
  | { format: "yaml"; file: YamlFile }
  | { format: "json" | "dotenv" | "ini"; file: GenericFile }
  | { format: "binary"; data: Buffer; metadata?: Plain; enc?: string };

export interface StoreOptions {
  yamlIndent?: number;
  jsonIndent?: number;
}

/** Parses a file of any store; `encrypted` says whether sops metadata is expected. */
export function parseBody(
  bytes: Buffer,
  format: Format,
  encrypted: boolean,
): { ok: true; body: Body } | Fail {
  if (bytes.length > MAX_FILE_BYTES)
    return fail(
      "too-large",
      `the file is ${bytes.length} bytes; homeops handles SOPS files up to ${MAX_FILE_BYTES} bytes`,
    );
  if (format === "binary") {
    if (!encrypted) return { ok: true, body: { format, data: bytes } };
    // The envelope `{"data": "ENC[…]", "sops": {…}}` is read with the JSON store.
    const r = parseJson(bytes.toString("utf8"));
    if (!r.ok) return r;
    const data = r.file.branch.items.find((i) => "key" in i && i.key === "data");
    const v = data && "value" in data ? data.value : undefined;
    const body: Body = { format, data: Buffer.alloc(0) };
    if (r.file.metadata !== undefined) body.metadata = r.file.metadata;
    if (v && !Array.isArray(v) && "t" in v && v.t === "str") body.enc = v.v;
    else if (r.file.metadata !== undefined)
      return fail("bad-document", "the binary envelope has no encrypted data string");
    return { ok: true, body };
  }
  const text = bytes.toString("utf8");
  if (format === "yaml") {
    const r = parseYamlFile(text);
    return r.ok ? { ok: true, body: { format, file: r.file } } : r;
  }
  const r = format === "json" ? parseJson(text) : format === "dotenv" ? parseDotenv(text) : parseIni(text);
  return r.ok ? { ok: true, body: { format, file: r.file } } : r;
}

export function bodyMetadata(body: Body): Plain | undefined {
  return body.format === "binary" ? body.metadata : body.file.metadata;
}

function walkBody(body: Exclude<Body, { format: "binary" }>, fn: LeafFn): Fail | undefined {
  if (body.format === "yaml") return walkYaml(body.file, fn);
  const r = walkTree(body.file.branch, [], [], fn);
  return isFail(r) ? r : undefined;
}

export function emitBody(
  body: Body,
  metadata: SopsMetadata | undefined,
  opts: StoreOptions = {},
): Buffer | Fail {
  switch (body.format) {
    case "yaml":
      return Buffer.from(emitYamlFile(body.file, metadata, opts.yamlIndent ?? 4));
    case "json":
      return Buffer.from(emitJson(body.file.branch, metadata, jsonIndent(opts.jsonIndent)));
    case "dotenv": {
      const r = emitDotenv(body.file.branch, metadata);
      return typeof r === "string" ? Buffer.from(r) : r;
    }
    case "ini": {
      const r = emitIni(body.file.branch, metadata);
      return typeof r === "string" ? Buffer.from(r) : r;
    }
    case "binary":
      if (!metadata) return body.data;
      return Buffer.from(emitBinaryEnvelope(body.enc ?? "", metadata));
  }
}

const jsonIndent = (n: number | undefined): string => (n === undefined || n < 0 ? "\t" : " ".repeat(n));

export interface EncryptSettings {
  recipients: string[];
  rule?: CryptRule;
  macOnlyEncrypted?: boolean;
  now?: Date;
}

/** The part of an encryption that does not need the recipients: values and MAC under a given data key. */
function sealBody(
  body: Body,
  dataKey: Uint8Array,
  md: SopsMetadata,
  stash: IvStash | undefined,
  now: Date,
): Fail | undefined {
  const enc = new Encryptor(
    dataKey,
    body.format === "binary" ? DEFAULT_RULE : md.rule,
    md.macOnlyEncrypted,
    stash,
  );
  if (body.format === "binary") {
    enc.hashBytes(body.data);
    body.enc = encryptLeaf({ t: "bytes", v: body.data }, dataKey, "data:", stash);
  } else {
    const r = walkBody(body, enc.leaf);
    if (r) return r;
  }
  md.lastModified = nowRfc3339(now);
  md.lastModifiedAad = md.lastModified;
  md.mac = encryptLeaf({ t: "str", v: enc.mac() }, dataKey, md.lastModified);
  return undefined;
}

/** `sops encrypt`: a new data key wrapped for every recipient, every value encrypted. */
export async function encryptBytes(
  bytes: Buffer,
  format: Format,
  settings: EncryptSettings,
  opts: StoreOptions = {},
): Promise<{ ok: true; bytes: Buffer } | Fail> {
  if (bytes.length === 0) return fail("empty", "the file is empty; sops cannot encrypt an empty file");
  if (settings.recipients.length === 0) return fail("no-recipients", "no age recipients to encrypt for");
  const parsed = parseBody(bytes, format, false);
  if (!parsed.ok) return parsed;
  const body = parsed.body;
  if (bodyMetadata(body) !== undefined || (body.format === "binary" && looksEncryptedBinary(body.data)))
    return fail("already-encrypted", "the file is already encrypted (it has sops metadata)");
  if (body.format === "dotenv" && body.file.branch.items.some((i) => "key" in i && i.key.startsWith("sops_")))
    return fail("already-encrypted", "the file is already encrypted (it has sops_ keys)");
  const rule = settings.rule ?? DEFAULT_RULE;
  if (rule.key === "encrypted_comment_regex" || rule.key === "unencrypted_comment_regex") {
    if (body.format !== "yaml") return fail("unsupported", `${rule.key} only applies to YAML comments`);
  }
  const dataKey = randomBytes(32);
  const md: SopsMetadata = {
    age: [],
    others: {},
    lastModified: "",
    lastModifiedAad: "",
    mac: "",
    rule,
    macOnlyEncrypted: settings.macOnlyEncrypted ?? false,
    version: SOPS_VERSION,
  };
  const sealed = sealBody(body, dataKey, md, undefined, settings.now ?? new Date());
  if (sealed) return sealed;
  md.age = await wrapAll(dataKey, settings.recipients);
  const out = emitBody(body, md, opts);
  if (!Buffer.isBuffer(out)) return out;
  // Base64 grows values by a third: refuse what could not be opened again.
  if (out.length > MAX_FILE_BYTES)
    return fail(
      "too-large",
      `the encrypted file would be ${out.length} bytes; the limit is ${MAX_FILE_BYTES}`,
    );
  return { ok: true, bytes: out };
}

function looksEncryptedBinary(data: Buffer): boolean {
  const head = data.subarray(0, 64 * 1024).toString("utf8");
  return /"sops":\s*\{/.test(head) && /"mac":\s*"ENC\[/.test(data.toString("utf8"));
}

async function wrapAll(dataKey: Uint8Array, recipients: readonly string[]): Promise<AgeEntry[]> {
  const out: AgeEntry[] = [];
  for (const r of recipients) out.push({ recipient: r, enc: await wrapDataKey(dataKey, r) });
  return out;
}

/** An encrypted file opened with its data key: what edit/set/rotate/updatekeys work on. */
export interface Opened {
  format: Format;
  original: Buffer;
  dataKey: Uint8Array;
  metadata: SopsMetadata;
  stash: IvStash;
  /** The decrypted body (values and comments in plaintext). */
  body: Body;
  /** The plaintext file as `decrypt` prints it. */
  plaintext: Buffer;
  /** Set when the MAC did not verify and the caller asked to go on (`--ignore-mac`). */
  macIgnored?: string;
}

export interface OpenOptions {
  identities: readonly string[];
  ignoreMac?: boolean;
  opts?: StoreOptions;
}

/** Parses an encrypted file and reads its metadata, without decrypting anything. */
export function readEncrypted(
  bytes: Buffer,
  format: Format,
): { ok: true; body: Body; metadata: SopsMetadata } | Fail {
  const parsed = parseBody(bytes, format, true);
  if (!parsed.ok) return parsed;
  const raw = bodyMetadata(parsed.body);
  if (raw === undefined) return fail("not-encrypted", "the file is not encrypted (no sops metadata)");
  const md = parseMetadata(raw);
  if (!md.ok) return md;
  return { ok: true, body: parsed.body, metadata: md.metadata };
}

/** Unwraps the data key of a file's metadata with the identities. */
export async function dataKeyOf(
  md: SopsMetadata,
  identities: readonly string[],
): Promise<{ ok: true; key: Uint8Array } | Fail> {
  if (md.age.length === 0) {
    const others = Object.keys(md.others);
    return fail(
      "no-age-recipient",
      others.length > 0
        ? `the file is encrypted only for ${others.join(", ")}, not age`
        : "the file has no age recipients",
    );
  }
  const r = await unwrapSopsDataKey(
    md.age.map((a) => a.enc),
    identities,
  );
  return r.ok
    ? r
    : fail(
        r.code,
        r.code === "no-matching-identity"
          ? `no age identity matches the recipients ${md.age.map((a) => a.recipient).join(", ")}`
          : r.error,
      );
}

/** `sops decrypt` with the file kept open for a later `seal`. */
export async function openBytes(
  bytes: Buffer,
  format: Format,
  o: OpenOptions,
): Promise<{ ok: true; opened: Opened } | Fail> {
  const r = readEncrypted(bytes, format);
  if (!r.ok) return r;
  const key = await dataKeyOf(r.metadata, o.identities);
  if (!key.ok) return key;
  return openWithKey(bytes, format, r.body, r.metadata, key.key, o);
}

/** The synchronous half of `openBytes`, for callers that unwrapped the data key already (the build). */
export function openWithKey(
  bytes: Buffer,
  format: Format,
  body: Body,
  metadata: SopsMetadata,
  dataKey: Uint8Array,
  o: { ignoreMac?: boolean; opts?: StoreOptions },
): { ok: true; opened: Opened } | Fail {
  const dec = new Decryptor(
    dataKey,
    body.format === "binary" ? DEFAULT_RULE : metadata.rule,
    metadata.macOnlyEncrypted,
  );
  if (body.format === "binary") {
    if (body.enc === undefined || body.enc === "") body.data = Buffer.alloc(0);
    else {
      const d = decryptEnc(body.enc, dataKey, "data:");
      if (!d.ok) return fail(d.code, `data: ${d.error}`);
      body.data = d.bytes;
      dec.stash.remember("data:", d.type, d.bytes, d.iv);
    }
    dec.hashBytes(body.data);
  } else {
    const r = walkBody(body, dec.leaf);
    if (r) return r;
  }
  let macIgnored: string | undefined;
  const computed = dec.mac();
  let problem: Fail | undefined;
  if (metadata.mac === "") problem = fail("no-mac", "the file has no MAC");
  else {
    const stored = decryptEnc(metadata.mac, dataKey, metadata.lastModifiedAad);
    if (!stored.ok) problem = fail("mac-mismatch", `the file's MAC cannot be decrypted: ${stored.error}`);
    else if (stored.bytes.toString("utf8") !== computed)
      problem = fail(
        "mac-mismatch",
        `MAC mismatch: the file has ${stored.bytes.toString("utf8")}, computed ${computed}`,
      );
  }
  if (problem) {
    if (!o.ignoreMac) return problem;
    macIgnored = problem.error;
  }
  const plaintext = emitBody(body, undefined, o.opts);
  if (!Buffer.isBuffer(plaintext)) return plaintext;
  const opened: Opened = { format, original: bytes, dataKey, metadata, stash: dec.stash, body, plaintext };
  if (macIgnored !== undefined) opened.macIgnored = macIgnored;
  return { ok: true, opened };
}

/**
 * Re-encrypts an opened file whose plaintext may have changed: same data key and recipients, unchanged values keep
 * their ciphertext, new `lastmodified` and MAC. Unchanged plaintext returns the original bytes untouched.
 */
export function sealBytes(
  opened: Opened,
  plaintext: Buffer,
  opts: StoreOptions = {},
  now = new Date(),
): { ok: true; bytes: Buffer; changed: boolean } | Fail {
  if (plaintext.equals(opened.plaintext) && opened.macIgnored === undefined)
    return { ok: true, bytes: opened.original, changed: false };
  const parsed = parseBody(plaintext, opened.format, false);
  if (!parsed.ok) return parsed;
  if (bodyMetadata(parsed.body) !== undefined)
    return fail("already-encrypted", "the edited file contains sops metadata");
  return sealParsed(opened, parsed.body, opts, now);
}

export function sealParsed(
  opened: Opened,
  body: Body,
  opts: StoreOptions,
  now: Date,
): { ok: true; bytes: Buffer; changed: boolean } | Fail {
  const md = { ...opened.metadata };
  const r = sealBody(body, opened.dataKey, md, opened.stash, now);
  if (r) return r;
  const out = emitBody(body, md, opts);
  return Buffer.isBuffer(out) ? { ok: true, bytes: out, changed: true } : out;
}

/** `sops rotate`: a new data key, every value and the MAC re-encrypted, wrapped for the (possibly new) recipients. */
export async function rotateOpened(
  opened: Opened,
  recipients: readonly string[],
  opts: StoreOptions = {},
  now = new Date(),
): Promise<{ ok: true; bytes: Buffer } | Fail> {
  if (Object.keys(opened.metadata.others).length > 0)
    return fail(
      "unsupported",
      `the file is also encrypted for ${Object.keys(opened.metadata.others).join(", ")}; homeops can only wrap a new data key for age`,
    );
  const parsed = parseBody(opened.plaintext, opened.format, false);
  if (!parsed.ok) return parsed;
  const dataKey = randomBytes(32);
  const md: SopsMetadata = { ...opened.metadata };
  const r = sealBody(parsed.body, dataKey, md, undefined, now);
  if (r) return r;
  md.age = await wrapAll(dataKey, recipients);
  const out = emitBody(parsed.body, md, opts);
  return Buffer.isBuffer(out) ? { ok: true, bytes: out } : out;
}

/** `sops updatekeys`: the same data key re-wrapped for the recipients; values, MAC and lastmodified untouched. */
export async function rewrapBytes(
  bytes: Buffer,
  format: Format,
  identities: readonly string[],
  recipients: readonly string[],
  opts: StoreOptions = {},
): Promise<{ ok: true; bytes: Buffer; changed: boolean; added: string[]; removed: string[] } | Fail> {
  const r = readEncrypted(bytes, format);
  if (!r.ok) return r;
  const before = r.metadata.age.map((a) => a.recipient);
  const added = recipients.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !recipients.includes(x));
  const othersDropped = Object.keys(r.metadata.others);
  if (added.length === 0 && removed.length === 0 && othersDropped.length === 0)
    return { ok: true, bytes, changed: false, added, removed };
  const key = await dataKeyOf(r.metadata, identities);
  if (!key.ok) return key;
  const md: SopsMetadata = { ...r.metadata, others: {} };
  // Entries for recipients that stay are kept as they are (their enc still opens the same data key).
  const kept = new Map(r.metadata.age.map((a) => [a.recipient, a] as const));
  md.age = [];
  for (const rec of recipients)
    md.age.push(kept.get(rec) ?? { recipient: rec, enc: await wrapDataKey(key.key, rec) });
  const out = emitBody(r.body, md, opts);
  if (!Buffer.isBuffer(out)) return out;
  return { ok: true, bytes: out, changed: true, added, removed: [...removed, ...othersDropped] };
}
