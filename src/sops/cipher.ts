/**
 * sops' value cipher (`aes/cipher.go`): AES-256-GCM with a 32-byte IV, the key path as AAD, and the
 * `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` text form; plus the typed leaves and their plaintext bytes
 * (`ToBytes`), which are also what the MAC hashes (research/sops.md §1.3, §1.6).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** A typed leaf as sops' tree holds it. Ints are bigint (Go `int` is 64-bit); times keep their RFC3339Nano text. */
export type Leaf =
  | { t: "str"; v: string }
  | { t: "bytes"; v: Uint8Array }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "time"; v: string }
  | { t: "comment"; v: string };

export type Fail = { ok: false; error: string; code: string };
export const fail = (code: string, error: string): Fail => ({ ok: false, error, code });

// sops' RE2 pattern: anchored at the start only, greedy groups.
export const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** Whether a string has the shape of an encrypted sops value. */
export const isEncString = (s: string): boolean => ENC.test(s);

/** sops' `ToBytes`: the plaintext of a leaf, which is also its MAC input. */
export function leafBytes(l: Leaf): Buffer {
  switch (l.t) {
    case "str":
    case "time":
    case "comment":
      return Buffer.from(l.v, "utf8");
    case "bytes":
      return Buffer.from(l.v);
    case "int":
      return Buffer.from(l.v.toString());
    case "float":
      return Buffer.from(goFormatFloat(l.v));
    case "bool":
      return Buffer.from(l.v ? "True" : "False");
  }
}

/** The `type:` sops writes for a leaf (`bytes` is written as `str`, as the binary store does). */
const typeName = (l: Leaf): string => (l.t === "bytes" ? "str" : l.t);

/**
 * Remembers the IV of every value decrypted with a data key, so that re-encrypting the same plaintext at the same
 * path with the same type yields the byte-identical `ENC[…]` (sops' `Cipher.stash`): edits only change what changed.
 */
export class IvStash {
  readonly #ivs = new Map<string, Buffer>();
  static key(aad: string, type: string, plain: Buffer): string {
    return `${aad}\0${type}\0${plain.toString("base64")}`;
  }
  remember(aad: string, type: string, plain: Buffer, iv: Buffer): void {
    this.#ivs.set(IvStash.key(aad, type, plain), iv);
  }
  get(aad: string, type: string, plain: Buffer): Buffer | undefined {
    return this.#ivs.get(IvStash.key(aad, type, plain));
  }
}

/** Encrypts one leaf; empty values stay empty as sops writes them (`""` is never encrypted). */
export function encryptLeaf(l: Leaf, dataKey: Uint8Array, aad: string, stash?: IvStash): string {
  const plain = leafBytes(l);
  if (plain.length === 0 && (l.t === "str" || l.t === "bytes" || l.t === "comment")) return "";
  const type = typeName(l);
  const iv = stash?.get(aad, type, plain) ?? randomBytes(32);
  const c = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: 16 });
  c.setAAD(Buffer.from(aad, "utf8"));
  const data = Buffer.concat([c.update(plain), c.final()]);
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${c.getAuthTag().toString("base64")},type:${type}]`;
}

export type Decrypted = { ok: true; bytes: Buffer; type: string; iv: Buffer };

/** Decrypts one `ENC[AES256_GCM,…]` string (any IV length; sops writes 32 bytes). */
export function decryptEnc(enc: string, dataKey: Uint8Array, aad: string): Decrypted | Fail {
  const m = ENC.exec(enc);
  if (m === null) return fail("bad-value", "the value does not have sops' ENC[AES256_GCM,…] format");
  const [, data, iv, tag, type] = m as unknown as [string, string, string, string, string];
  const b64 = /^[A-Za-z0-9+/]*={0,2}$/;
  if (!b64.test(data) || !b64.test(iv) || !b64.test(tag))
    return fail("bad-value", "malformed base64 in ENC[…]");
  const ivBytes = Buffer.from(iv, "base64");
  const tagBytes = Buffer.from(tag, "base64");
  if (ivBytes.length === 0 || tagBytes.length !== 16)
    return fail("bad-value", "malformed iv or tag in ENC[…]");
  try {
    const d = createDecipheriv("aes-256-gcm", dataKey, ivBytes, { authTagLength: 16 });
    d.setAAD(Buffer.from(aad, "utf8"));
    d.setAuthTag(tagBytes);
    const bytes = Buffer.concat([d.update(Buffer.from(data, "base64")), d.final()]);
    return { ok: true, bytes, type, iv: ivBytes };
  } catch {
    return fail("auth-failed", "decryption failed: wrong data key, or the value was tampered with or moved");
  }
}

/** Decrypted text back to its typed leaf, as sops' `Decrypt` switch does. */
export function leafFromPlaintext(bytes: Buffer, type: string): { ok: true; leaf: Leaf } | Fail {
  const text = bytes.toString("utf8");
  switch (type) {
    case "str":
      return { ok: true, leaf: { t: "str", v: text } };
    case "bytes":
      return { ok: true, leaf: { t: "bytes", v: bytes } };
    case "time":
      return { ok: true, leaf: { t: "time", v: text } };
    case "comment":
      return { ok: true, leaf: { t: "comment", v: text } };
    case "int": {
      if (!/^[+-]?\d+$/.test(text)) return fail("bad-value", `invalid int ${JSON.stringify(text)}`);
      const b = BigInt(text);
      if (b > 0x7fffffffffffffffn || b < -0x8000000000000000n)
        return fail("bad-value", `int ${text} overflows`);
      return { ok: true, leaf: { t: "int", v: b } };
    }
    case "float": {
      const f = goParseFloat(text);
      return f === undefined
        ? fail("bad-value", `invalid float ${JSON.stringify(text)}`)
        : { ok: true, leaf: { t: "float", v: f } };
    }
    case "bool": {
      if (["1", "t", "T", "TRUE", "true", "True"].includes(text))
        return { ok: true, leaf: { t: "bool", v: true } };
      if (["0", "f", "F", "FALSE", "false", "False"].includes(text))
        return { ok: true, leaf: { t: "bool", v: false } };
      return fail("bad-value", `invalid bool ${JSON.stringify(text)}`);
    }
    default:
      return fail("bad-value", `unknown datatype ${JSON.stringify(type)}`);
  }
}

function goParseFloat(s: string): number | undefined {
  const t = s.replace(/^\+/, "");
  if (/^-?inf(inity)?$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
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

/** AAD of a value: the mapping keys from the root joined with ':' plus a trailing ':' (top level → ":"). */
export const aadOf = (path: readonly string[]): string => `${path.join(":")}:`;

/** Go `time.Parse(RFC3339)` then `Format(RFC3339)`: seconds precision, `Z` for a zero offset. */
export function rfc3339(s: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (m === null) return undefined;
  const [, date, time, zone] = m as unknown as [string, string, string, string];
  const z = zone === "z" || zone === "Z" || zone === "+00:00" || zone === "-00:00" ? "Z" : zone;
  return `${date}T${time}${z}`;
}

/** The current time as sops writes `lastmodified`: UTC, seconds, `Z`. */
export function nowRfc3339(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}
