/**
 * Helpers shared by emit.test.ts and scripts/gen-emit-golden.ts: writing Values as YAML that kubectl's
 * loader reads back exactly, running `kubectl kustomize`, (de)serialising Values in JSON fixtures, and libyaml's
 * scalar analysis as a character loop.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Analysis, allowedStyles, isBreak, isPrintable } from "./emit.ts";
import { formatGoJsonNumber } from "./go-json.ts";
import { isMap, newMap, type Value } from "./value.ts";

export interface GoldenCase {
  name: string;
  value: Value;
}

/** The resource each test value is wrapped in; `spec` holds the value under test. */
export function wrapCase(name: string, value: Value): Value {
  const doc = newMap();
  doc.apiVersion = "test.homeops.dev/v1";
  doc.kind = "Golden";
  const meta = newMap();
  meta.name = name;
  doc.metadata = meta;
  doc.spec = value;
  return doc;
}

/** A YAML double-quoted scalar using escapes for everything but printable ASCII, so no reader quirk applies. */
export function yamlQuote(s: string): string {
  let r = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") r += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) r += ch;
    else if (c <= 0xff) r += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c <= 0xffff) r += `\\u${c.toString(16).padStart(4, "0")}`;
    else r += `\\U${c.toString(16).padStart(8, "0")}`;
  }
  return `${r}"`;
}

function scalarText(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return formatGoJsonNumber(v);
  if (typeof v === "string") return yamlQuote(v);
  if (Array.isArray(v)) return "[]";
  return "{}";
}

function isNonEmptyCollection(v: Value): boolean {
  return (Array.isArray(v) && v.length > 0) || (isMap(v) && Object.keys(v).length > 0);
}

/** Block YAML for a Value; keys use explicit `? ` form when too long for an implicit key. */
export function toInputYaml(v: Value, indent = ""): string {
  if (!isNonEmptyCollection(v)) return `${indent}${scalarText(v)}\n`;
  const out: string[] = [];
  const child = `${indent}  `;
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isNonEmptyCollection(item)) out.push(`${indent}-\n`, toInputYaml(item, child));
      else out.push(`${indent}- ${scalarText(item)}\n`);
    }
  } else if (isMap(v)) {
    for (const k of Object.keys(v)) {
      const item = v[k] as Value;
      const key = yamlQuote(k);
      if (key.length > 500) out.push(`${indent}? ${key}\n${indent}:`);
      else out.push(`${indent}${key}:`);
      if (isNonEmptyCollection(item)) out.push("\n", toInputYaml(item, child));
      else out.push(` ${scalarText(item)}\n`);
    }
  }
  return out.join("");
}

export function kubectlAvailable(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Runs `kubectl kustomize` over the given resources; returns stdout, or throws with stderr. */
export function kubectlKustomize(resources: readonly Value[]): string {
  const dir = mkdtempSync(join(tmpdir(), "emit-golden-"));
  try {
    writeFileSync(join(dir, "kustomization.yaml"), "resources:\n- input.yaml\n");
    writeFileSync(join(dir, "input.yaml"), resources.map((r) => toInputYaml(r)).join("---\n"));
    return execFileSync("kubectl", ["kustomize", dir], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Splits kustomize output into documents keyed by their `metadata.name`. */
export function splitDocsByName(stream: string): Map<string, string> {
  const docs = new Map<string, string>();
  for (const doc of stream.split(/^---\n/m)) {
    const m = /^metadata:\n {2}name: (\S+)\n/m.exec(doc);
    if (m) docs.set(m[1]!, doc);
  }
  return docs;
}

// Fixture JSON cannot carry bigint or -0: tag them.
export function encodeValue(v: Value): unknown {
  if (typeof v === "bigint") return { $bigint: v.toString() };
  if (typeof v === "number" && Object.is(v, -0)) return { $number: "-0" };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (isMap(v)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) o[k] = encodeValue(v[k] as Value);
    return o;
  }
  return v;
}

export function decodeValue(x: unknown): Value {
  if (Array.isArray(x)) return x.map(decodeValue);
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$bigint === "string") return BigInt(o.$bigint);
    if (keys.length === 1 && o.$number === "-0") return -0;
    const m = newMap();
    for (const k of keys) m[k] = decodeValue(o[k]);
    return m;
  }
  return x as Value;
}

/** Deterministic PRNG (mulberry32) for reproducible random cases. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RANDOM_ALPHABET = [
  ..."abcxyzABCXYZ0123456789",
  ..."          ",
  ...".,:;-_?!#&*|>'\"%@`{}[]<>=~+/\\()^$",
  "\n",
  "\n",
  "\t",
  "\r",
  "\u00a0",
  "é",
  "日",
  "😀",
  "\u2028",
  "\u0085",
  "\ufeff",
  "\u0000",
  "\u001b",
  "true",
  "null",
  "0x1F",
  "1e3",
  "2001-12-14",
  "---",
  "...",
  " #",
  ": ",
  "- ",
];

/** A random tricky string (seeded), avoiding characters that make kustomize itself fail. */
export function randomTrickyString(rnd: () => number): string {
  const len = Math.floor(rnd() ** 2 * 140);
  let s = "";
  for (let i = 0; i < len; i++) {
    // Mostly letters and spaces so long values fold; tricky pieces sprinkled in.
    const r = rnd();
    if (r < 0.45) s += "abcdefghijklmnopqrstuvwxyz"[Math.floor(rnd() * 26)];
    else if (r < 0.6) s += " ";
    else s += RANDOM_ALPHABET[Math.floor(rnd() * RANDOM_ALPHABET.length)];
  }
  return s;
}

const KEY_ALPHABET = "abcXYZé日-_./ :#'\"";

/** A random nested Value (seeded): maps, sequences, numbers, booleans, null and tricky strings. */
export function randomValue(rnd: () => number, depth = 0): Value {
  const r = rnd();
  if (depth === 0 || (depth < 6 && r < 0.35)) {
    const m = newMap();
    const n = depth === 0 ? 6 : Math.floor(rnd() * 5);
    for (let i = 0; i < n; i++) {
      // Keys without digits: keyList.Less is only a total order without mixed digit runs.
      let k = "";
      const len = Math.floor(rnd() * 8);
      for (let j = 0; j < len; j++) k += KEY_ALPHABET[Math.floor(rnd() * KEY_ALPHABET.length)];
      m[k] = randomValue(rnd, depth + 1);
    }
    return m;
  }
  if (depth < 6 && r < 0.5) {
    const n = Math.floor(rnd() * 4);
    return Array.from({ length: n }, () => randomValue(rnd, depth + 1));
  }
  if (r < 0.6) {
    const kind = Math.floor(rnd() * 6);
    if (kind === 0) return Math.floor(rnd() * 2000) - 1000;
    if (kind === 1) return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
    if (kind === 2) return BigInt(Math.floor(rnd() * 1e15)) * 10n ** BigInt(Math.floor(rnd() * 8));
    if (kind === 3) return rnd() < 0.5;
    if (kind === 4) return null;
    return Math.round(rnd() * 1e6) / 1000;
  }
  return randomTrickyString(rnd);
}

/**
 * The character loop of libyaml's yaml_emitter_analyze_scalar: the reference `analyze` is tested against.
 * `yamlV3`: go-yaml v3's loop, which notes tabs apart instead of as special characters.
 */
export function analyzeByCharacter(s: string, yamlV3 = false): Analysis {
  if (s.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let previousSpace = false;
  let previousBreak = false;
  if (s.startsWith("---") || s.startsWith("...")) blockIndicators = true;
  const n = s.length;
  for (let i = 0; i < n; ) {
    const c = s.codePointAt(i)!;
    const w = c > 0xffff ? 2 : 1;
    const next = i + w < n ? s.charCodeAt(i + w) : -1;
    const followedByWs = next === -1 || next === 0x20 || next === 0x09;
    if (i === 0) {
      switch (c) {
        case 0x23: // # , [ ] { } & * ! | > ' " % @ `
        case 0x2c:
        case 0x5b:
        case 0x5d:
        case 0x7b:
        case 0x7d:
        case 0x26:
        case 0x2a:
        case 0x21:
        case 0x7c:
        case 0x3e:
        case 0x27:
        case 0x22:
        case 0x25:
        case 0x40:
        case 0x60:
          blockIndicators = true;
          break;
        case 0x3f: // ? :
        case 0x3a:
          if (followedByWs) blockIndicators = true;
          break;
        case 0x2d: // -
          if (followedByWs) blockIndicators = true;
          break;
      }
    } else if (c === 0x3a) {
      if (followedByWs) blockIndicators = true;
    } else if (c === 0x23) {
      if (precededByWs) blockIndicators = true;
    }
    if (yamlV3 && c === 0x09) tabs = true;
    else if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i + w === n) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i + w === n) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWs = isBlankZ(c);
    i += w;
  }
  return allowedStyles({
    lineBreaks,
    blockIndicators,
    edgeBlank: leadingSpace || leadingBreak || trailingSpace || trailingBreak,
    trailingSpace,
    breakSpace,
    spaceBreak,
    special,
    tabs,
  });
}

function isBlankZ(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0 || isBreak(c);
}
