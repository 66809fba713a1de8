/**
 * sops' YAML store on eemeli `yaml` syntax trees, so that what sops does not care about survives: comments stay where
 * they were (encrypted as `#ENC[…]` unless the rule leaves them plain), key order, quoting of untouched values,
 * multi-document streams. Parsed with the failsafe schema so every scalar keeps its source text; types are
 * resolved here as go-yaml v3 resolves them (research/sops.md §1.9.1).
 *
 * Aliases: sops expands them (the AAD is the path, so one ciphertext cannot serve two paths). Here an alias is kept
 * when nothing under it is encrypted at the alias's path (its values still count in the MAC, expanded, as sops
 * hashes them); otherwise it is replaced by an encrypted copy of its target.
 */
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { emitYaml, formatFloatG, resolvesToNonString } from "../core/yaml/emit.ts";
import { parseTimestamp } from "../core/yaml/load.ts";
import { type Fail, fail, type Leaf } from "./cipher.ts";
import { metadataEntries, type Plain, type SopsMetadata } from "./metadata.ts";
import { isFail, type LeafFn } from "./tree.ts";

export interface YamlFile {
  docs: Document[];
  /** The `sops` entry of the first document, if any (later copies are dropped, as sops reads only the first). */
  metadata?: Plain;
}

export function parseYamlFile(text: string): { ok: true; file: YamlFile } | Fail {
  const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) return fail("bad-document", "not a YAML stream");
  const file: YamlFile = { docs: [] };
  for (const [n, d] of docs.entries()) {
    const e = d.errors[0];
    if (e) return fail("bad-document", `YAML document ${n + 1}: ${e.message.split("\n")[0]}`);
    const c = d.contents;
    if (c !== null && !isMap(c))
      return fail(
        "bad-document",
        `YAML document ${n + 1}: the top level must be a mapping (sequences and scalars are not supported)`,
      );
    if (c) {
      const idx = c.items.findIndex((p) => isScalar(p.key) && p.key.value === "sops");
      if (idx >= 0) {
        const pair = c.items[idx];
        if (n === 0)
          file.metadata = (
            pair?.value ? (pair.value as Node).toJS(d, { maxAliasCount: 100 }) : null
          ) as Plain;
        c.items.splice(idx, 1);
      }
    }
    SOURCE.set(d, text);
    file.docs.push(d);
  }
  return { ok: true, file };
}

/** Walks every document in order with the processor, rewriting leaves and comments in place. */
export function walkYaml(file: YamlFile, fn: LeafFn): Fail | undefined {
  for (const doc of file.docs) {
    // Aliases resolve against the document as it was before any value was rewritten.
    PRISTINE.set(doc, doc.clone());
    const top: string[][] = [[]];
    const c = commentLines(doc, "commentBefore", [], top, fn);
    if (isFail(c)) return c;
    if (doc.contents) {
      const r = walkNode(doc, doc.contents as Node, [], [], fn);
      if (isFail(r)) return r;
    }
    const f = commentLines(doc, "comment", [], top, fn);
    if (isFail(f)) return f;
  }
  return undefined;
}

const PRISTINE = new WeakMap<Document, Document>();
/** The text each parsed document came from (its nodes' ranges point into it). */
const SOURCE = new WeakMap<Document, string>();

type Commented = { commentBefore?: string | null | undefined; comment?: string | null | undefined };

/** Encrypts/decrypts the lines of one comment field; each line is one sops comment. */
function commentLines(
  holder: Commented,
  field: "commentBefore" | "comment",
  path: string[],
  stack: string[][],
  fn: LeafFn,
): Fail | undefined {
  const text = holder[field];
  if (!text) return undefined;
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") {
      out.push(line);
      continue;
    }
    (stack[stack.length - 1] as string[]).push(line);
    const r = fn({ t: "comment", v: line }, path, stack);
    if (isFail(r)) return r;
    out.push(String(r.v));
  }
  holder[field] = out.join("\n");
  return undefined;
}

function walkNode(doc: Document, node: Node, path: string[], stack: string[][], fn: LeafFn): Node | Fail {
  if (isMap(node)) {
    const s = [...stack, [] as string[]];
    let r = commentLines(node, "commentBefore", path, s, fn);
    if (r) return r;
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value !== "string")
        return fail("bad-document", `${where(path)}: keys must be strings`);
      // sops cannot open a file with keys go-yaml reads as numbers, booleans, dates or null.
      const k = scalarLeaf(key);
      if ((key.tag && key.tag !== "tag:yaml.org,2002:str") || k === null || k.t !== "str")
        return fail(
          "bad-document",
          `${where([...path, key.value])}: keys must be strings (quote ${JSON.stringify(key.value)})`,
        );
      r = commentLines(key, "commentBefore", path, s, fn);
      if (r) return r;
      const childPath = [...path, key.value];
      let keyLine: { commentBefore: string } | undefined;
      if (pair.value !== null && pair.value !== undefined) {
        // `key: # comment` above a nested collection belongs to this mapping (go-yaml: the key's line comment).
        const onKeyLine = keyLineComment(doc, key, pair.value as Node);
        if (onKeyLine !== undefined) {
          const coll = pair.value as YAMLMap | YAMLSeq;
          keyLine = { commentBefore: onKeyLine.first };
          coll.commentBefore = onKeyLine.rest;
          r = commentLines(keyLine, "commentBefore", path, s, fn);
          if (r) return r;
        }
        const v = walkNode(doc, pair.value as Node, childPath, s, fn);
        if (isFail(v)) return v;
        pair.value = v;
        if (isScalar(v) || isAlias(v)) {
          r = commentLines(v, "comment", path, s, fn);
          if (r) return r;
        }
      }
      r = commentLines(key, "comment", path, s, fn);
      if (r) return r;
      // Written back as the key's comment, which is printed on the key's line again.
      if (keyLine)
        key.comment = key.comment ? `${keyLine.commentBefore}\n${key.comment}` : keyLine.commentBefore;
      s[s.length - 1] = [];
    }
    r = commentLines(node, "comment", path, s, fn);
    return r ?? node;
  }
  if (isSeq(node)) {
    const s = [...stack, [] as string[]];
    let r = commentLines(node, "commentBefore", path, s, fn);
    if (r) return r;
    // sops writes an encrypted comment inside a list as a list element; decrypted, it is a comment again.
    let pending: string[] = [];
    const items: unknown[] = [];
    for (const item of node.items) {
      if (item === null || item === undefined) {
        items.push(item);
        continue;
      }
      r = commentLines(item as Commented, "commentBefore", path, s, fn);
      if (r) return r;
      const v = walkNode(doc, item as Node, path, s, fn);
      if (isFail(v)) return v;
      if (isScalar(v) && COMMENT_ITEMS.has(v)) {
        pending.push(String(v.value));
        continue;
      }
      if (pending.length > 0) {
        const c = v as Commented;
        c.commentBefore = [...pending, ...(c.commentBefore ? [c.commentBefore] : [])].join("\n");
        pending = [];
      }
      items.push(v);
      if (isScalar(v)) {
        r = commentLines(v, "comment", path, s, fn);
        if (r) return r;
      }
      s[s.length - 1] = [];
    }
    node.items = items;
    r = commentLines(node, "comment", path, s, fn);
    if (pending.length > 0) node.comment = [...(node.comment ? [node.comment] : []), ...pending].join("\n");
    return r ?? node;
  }
  if (isAlias(node)) return walkAlias(doc, node, path, stack, fn);
  if (isScalar(node)) {
    const leaf = scalarLeaf(node);
    if (leaf === null) return node;
    const r = fn(leaf, path, stack);
    if (isFail(r)) return fail(r.code, `${where(path)}: ${r.error}`);
    if (r !== leaf) setScalar(node, r);
    if (r.t === "comment" && leaf.t !== "comment") COMMENT_ITEMS.add(node);
    return node;
  }
  return node;
}

/** Scalars that decrypted to a comment (sops' list comments): their sequence turns them back into comments. */
const COMMENT_ITEMS = new WeakSet<Scalar>();

/** The first line of a collection's leading comment when it sits on its key's line (`key: # c`). */
function keyLineComment(
  doc: Document,
  key: Scalar,
  value: Node,
): { first: string; rest: string } | undefined {
  if (!(isMap(value) || isSeq(value)) || !value.commentBefore) return undefined;
  const src = SOURCE.get(doc);
  const from = key.range?.[1];
  const to = value.range?.[0];
  if (src === undefined || from === undefined || to === undefined) return undefined;
  const between = src.slice(from, to);
  const nl = between.indexOf("\n");
  if (!(nl < 0 ? between : between.slice(0, nl)).includes("#")) return undefined;
  const [first = "", ...rest] = value.commentBefore.split("\n");
  return { first, rest: rest.join("\n") };
}

/** An alias stays an alias when walking a copy of its target changes nothing; otherwise the copy replaces it. */
function walkAlias(doc: Document, node: Alias, path: string[], stack: string[][], fn: LeafFn): Node | Fail {
  const target = node.resolve(PRISTINE.get(doc) ?? doc);
  if (!target) return fail("bad-document", `${where(path)}: unknown alias *${node.source}`);
  const copy = (target as Node).clone() as Node;
  if ("anchor" in copy) delete (copy as { anchor?: string }).anchor;
  const before = String(copy);
  const walked = walkNode(doc, copy, path, stack, fn);
  if (isFail(walked)) return walked;
  return String(walked) === before ? node : walked;
}

const where = (path: readonly string[]): string => (path.length === 0 ? "(top level)" : path.join("."));

/** A scalar as go-yaml v3 decodes it into `interface{}`; null for nil (never encrypted, never hashed). */
export function scalarLeaf(s: Scalar): Leaf | null {
  const text = String(s.value ?? "");
  const tag = s.tag;
  if (s.type !== "PLAIN" && s.type !== undefined) return { t: "str", v: text };
  if (tag === "tag:yaml.org,2002:str" || tag === "tag:yaml.org,2002:binary") return { t: "str", v: text };
  return resolvePlain(text);
}

/** go-yaml v3's resolution of a plain scalar (YAML 1.2 booleans, Go integer syntax, timestamps). */
export function resolvePlain(text: string): Leaf | null {
  if (["", "~", "null", "Null", "NULL"].includes(text)) return null;
  if (["true", "True", "TRUE"].includes(text)) return { t: "bool", v: true };
  if (["false", "False", "FALSE"].includes(text)) return { t: "bool", v: false };
  if ([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].includes(text)) return { t: "float", v: Infinity };
  if (["-.inf", "-.Inf", "-.INF"].includes(text)) return { t: "float", v: -Infinity };
  if ([".nan", ".NaN", ".NAN"].includes(text)) return { t: "float", v: Number.NaN };
  const ts = parseTimestamp(text);
  if (ts !== undefined) return { t: "time", v: ts };
  const plain = text.replaceAll("_", "");
  const m = /^([+-]?)(?:0[bB]([01]+)|0[oO]([0-7]+)|0[xX]([0-9a-fA-F]+)|0([0-7]+)|(0|[1-9][0-9]*))$/.exec(
    plain,
  );
  if (m) {
    const [, sign, b, o, x, oct, dec] = m;
    const v =
      b !== undefined
        ? BigInt(`0b${b}`)
        : o !== undefined
          ? BigInt(`0o${o}`)
          : x !== undefined
            ? BigInt(`0x${x}`)
            : oct !== undefined
              ? BigInt(`0o${oct}`)
              : BigInt(dec as string);
    const n = sign === "-" ? -v : v;
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return { t: "int", v: n };
  }
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return { t: "float", v: f };
  }
  return { t: "str", v: text };
}

/** Writes a leaf back into a scalar node in go-yaml's style for that type. */
function setScalar(s: Scalar, l: Leaf): void {
  delete s.tag;
  switch (l.t) {
    case "str":
    case "comment":
    case "bytes": {
      const v = typeof l.v === "string" ? l.v : Buffer.from(l.v).toString("utf8");
      s.value = v;
      s.type = v.includes("\n") ? "BLOCK_LITERAL" : resolvesToNonString(v) ? "QUOTE_DOUBLE" : "PLAIN";
      return;
    }
    case "int":
      s.value = l.v.toString();
      break;
    case "float":
      s.value = Number.isNaN(l.v)
        ? ".nan"
        : l.v === Infinity
          ? ".inf"
          : l.v === -Infinity
            ? "-.inf"
            : formatFloatG(l.v);
      break;
    case "bool":
      s.value = l.v ? "true" : "false";
      break;
    case "time":
      s.value = l.v;
      break;
  }
  s.type = "PLAIN";
}

/** The documents joined as sops writes them (`---` between, none before the first), metadata last in each. */
export function emitYamlFile(file: YamlFile, metadata: SopsMetadata | undefined, indent = 4): string {
  const meta = metadata ? metadataYaml(metadata, indent) : "";
  return file.docs
    .map((d) => {
      let body = d.contents ? d.toString({ indent, lineWidth: 0, directives: false }) : "";
      if (d.contents && (d.contents as YAMLMap).items.length === 0) body = "";
      if (body.startsWith("---\n")) body = body.slice(4);
      return body + meta;
    })
    .join("---\n");
}

/** The `sops:` block as go-yaml v3 writes it with sops' indentation (sequences indented, literal `enc`). */
export function metadataYaml(md: SopsMetadata, indent: number): string {
  const pad = (n: number) => " ".repeat(n);
  let out = "sops:\n";
  for (const [k, v] of metadataEntries(md)) {
    if (typeof v === "string" || typeof v === "boolean") {
      out += `${pad(indent)}${k}: ${typeof v === "boolean" ? String(v) : scalarText(v)}\n`;
      continue;
    }
    out += `${pad(indent)}${k}:\n`;
    const dash = 2 * indent;
    for (const entry of v) {
      let first = true;
      for (const [ek, ev] of Object.entries((entry ?? {}) as { [k: string]: Plain })) {
        const lead = first ? `${pad(dash)}- ` : pad(dash + 2);
        first = false;
        const text = String(ev ?? "");
        if (text.includes("\n")) {
          const body = indent * Math.floor((dash + 2 + indent) / indent);
          const chomp = text.endsWith("\n") ? (text.endsWith("\n\n") ? "+" : "") : "-";
          const lines = (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
          out += `${lead}${ek}: |${chomp}\n${lines.map((l) => (l === "" ? "" : pad(body) + l)).join("\n")}\n`;
        } else out += `${lead}${ek}: ${scalarText(text)}\n`;
      }
    }
  }
  return out;
}

/** A single-line string as go-yaml prints it (plain when that reads back as the same string, else quoted). */
function scalarText(s: string): string {
  return emitYaml({ k: s }).slice(3, -1);
}
