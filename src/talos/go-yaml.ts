/**
 * YAML output as Go's gopkg.in/yaml.v3 encoder writes it with a 4-space indent, which is how Talos encodes machine
 * configs (`encoder.CommentsDisabled`) and how image-factory hashes schematics. The emitter's indentation rules, its
 * choice between plain, quoted and literal scalars, and its map-key order are reproduced so output is byte-identical.
 */

import { analyze } from "../core/yaml/emit.ts";

export type GoValue = string | number | boolean | null | GoValue[] | { [key: string]: GoValue };

/** Encodes one document; `indent` is the emitter's best indent (Talos: 4, talhelper's re-encode: 2). */
export function encodeGoYaml(value: GoValue, indent = 4): string {
  const out: string[] = [];
  if (isCollection(value) && !isEmpty(value)) {
    if (Array.isArray(value)) emitSeq(value, 0, indent, out);
    else emitMap(value, 0, indent, out, false);
  } else {
    out.push(`${inlineScalar(value, 0, indent, out)}\n`);
  }
  return out.join("");
}

/** Go's yaml.v3 key order for map keys (a natural order: digit runs compare as numbers). */
export function goKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) {
      digits = isDigit(ac);
      continue;
    }
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ac === "0" || bc === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return ar.length < br.length;
}

export function goSortKeys(keys: string[]): string[] {
  return [...keys].sort((a, b) => (goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0));
}

const isDigit = (c: string) => c >= "0" && c <= "9";
const isLetter = (c: string) => /\p{L}/u.test(c);

function isCollection(v: GoValue): v is GoValue[] | { [key: string]: GoValue } {
  return typeof v === "object" && v !== null;
}

function isEmpty(v: GoValue[] | { [key: string]: GoValue }): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

/** The indent of a block nested under a mapping key at `indent`: the next multiple of the best indent. */
function nextIndent(indent: number, best: number): number {
  return best * Math.floor((indent + best) / best);
}

function emitMap(
  map: { [key: string]: GoValue },
  indent: number,
  best: number,
  out: string[],
  inline: boolean,
): void {
  let first = true;
  for (const [key, value] of Object.entries(map)) {
    const prefix = first && inline ? "" : " ".repeat(indent);
    first = false;
    const k = keyScalar(key);
    if (isCollection(value) && !isEmpty(value)) {
      out.push(`${prefix}${k}:\n`);
      const child = nextIndent(indent, best);
      if (Array.isArray(value)) emitSeq(value, child, best, out);
      else emitMap(value, child, best, out, false);
    } else {
      out.push(`${prefix}${k}: ${inlineScalar(value, nextIndent(indent, best), best, out)}`);
    }
  }
}

function emitSeq(seq: GoValue[], indent: number, best: number, out: string[]): void {
  for (const item of seq) {
    out.push(`${" ".repeat(indent)}- `);
    emitSeqItem(item, indent + 2, best, out);
  }
}

/** Writes an item right after "- "; nested blocks sit two columns in, past the indicator. */
function emitSeqItem(item: GoValue, indent: number, best: number, out: string[]): void {
  if (isCollection(item) && !isEmpty(item)) {
    if (Array.isArray(item)) {
      let first = true;
      for (const inner of item) {
        out.push(first ? "- " : `${" ".repeat(indent)}- `);
        first = false;
        emitSeqItem(inner, indent + 2, best, out);
      }
    } else {
      emitMap(item, indent, best, out, true);
    }
  } else {
    out.push(inlineScalar(item, indent, best, out));
  }
}

/**
 * A scalar (or empty collection) that follows "key: " or "- ", with its line break. Literal blocks put their
 * content at `blockIndent`.
 */
function inlineScalar(v: GoValue, blockIndent: number, best: number, _out: string[]): string {
  if (v === null) return "null\n";
  if (Array.isArray(v)) return "[]\n";
  if (typeof v === "object") return "{}\n";
  if (typeof v === "boolean") return `${v}\n`;
  if (typeof v === "number") return `${formatNumber(v)}\n`;
  if (v.includes("\n") && literalAllowed(v)) return literal(v, blockIndent, best);
  return `${quoteScalar(v, false)}\n`;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  if (Number.isNaN(n)) return ".nan";
  if (!Number.isFinite(n)) return n > 0 ? "+.inf" : "-.inf";
  return String(n);
}

function keyScalar(key: string): string {
  return quoteScalar(key, true);
}

function literal(s: string, indent: number, best: number): string {
  let header = "|";
  if (s.startsWith(" ") || s.startsWith("\n")) header += String(best);
  if (!s.endsWith("\n")) header += "-";
  else if (s === "\n" || s.endsWith("\n\n")) header += "+";
  const body = s.endsWith("\n") ? s.slice(0, -1) : s;
  const pad = " ".repeat(indent);
  const lines = body.split("\n").map((line) => (line === "" ? "\n" : `${pad}${line}\n`));
  return `${header}\n${lines.join("")}`;
}

/** libyaml refuses block scalars with a space before a line break, trailing spaces or special characters. */
function literalAllowed(s: string): boolean {
  return analyze(s, false, true).blockAllowed;
}

/** Plain when YAML reads it back as the same string, else single quotes, else double quotes (as yaml.v3). */
export function quoteScalar(s: string, isKey: boolean): string {
  if (resolvesToNonString(s)) return doubleQuoted(s);
  const a = analyze(s, false, true);
  if (a.blockPlainAllowed && !(isKey && a.multiline)) return s;
  if (a.singleQuotedAllowed && !a.multiline) return `'${s.replace(/'/g, "''")}'`;
  return doubleQuoted(s);
}

const oldBools = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "on",
  "On",
  "ON",
  "off",
  "Off",
  "OFF",
]);

function resolvesToNonString(s: string): boolean {
  if (s === "" || s === "~" || s === "null" || s === "Null" || s === "NULL") return true;
  if (/^(true|True|TRUE|false|False|FALSE)$/.test(s) || oldBools.has(s)) return true;
  if (/^[-+]?(\.inf|\.Inf|\.INF)$/.test(s) || /^(\.nan|\.NaN|\.NAN)$/.test(s)) return true;
  if (/^[-+]?(0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/.test(s)) return true;
  if (/^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return true;
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true;
  return s === "<<";
}

function doubleQuoted(s: string): string {
  let r = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') r += '\\"';
    else if (ch === "\\") r += "\\\\";
    else if (ch === "\n") r += "\\n";
    else if (ch === "\t") r += "\\t";
    else if (ch === "\r") r += "\\r";
    else if (c === 0) r += "\\0";
    else if (c < 0x20 || c === 0x7f) r += `\\x${c.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (c === 0xfeff) r += "\\uFEFF";
    else r += ch;
  }
  return `${r}"`;
}

/** Encodes a YAML stream the way Talos joins its documents. */
export function encodeGoYamlDocuments(docs: GoValue[], indent = 4): string {
  return docs.map((d) => encodeGoYaml(d, indent)).join("---\n");
}
