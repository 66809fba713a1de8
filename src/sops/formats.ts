/**
 * sops' JSON, dotenv, INI and binary stores (research/sops.md §1.9.2–§1.9.5): parse a file into the generic tree
 * (key order and duplicates kept, comments as items) with its `sops` metadata split off, and emit it back.
 */
import { formatGoJsonNumber, goJsonString } from "../core/yaml/go-json.ts";
import { type Fail, fail, type Leaf } from "./cipher.ts";
import { flattenMetadata, metadataEntries, type Plain, type SopsMetadata, setFlattened } from "./metadata.ts";
import { isLeaf, type TItem, type TMap, type TNode } from "./tree.ts";

export type Format = "yaml" | "json" | "dotenv" | "ini" | "binary";

/** The store sops picks by file extension; anything unknown is binary (so `x.yaml.enc` is binary). */
export function formatForPath(file: string): Format {
  const m = /\.([^./\\]+)$/.exec(file);
  switch (m?.[1]) {
    case "yaml":
    case "yml":
      return "yaml";
    case "json":
      return "json";
    case "env":
      return "dotenv";
    case "ini":
      return "ini";
    default:
      return "binary";
  }
}

/** A file of a generic store: one branch, and the raw metadata if the file had any. */
export interface GenericFile {
  branch: TMap;
  metadata?: Plain;
}
type Parsed = { ok: true; file: GenericFile } | Fail;

// ---------------------------------------------------------------- JSON

/** Order-preserving JSON parser (duplicate keys kept; numbers typed as sops 3.10 does: float64). */
export function parseJson(text: string): Parsed {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i] as string)) i++;
  };
  const err = (what: string): Fail => {
    const before = text.slice(0, i);
    const line = before.split("\n").length;
    return fail("bad-document", `invalid JSON at line ${line}: ${what}`);
  };
  const str = (): string | Fail => {
    const m = /^"(?:[^"\\\p{Cc}]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/u.exec(
      text.slice(i, i + 64 * 1024 * 1024),
    );
    if (m === null) return err("bad string");
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const value = (depth: number): TNode | Fail => {
    if (depth > 1000) return err("nesting too deep");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const items: TItem[] = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { kind: "map", items };
      }
      for (;;) {
        ws();
        const k = str();
        if (typeof k !== "string") return k;
        ws();
        if (text[i] !== ":") return err("expected ':'");
        i++;
        const v = value(depth + 1);
        if (isFailNode(v)) return v;
        items.push({ key: k, value: v });
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return { kind: "map", items };
        } else return err("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const out: TNode[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        const v = value(depth + 1);
        if (isFailNode(v)) return v;
        out.push(v);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return out;
        } else return err("expected ',' or ']'");
      }
    }
    if (c === '"') {
      const s = str();
      return typeof s === "string" ? { t: "str", v: s } : s;
    }
    for (const [lit, v] of [
      ["true", { t: "bool", v: true }],
      ["false", { t: "bool", v: false }],
      ["null", null],
    ] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v === null ? null : { ...v };
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 1000));
    if (m === null) return err("unexpected character");
    i += m[0].length;
    return { t: "float", v: Number(m[0]) };
  };
  const root = value(0);
  if (isFailNode(root)) return root;
  ws();
  if (i < text.length) return err("trailing data");
  if (root === null || Array.isArray(root) || !("kind" in root))
    return fail(
      "bad-document",
      'the top level of a JSON file must be an object (wrap a list as {"data": [...]})',
    );
  return splitMetadata(root);
}

function isFailNode(x: TNode | Fail): x is Fail {
  return x !== null && !Array.isArray(x) && "ok" in x;
}

/** Takes the top-level `sops` entry out of a branch (duplicate `sops` entries are an error). */
function splitMetadata(branch: TMap): Parsed {
  const idx = branch.items.flatMap((it, n) => ("key" in it && it.key === "sops" ? [n] : []));
  if (idx.length > 1) return fail("bad-metadata", "the file has more than one sops entry");
  const file: GenericFile = { branch };
  const n = idx[0];
  if (n !== undefined) {
    const it = branch.items[n] as { key: string; value: TNode };
    file.metadata = toPlain(it.value);
    branch.items.splice(n, 1);
  }
  return { ok: true, file };
}

function toPlain(n: TNode): Plain {
  if (n === null) return null;
  if (Array.isArray(n)) return n.map(toPlain);
  if ("kind" in n) {
    const o: { [k: string]: Plain } = {};
    for (const it of n.items) if ("key" in it) o[it.key] = toPlain(it.value);
    return o;
  }
  if (n.t === "bool") return n.v;
  if (n.t === "float") return n.v;
  if (n.t === "int") return Number(n.v);
  return typeof n.v === "string" ? n.v : Buffer.from(n.v).toString("utf8");
}

/** Go's json.Indent of the compact encoding: one entry per line, `"key": value`, tab indentation by default. */
export function emitJson(branch: TMap, metadata?: SopsMetadata, indent = "\t"): string {
  const root: TMap = { kind: "map", items: [...branch.items] };
  if (metadata) root.items.push({ key: "sops", value: metadataNode(metadata) });
  return `${jsonValue(root, "", indent)}\n`;
}

function jsonValue(n: TNode, pad: string, indent: string): string {
  if (n === null) return "null";
  const inner = pad + indent;
  const nl = indent === "" ? "" : "\n";
  if (Array.isArray(n)) {
    if (n.length === 0) return "[]";
    const parts = n
      .filter((x) => !(isLeaf(x) && x.t === "comment"))
      .map((x) => inner + jsonValue(x, inner, indent));
    return `[${nl}${parts.join(`,${nl}`)}${nl}${pad}]`;
  }
  if ("kind" in n) {
    const entries = n.items.filter((it): it is { key: string; value: TNode } => "key" in it);
    if (entries.length === 0) return "{}";
    const sep = indent === "" ? ":" : ": ";
    const parts = entries.map(
      (it) => `${inner}${goJsonString(it.key)}${sep}${jsonValue(it.value, inner, indent)}`,
    );
    return `{${nl}${parts.join(`,${nl}`)}${nl}${pad}}`;
  }
  return jsonLeaf(n);
}

function jsonLeaf(l: Leaf): string {
  switch (l.t) {
    case "bool":
      return l.v ? "true" : "false";
    case "int":
      return l.v.toString();
    case "float":
      return Number.isFinite(l.v) ? formatGoJsonNumber(l.v) : goJsonString(String(l.v));
    case "bytes":
      return goJsonString(Buffer.from(l.v).toString("utf8"));
    default:
      return goJsonString(l.v);
  }
}

/** The metadata as a generic node (for the JSON and binary stores). */
function metadataNode(md: SopsMetadata): TMap {
  const conv = (v: Plain): TNode => {
    if (v === null) return null;
    if (Array.isArray(v)) return v.map(conv);
    if (typeof v === "object")
      return { kind: "map", items: Object.entries(v).map(([key, x]) => ({ key, value: conv(x) })) };
    if (typeof v === "boolean") return { t: "bool", v };
    if (typeof v === "number") return { t: "float", v };
    return { t: "str", v };
  };
  return { kind: "map", items: metadataEntries(md).map(([key, v]) => ({ key, value: conv(v as Plain) })) };
}

// ---------------------------------------------------------------- dotenv

/** sops' dotenv store: split on `\n`, `#` lines are comments, `key=value` at the first `=`, `\n` escapes. */
export function parseDotenv(text: string): Parsed {
  const branch: TMap = { kind: "map", items: [] };
  const meta: { [k: string]: Plain } = {};
  let hasMeta = false;
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      branch.items.push({ comment: line.slice(1) });
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) return fail("bad-document", `line ${i + 1}: invalid dotenv input line (no '=')`);
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1).replaceAll("\\n", "\n");
    if (k.startsWith("sops_")) {
      hasMeta = true;
      if (!setFlattened(meta, k.slice(5), v))
        return fail("bad-metadata", `line ${i + 1}: malformed sops key ${k}`);
    } else branch.items.push({ key: k, value: { t: "str", v } });
  }
  return { ok: true, file: hasMeta ? { branch, metadata: meta } : { branch } };
}

export function emitDotenv(branch: TMap, metadata?: SopsMetadata): string | Fail {
  let out = "";
  for (const it of branch.items) {
    if ("comment" in it) {
      out += `#${it.comment}\n`;
      continue;
    }
    const v = it.value;
    if (v !== null && !isLeaf(v))
      return fail("bad-document", `dotenv cannot hold the nested value of ${it.key}`);
    out += `${it.key}=${v === null ? "" : leafText(v).replaceAll("\n", "\\n")}\n`;
  }
  if (metadata)
    for (const [k, v] of flattenMetadata(metadata)) out += `sops_${k}=${v.replaceAll("\n", "\\n")}\n`;
  return out;
}

/** A leaf as plain text (sops' `ValToString`). */
export function leafText(l: Leaf): string {
  switch (l.t) {
    case "bool":
      return l.v ? "true" : "false";
    case "int":
      return l.v.toString();
    case "float":
      return String(l.v);
    case "bytes":
      return Buffer.from(l.v).toString("utf8");
    default:
      return l.v;
  }
}

// ---------------------------------------------------------------- INI

/** sops' INI store (gopkg.in/ini.v1): sections become top-level keys, values are strings, `;`/`#` comments. */
export function parseIni(text: string): Parsed {
  const branch: TMap = { kind: "map", items: [] };
  const meta: { [k: string]: Plain } = {};
  let hasMeta = false;
  let section: TMap | undefined;
  let sectionName = "";
  let pending: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "") continue;
    if (line.startsWith(";") || line.startsWith("#")) {
      pending.push(line.replace(/^[;#]\s*/, ""));
      continue;
    }
    const sec = /^\[(.*)\]$/.exec(line);
    if (sec) {
      sectionName = (sec[1] as string).trim();
      section = { kind: "map", items: pending.map((c) => ({ comment: c })) };
      pending = [];
      if (sectionName !== "sops") branch.items.push({ key: sectionName, value: section });
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq < 0) return fail("bad-document", `line ${i + 1}: invalid INI line (no '=')`);
    const k = line.slice(0, eq).trim();
    let v = line.slice(eq + 1).trim();
    if (v.startsWith('"""')) {
      // ini.v1 multi-line value
      let body = v.slice(3);
      while (!body.endsWith('"""') && i + 1 < lines.length) body += `\n${lines[++i] as string}`;
      if (!body.endsWith('"""')) return fail("bad-document", `line ${i + 1}: unterminated """ value`);
      v = body.slice(0, -3);
    }
    if (sectionName === "sops") {
      hasMeta = true;
      if (!setFlattened(meta, k, v.replaceAll("\\n", "\n")))
        return fail("bad-metadata", `line ${i + 1}: malformed sops key ${k}`);
      continue;
    }
    if (!section) {
      sectionName = "DEFAULT";
      section = { kind: "map", items: [] };
      branch.items.push({ key: sectionName, value: section });
    }
    section.items.push(...pending.map((c) => ({ comment: c })), { key: k, value: { t: "str", v } });
    pending = [];
  }
  return { ok: true, file: hasMeta ? { branch, metadata: meta } : { branch } };
}

export function emitIni(branch: TMap, metadata?: SopsMetadata): string | Fail {
  const sections: string[] = [];
  const block = (name: string, items: TItem[]): string | Fail => {
    const head: string[] = [];
    const body: [string, string, string[]][] = [];
    let comments: string[] = [];
    for (const it of items) {
      if ("comment" in it) {
        if (body.length === 0) head.push(it.comment);
        else comments.push(it.comment);
        continue;
      }
      const v = it.value;
      if (v !== null && !isLeaf(v))
        return fail("bad-document", `INI cannot hold the nested value of ${name}.${it.key}`);
      const text = v === null ? "" : leafText(v);
      body.push([it.key, text.includes("\n") ? `"""${text}"""` : text, comments]);
      comments = [];
    }
    const width = Math.max(0, ...body.map(([k]) => k.length));
    let s = head.map((c) => `; ${c}\n`).join("");
    // ini.v1 writes the keys of the implicit DEFAULT section without a header.
    if (name !== "DEFAULT") s += `[${name}]\n`;
    for (const [k, v, cs] of body) s += `${cs.map((c) => `; ${c}\n`).join("")}${k.padEnd(width)} = ${v}\n`;
    return s;
  };
  for (const it of branch.items) {
    if ("comment" in it) continue;
    const v = it.value;
    if (v === null || Array.isArray(v) || !("kind" in v))
      return fail("bad-document", `INI top-level entry ${it.key} must be a section`);
    const b = block(it.key, v.items);
    if (typeof b !== "string") return b;
    sections.push(b);
  }
  if (metadata) {
    const items: TItem[] = flattenMetadata(metadata).map(([key, v]) => ({
      key,
      value: { t: "str", v: v.replaceAll("\n", "\\n") },
    }));
    sections.push(block("sops", items) as string);
  }
  return sections.join("\n");
}

// ---------------------------------------------------------------- binary

export function emitBinaryEnvelope(enc: string, metadata: SopsMetadata): string {
  return emitJson({ kind: "map", items: [{ key: "data", value: { t: "str", v: enc } }] }, metadata);
}
