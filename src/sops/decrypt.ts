/**
 * Decryption of SOPS documents already loaded into the `Value` model (what `homeops build` holds after kustomize):
 * the same tree walk and MAC as the stores (`tree.ts`), over plain values. The model carries no comments, which is
 * harmless since sops excludes comments from the MAC; for the comment-regex rules a value is decrypted exactly when
 * it has the `ENC[…]` shape.
 */
import { isMap, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { unwrapSopsDataKey } from "./age.ts";
import { decryptEnc, type Fail, fail, goFormatFloat, type Leaf } from "./cipher.ts";
import { parseDotenv } from "./formats.ts";
import { type Plain, parseMetadata } from "./metadata.ts";
import type { CryptRule } from "./rules.ts";
import { Decryptor, isFail } from "./tree.ts";

export { goFormatFloat };

export type DecryptResult = { ok: true; value: Value } | Fail;
export type DecryptDocsResult = { ok: true; values: Value[] } | Fail;

export interface DecryptOptions {
  /** age identities (`AGE-SECRET-KEY-1…`), e.g. from `parseAgeIdentities`. */
  identities: readonly string[];
  /** Skip the MAC check (sops `--ignore-mac`). */
  ignoreMac?: boolean;
}

/** What the metadata says about how to decrypt; only the fields decryption needs. */
export interface SopsMetadata {
  ageEncs: string[];
  /** The MAC's AAD: `lastmodified` normalized as Go's RFC3339 formatting does. */
  lastModified: string;
  mac: string;
  macOnlyEncrypted: boolean;
  rule: CryptRule;
  /** Master keys other than age that the file also lists (informational: we cannot use them). */
  otherKeyTypes: string[];
}

/** A document sops encrypted: a top-level `sops` mapping with a MAC or a modification time. */
export function isSopsEncrypted(value: Value | undefined): boolean {
  if (!isMap(value)) return false;
  const m = value.sops;
  return isMap(m) && (typeof m.mac === "string" || typeof m.lastmodified === "string");
}

/** Reads the `sops` mapping leniently, as sops' mapstructure decoding does (absent/null lists mean empty). */
export function readSopsMetadata(doc: Value): { ok: true; metadata: SopsMetadata } | Fail {
  if (!isMap(doc) || !Object.hasOwn(doc, "sops")) return fail("no-metadata", "sops metadata not found");
  const r = parseMetadata(plainOf(doc.sops as Value));
  if (!r.ok) return r;
  const m = r.metadata;
  return {
    ok: true,
    metadata: {
      ageEncs: m.age.map((a) => a.enc),
      lastModified: m.lastModifiedAad,
      mac: m.mac,
      macOnlyEncrypted: m.macOnlyEncrypted,
      rule: m.rule,
      otherKeyTypes: Object.keys(m.others),
    },
  };
}

function plainOf(v: Value): Plain {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plainOf);
  if (isMap(v)) {
    const o: { [k: string]: Plain } = {};
    for (const k of Object.keys(v)) o[k] = plainOf(v[k] as Value);
    return o;
  }
  return v;
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

/** The tree walk with a known data key (synchronous: the build unwraps keys up front). */
export function decryptWithDataKey(
  docs: readonly Value[],
  dataKey: Uint8Array,
  metadata: SopsMetadata,
  ignoreMac = false,
): DecryptDocsResult {
  const dec = new Decryptor(dataKey, metadata.rule, metadata.macOnlyEncrypted);
  const values: Value[] = [];
  for (const doc of docs) {
    if (!isMap(doc)) return fail("bad-document", "a sops document must be a mapping at the top level");
    const body = newMap();
    for (const k of Object.keys(doc)) if (k !== "sops") body[k] = doc[k] as Value;
    const r = walk(body, [], dec);
    if (isFail(r)) return r;
    values.push(r);
  }
  if (ignoreMac) return { ok: true, values };
  const computed = dec.mac();
  if (metadata.mac === "") return fail("no-mac", "the file has no MAC");
  const stored = decryptValue(metadata.mac, dataKey, metadata.lastModified);
  if (!stored.ok) return fail("mac-mismatch", `the file's MAC cannot be decrypted: ${stored.error}`);
  if (stored.text !== computed)
    return fail("mac-mismatch", `MAC mismatch: the file has ${stored.text}, computed ${computed}`);
  return { ok: true, values };
}

function walk(v: Value, path: string[], dec: Decryptor): Value | Fail {
  if (v === null) return null; // nil is neither encrypted nor hashed
  if (Array.isArray(v)) {
    const out: Value[] = [];
    // Sequence indices are not part of the AAD; decrypted list comments were comments, not data.
    for (const item of v) {
      const r = walk(item, path, dec);
      if (isFail(r)) return r;
      if (r !== DROP) out.push(r);
    }
    return out;
  }
  if (isMap(v)) {
    const out: ValueMap = newMap();
    for (const k of Object.keys(v)) {
      const r = walk(v[k] as Value, [...path, k], dec);
      if (isFail(r)) return r;
      if (r !== DROP) out[k] = r;
    }
    return out;
  }
  const r = dec.leaf(leafOf(v), path, []);
  if (isFail(r)) return fail(r.code, `${path.length === 0 ? "(top level)" : path.join(".")}: ${r.error}`);
  return leafValue(r);
}

// A unique marker for decrypted comments, which leave the tree.
const DROP = "\u0000homeops-sops-comment\u0000";

/** A loaded scalar as a sops leaf: numbers hash the same whether they were ints or floats (Go 'f' formatting). */
function leafOf(v: string | number | bigint | boolean): Leaf {
  if (typeof v === "string") return { t: "str", v };
  if (typeof v === "boolean") return { t: "bool", v };
  if (typeof v === "bigint") return { t: "int", v };
  return Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER
    ? { t: "int", v: BigInt(v) }
    : { t: "float", v };
}

function leafValue(l: Leaf): Value {
  switch (l.t) {
    case "comment":
      return DROP;
    case "int":
      return l.v >= BigInt(Number.MIN_SAFE_INTEGER) && l.v <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(l.v)
        : l.v;
    case "bytes":
      return Buffer.from(l.v).toString("utf8");
    default:
      return l.v;
  }
}

/** Decrypts one `ENC[AES256_GCM,…]` string to its text and type name. */
export function decryptValue(
  enc: string,
  dataKey: Uint8Array,
  additionalData: string,
): { ok: true; text: string; type: string } | Fail {
  const d = decryptEnc(enc, dataKey, additionalData);
  return d.ok ? { ok: true, text: d.bytes.toString("utf8"), type: d.type } : d;
}

/** Decrypts a dotenv file (the store of `.env` files a secretGenerator reads) to its key/value map. */
export async function decryptSopsDotenv(text: string, options: DecryptOptions): Promise<DecryptResult> {
  const r = parseDotenv(text);
  if (!r.ok) return r;
  if (r.file.metadata === undefined) return fail("no-metadata", "sops metadata not found");
  const doc = newMap();
  for (const it of r.file.branch.items) {
    if (!("key" in it)) continue;
    // The tree is an ordered list in sops; a map cannot hold a repeated key, so refuse rather than mis-hash.
    if (Object.hasOwn(doc, it.key)) return fail("bad-document", `duplicate key ${JSON.stringify(it.key)}`);
    doc[it.key] = it.value !== null && "t" in it.value && it.value.t === "str" ? it.value.v : "";
  }
  doc.sops = valueFromPlain(r.file.metadata);
  return decryptSops(doc, options);
}

function valueFromPlain(p: Plain): Value {
  if (Array.isArray(p)) return p.map(valueFromPlain);
  if (p !== null && typeof p === "object") {
    const m = newMap();
    for (const [k, v] of Object.entries(p)) m[k] = valueFromPlain(v);
    return m;
  }
  return p;
}
