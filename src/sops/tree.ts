/**
 * sops' tree walk (`sops.go` `walkBranch`/`walkSlice`, `Tree.Encrypt`/`Tree.Decrypt`): every leaf in document order,
 * with its key path (sequence indices are not part of it) and the comments of each enclosing collection. The
 * processors encrypt or decrypt a leaf and feed the MAC; the stores walk their own syntax trees and call them.
 */
import { createHash, type Hash } from "node:crypto";
import {
  aadOf,
  decryptEnc,
  encryptLeaf,
  type Fail,
  fail,
  IvStash,
  isEncString,
  type Leaf,
  leafBytes,
  leafFromPlaintext,
} from "./cipher.ts";
import { type CryptRule, shouldBeEncrypted } from "./rules.ts";

/** Format-independent tree (JSON, dotenv, INI, binary): ordered items, comments as items. */
export type TNode = Leaf | null | TMap | TNode[];
export interface TMap {
  kind: "map";
  items: TItem[];
}
export type TItem = { key: string; value: TNode } | { comment: string };

/** Called for each leaf in walk order; returns its replacement (comments stay comments). */
export type LeafFn = (leaf: Leaf, path: readonly string[], comments: string[][]) => Leaf | Fail;

export const isLeaf = (n: TNode): n is Leaf => n !== null && !Array.isArray(n) && !("kind" in n);

/** Walks a generic tree in place; the first failure stops the walk and is returned (with the key path). */
export function walkTree(n: TNode, path: string[], comments: string[][], fn: LeafFn): TNode | Fail {
  if (n === null) return null; // nil is neither encrypted nor hashed
  if (Array.isArray(n)) {
    const s = [...comments, [] as string[]];
    for (const [i, item] of n.entries()) {
      const isComment = isLeaf(item) && item.t === "comment";
      if (isComment) (s[s.length - 1] as string[]).push(item.v);
      const r = walkTree(item, path, s, fn);
      if (isFail(r)) return r;
      n[i] = r;
      if (!isComment) s[s.length - 1] = [];
    }
    return n;
  }
  if ("kind" in n) {
    const s = [...comments, [] as string[]];
    for (const item of n.items) {
      if ("comment" in item) {
        (s[s.length - 1] as string[]).push(item.comment);
        const r = fn({ t: "comment", v: item.comment }, path, s);
        if (isFail(r)) return r;
        item.comment = String(r.v);
        continue;
      }
      const r = walkTree(item.value, [...path, item.key], s, fn);
      if (isFail(r)) return r;
      item.value = r;
      s[s.length - 1] = [];
    }
    return n;
  }
  const r = fn(n, path, comments);
  return isFail(r) ? withPath(r, path) : r;
}

export const isFail = (x: unknown): x is Fail =>
  typeof x === "object" && x !== null && (x as { ok?: unknown }).ok === false;

const withPath = (f: Fail, path: readonly string[]): Fail =>
  fail(f.code, `${path.length === 0 ? "(top level)" : path.join(".")}: ${f.error}`);

/** Encrypts leaves and computes the MAC over their plaintext (`Tree.Encrypt`). */
export class Encryptor {
  readonly #hash: Hash = createHash("sha512");
  constructor(
    readonly dataKey: Uint8Array,
    readonly rule: CryptRule,
    readonly macOnlyEncrypted: boolean,
    readonly stash?: IvStash,
  ) {
    // sops seeds the hash so that a file cannot be switched between the two MAC modes unnoticed.
    if (macOnlyEncrypted) this.#hash.update(createHash("sha256").update("sops").digest());
  }

  readonly leaf: LeafFn = (leaf, path, comments) => {
    const isComment = leaf.t === "comment";
    const enc = shouldBeEncrypted(this.rule, path, comments, isComment);
    if ((!this.macOnlyEncrypted || enc) && !isComment) this.#hash.update(leafBytes(leaf));
    if (!enc) return leaf;
    const text = encryptLeaf(leaf, this.dataKey, aadOf(path), this.stash);
    return isComment ? { t: "comment", v: text } : { t: "str", v: text };
  };

  /** Hashes raw bytes (the binary store's MAC is over the file). */
  hashBytes(b: Uint8Array): void {
    this.#hash.update(b);
  }

  mac(): string {
    return this.#hash.digest("hex").toUpperCase();
  }
}

/** Decrypts leaves, remembers their IVs for later re-encryption, and recomputes the MAC (`Tree.Decrypt`). */
export class Decryptor {
  readonly #hash: Hash = createHash("sha512");
  readonly stash = new IvStash();
  constructor(
    readonly dataKey: Uint8Array,
    readonly rule: CryptRule,
    readonly macOnlyEncrypted: boolean,
  ) {
    if (macOnlyEncrypted) this.#hash.update(createHash("sha256").update("sops").digest());
  }

  readonly leaf: LeafFn = (leaf, path, comments) => {
    const isComment = leaf.t === "comment";
    // The comment rules look at comments that are themselves encrypted: decide by the value's shape instead.
    const enc =
      this.rule.key === "encrypted_comment_regex" || this.rule.key === "unencrypted_comment_regex"
        ? (leaf.t === "str" || isComment) && isEncString(leaf.v)
        : shouldBeEncrypted(this.rule, path, comments, isComment);
    let out: Leaf = leaf;
    if (enc) {
      if (leaf.t !== "str" && leaf.t !== "comment")
        return fail(
          "bad-value",
          `expected an encrypted string, found a ${leaf.t === "int" ? "number" : leaf.t}`,
        );
      // sops never encrypts empty values, and a plain comment in an encrypted file stays as written.
      if (leaf.v !== "" && !(isComment && !isEncString(leaf.v))) {
        const aad = aadOf(path);
        const d = decryptEnc(leaf.v, this.dataKey, aad);
        if (!d.ok) return d;
        const typed = leafFromPlaintext(d.bytes, d.type);
        if (!typed.ok) return typed;
        out = typed.leaf;
        this.stash.remember(aad, d.type, d.bytes, d.iv);
      }
    }
    if ((!this.macOnlyEncrypted || enc) && out.t !== "comment") this.#hash.update(leafBytes(out));
    return out;
  };

  hashBytes(b: Uint8Array): void {
    this.#hash.update(b);
  }

  mac(): string {
    return this.#hash.digest("hex").toUpperCase();
  }
}
