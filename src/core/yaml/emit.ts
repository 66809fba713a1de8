/**
 * Byte-exact re-implementation of what `kustomize build` prints for a resource.
 *
 * kustomize Go-`json.Marshal`s each resource and hands the JSON to sigs.k8s.io/yaml.JSONToYAML, which
 * re-reads it with goyaml.v2 (numbers regain int/float types, quoted strings pass through the YAML
 * double-quoted scanner) and marshals it with goyaml.v2 (keyList key order, YAML 1.1 resolution decides
 * quoting) through its libyaml port (best_width 80, indent 2, unicode on). This module emulates those three
 * stages directly on the Value tree; the emitter part mirrors libyaml's column/whitespace/indention state
 * so folding and indentation fall out the same way.
 */
import { formatGoJsonNumber, goJsonString } from "./go-json.ts";
import { isMap, isPrintableShared, isShared, type Value, type ValueMap } from "./value.ts";

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

/**
 * One resource as kustomize prints it (always ends with a newline). `texts`, shared by the calls that print one
 * output, lets a long string met again in the same place be copied instead of written anew: CRDs repeat their
 * descriptions in every version.
 */
export function emitYaml(value: Value, texts?: EmitTexts): string {
  const e = new Emitter(texts);
  e.node(value, false);
  e.documentEnd();
  return e.out;
}

/**
 * emitYaml's text in pieces that join to it: a large text printed before (a CRD's schemas, printed for another
 * cluster) comes as a piece of its own instead of being copied into the object's text, so writing the pieces
 * out one by one copies nothing.
 */
export function emitYamlPieces(value: Value, texts?: EmitTexts): string[] {
  const e = new Emitter(texts, []);
  e.node(value, false);
  e.documentEnd();
  return e.pieces();
}

/** Printed texts at least this long become pieces of their own in emitYamlPieces. */
const PIECE_MIN = 32 * 1024;

/** Resources joined as kustomize's ResMap.AsYaml does: `---\n` between documents, none before the first. */
export function emitYamlStream(values: readonly Value[]): string {
  const texts = new EmitTexts();
  const parts: string[] = [];
  for (const v of values) {
    if (parts.length > 0) parts.push("---\n");
    parts.push(emitYaml(v, texts));
  }
  return parts.join("");
}

/** Strings at least this long are remembered by EmitTexts. */
const LONG_STRING = 64;

/** Printed long strings, each with the emitter state it was printed in and the state it left. */
export class EmitTexts {
  readonly byString = new Map<string, PrintedText>();
}

/** Printed text with the emitter state it left. */
interface Printed {
  text: string;
  column: number;
  whitespace: boolean;
  indention: boolean;
}

interface PrintedText extends Printed {
  /** The emitter's state before printing (Emitter.state). */
  state: number;
}

// ---------------------------------------------------------------------------------------------------------
// Stage 1+2: JSON text and its re-reading by goyaml.v2.

/** The scalar text goyaml.v2 prints for a number after the JSON round trip. */
export function yamlNumberText(v: number | bigint): string {
  // Most numbers are small integers: their JSON is their decimal digits, an int64 (-0 prints as 0 either way).
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  const json = typeof v === "bigint" ? v.toString() : formatGoJsonNumber(v);
  if (/^-?\d+$/.test(json)) {
    // Integer-looking JSON resolves to int64, else uint64, else float64.
    const n = BigInt(json);
    if (n >= INT64_MIN && n <= UINT64_MAX) return n.toString();
    return formatFloatG(Number(json));
  }
  return formatFloatG(typeof v === "bigint" ? Number(json) : v);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.FormatFloat(f, 'g', -1, 64): shortest digits; exponent form when exp < -4 or exp >= 6. */
export function formatFloatG(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  if (f === Infinity) return ".inf";
  if (f === -Infinity) return "-.inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mant, expStr] = f.toExponential().split("e") as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let body: string;
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    body = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  } else if (exp < 0) {
    body = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    body = digits + "0".repeat(exp + 1 - digits.length);
  } else {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${body}` : body;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Characters Go's JSON leaves raw that goyaml.v2's reader rejects, plus NEL which its scanner folds.
const NEEDS_NORMALIZE = /[\u007f-\u009f\ufffe\uffff\ud800-\udfff]/;
const REJECTED = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;
const NEL_RUN = /[ ]*\u0085[ \u0085]*/g;

/**
 * A string as it comes back out of goyaml.v2 after Go's JSON encoding: invalid UTF-16 becomes U+FFFD,
 * raw NEL is a line break inside the double-quoted JSON string and so gets folded, and characters the YAML
 * reader refuses make kustomize fail.
 */
export function jsonRoundTripString(s: string): string {
  if (!NEEDS_NORMALIZE.test(s)) return s;
  let r = s.replace(LONE_SURROGATE, "\ufffd");
  if (REJECTED.test(r)) throw new Error("yaml: control characters are not allowed");
  if (r.includes("\u0085")) {
    r = r.replace(NEL_RUN, (run, offset: number) => {
      // A document marker right at the start of a "line" aborts the scan.
      const last = run.charCodeAt(run.length - 1);
      if (last === 0x85) {
        const next = r.slice(offset + run.length, offset + run.length + 4);
        if (/^(---|\.\.\.)[ \u0085]/.test(next)) {
          throw new Error("yaml: found unexpected document indicator while scanning a quoted scalar");
        }
      }
      let breaks = 0;
      for (let i = 0; i < run.length; i++) if (run.charCodeAt(i) === 0x85) breaks++;
      return breaks === 1 ? " " : "\n".repeat(breaks - 1);
    });
  }
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// goyaml.v2 resolve(): would this text, written plain, read back as something other than a string?

const RESOLVE_MAP = new Set([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"],
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"],
  ...["", "~", "null", "Null", "NULL"],
  ...[".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"],
]);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const GO_INT_BASE0 = /^([+-]?)(?:0[bB]([01]+)|0[oO]([0-7]+)|0[xX]([0-9a-fA-F]+)|0([0-7]*)|([1-9][0-9]*))$/;
const DOT_FLOAT = /^\.([0-9_]*)(?:[eE][+-]?([0-9][0-9_]*))?$/;

/** True when goyaml.v2 must quote `s` so it stays a string (encoder.stringv's canUsePlain, negated). */
export function resolvesToNonString(s: string): boolean {
  if (s.length === 0) return true;
  const c = s.charCodeAt(0);
  if (c === 0x2b || c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    if (RESOLVE_MAP.has(s)) return true;
    return resolvesAsNumberOrTime(s) || BASE60_FLOAT.test(s);
  }
  if (c === 0x2e) {
    if (RESOLVE_MAP.has(s)) return true;
    return dotFloatParses(s);
  }
  if ("yYnNtTfFoO~".includes(s[0]!)) return RESOLVE_MAP.has(s);
  return false;
}

function resolvesAsNumberOrTime(s: string): boolean {
  if (isGoYamlTimestamp(s)) return true;
  const plain = s.includes("_") ? s.replaceAll("_", "") : s;
  if (goParseIntBase0(plain)) return true;
  if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return true;
  if (plain.startsWith("0b")) {
    const m = /^([+-]?)([01]+)$/.exec(plain.slice(2));
    if (m)
      return fitsSigned(m[1]!, BigInt(`0b${m[2]}`)) || (m[1] === "" && BigInt(`0b${m[2]}`) <= UINT64_MAX);
  } else if (plain.startsWith("-0b")) {
    const rest = plain.slice(3);
    if (/^[01]+$/.test(rest)) return BigInt(`0b${rest}`) <= -INT64_MIN;
  }
  return false;
}

function fitsSigned(sign: string, mag: bigint): boolean {
  return sign === "-" ? mag <= -INT64_MIN : mag <= INT64_MAX;
}

/** strconv.ParseInt(s, 0, 64) succeeding, or ParseUint(s, 0, 64) for unsigned text. */
function goParseIntBase0(s: string): boolean {
  const m = GO_INT_BASE0.exec(s);
  if (!m) return false;
  const sign = m[1]!;
  let mag: bigint;
  if (m[2] !== undefined) mag = BigInt(`0b${m[2]}`);
  else if (m[3] !== undefined) mag = BigInt(`0o${m[3]}`);
  else if (m[4] !== undefined) mag = BigInt(`0x${m[4]}`);
  else if (m[5] !== undefined) mag = m[5] === "" ? 0n : BigInt(`0o${m[5]}`);
  else mag = BigInt(m[6]!);
  return fitsSigned(sign, mag) || (sign === "" && mag <= UINT64_MAX);
}

/** strconv.ParseFloat for text starting with '.', underscores allowed only between digits. */
function dotFloatParses(s: string): boolean {
  const m = DOT_FLOAT.exec(s);
  if (!m || !/[0-9]/.test(m[1]!)) return false;
  if (s.includes("_") && !underscoreOk(s)) return false;
  return Number.isFinite(Number(s.replaceAll("_", "")));
}

/** strconv's underscoreOK for base-10 text: every '_' sits between digits. */
function underscoreOk(s: string): boolean {
  let saw = "^";
  for (const ch of s) {
    if (ch >= "0" && ch <= "9") saw = "0";
    else if (ch === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

/** goyaml.v2 parseTimestamp: Go time.Parse against its four layouts. */
export function isGoYamlTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  const year = Number(s.slice(0, 4));
  let p = 5;
  const num = (): number => {
    // time.getnum(s, false): one or two digits, greedily.
    const a = s.charCodeAt(p) - 48;
    if (!(a >= 0 && a <= 9)) return -1;
    const b = s.charCodeAt(p + 1) - 48;
    if (b >= 0 && b <= 9) {
      p += 2;
      return a * 10 + b;
    }
    p += 1;
    return a;
  };
  const month = num();
  if (month < 0 || s[p] !== "-") return false;
  p++;
  const day = num();
  if (day < 0 || month < 1 || month > 12) return false;
  if (day < 1 || day > daysIn(month, year)) return false;
  if (p === s.length) return true;
  const sep = s[p];
  let zoned: boolean;
  if (sep === "T" || sep === "t") {
    zoned = true;
    p++;
  } else if (sep === " ") {
    zoned = false;
    while (s[p] === " ") p++;
  } else return false;
  const hour = num();
  if (hour < 0 || hour >= 24 || s[p] !== ":") return false;
  p++;
  const minute = num();
  if (minute < 0 || minute >= 60 || s[p] !== ":") return false;
  p++;
  const second = num();
  if (second < 0 || second >= 60) return false;
  if ((s[p] === "." || s[p] === ",") && /[0-9]/.test(s[p + 1] ?? "")) {
    p += 2;
    while (/[0-9]/.test(s[p] ?? "")) p++;
  }
  if (zoned) {
    if (s[p] === "Z") p++;
    else {
      const m = /^([+-])([0-9]{2}):([0-9]{2})/.exec(s.slice(p, p + 6));
      if (!m || Number(m[2]) > 24 || Number(m[3]) > 60) return false;
      p += 6;
    }
  }
  return p === s.length;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

// ---------------------------------------------------------------------------------------------------------
// goyaml.v2 sorter.go keyList.Less for string keys.

/** Sort comparator giving goyaml.v2's "natural" key order (letters after non-letters, digit runs by value). */
export function compareGoYamlKeys(a: string, b: string): number {
  if (a === b) return 0;
  const less = SURROGATE.test(a) || SURROGATE.test(b) ? runesLess(toRunes(a), toRunes(b)) : runesLess(a, b);
  return less ? -1 : 1;
}

/** Without surrogates a string's UTF-16 units are its runes, so strings are compared in place. */
function compareNoSurrogates(a: string, b: string): number {
  if (a === b) return 0;
  return runesLess(a, b) ? -1 : 1;
}

const SURROGATE = /[\ud800-\udfff]/;
const ASCII_LETTERS = /^[A-Za-z]*$/;

/**
 * What is known of a mapping key, cached (the same keys come back all the time): its class for sorting (0 ASCII
 * letters only, 1 other text, 2 with surrogates) and, once printed as a simple key, its text.
 */
interface KeyText {
  key: string;
  cls: number;
  /** The key and its `:` as one flat string (fewer, larger pieces make the output cheaper to join); undefined
   * until printed, and for keys that are not simple. */
  withColon: string | undefined;
  cols: number;
  /** By indentation: a line break, the indentation and withColon, as one flat string. */
  lines: string[];
}
const keyCache = new Map<string, KeyText>();
const KEY_CACHE_LIMIT = 10000;

function keyText(k: string): KeyText {
  let t = keyCache.get(k);
  if (t === undefined) {
    t = {
      key: k,
      cls: ASCII_LETTERS.test(k) ? 0 : SURROGATE.test(k) ? 2 : 1,
      withColon: undefined,
      cols: 0,
      lines: [],
    };
    // A full cache starts over, so a long-lived process keeps caching the keys of what it prints now.
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(k, t);
  }
  return t;
}

/** The keys of `m` in goyaml.v2's order. */
function sortedYamlKeys(m: ValueMap): KeyText[] {
  const keys: KeyText[] = [];
  let letters = true;
  let surrogates = false;
  for (const k in m) {
    const t = keyText(k);
    keys.push(t);
    if (t.cls !== 0) letters = false;
    if (t.cls === 2) surrogates = true;
  }
  if (keys.length < 2) return keys;
  // Keys often come sorted already (Go wrote the file), and sorting copies the array: check first.
  // For ASCII letters the natural order is plain code-unit order.
  if (letters) {
    for (let i = 1; i < keys.length; i++)
      if ((keys[i - 1] as KeyText).key > (keys[i] as KeyText).key) return keys.sort(byCodeUnits);
    return keys;
  }
  const compare = surrogates ? compareGoYamlKeys : compareNoSurrogates;
  for (let i = 1; i < keys.length; i++)
    if (compare((keys[i - 1] as KeyText).key, (keys[i] as KeyText).key) > 0)
      return keys.sort((a, b) => compare(a.key, b.key));
  return keys;
}

function byCodeUnits(a: KeyText, b: KeyText): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

type Runes = string | number[];

function toRunes(s: string): number[] {
  const r: number[] = [];
  for (const ch of s) r.push(ch.codePointAt(0)!);
  return r;
}

function runeAt(r: Runes, i: number): number {
  return typeof r === "string" ? r.charCodeAt(i) : r[i]!;
}

function runesLess(ar: Runes, br: Runes): boolean {
  const n = Math.min(ar.length, br.length);
  for (let i = 0; i < n; i++) {
    const x = runeAt(ar, i);
    const y = runeAt(br, i);
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return x < y;
    if (al || bl) return bl;
    // Compare the digit runs starting here as int64 numbers, as Go does.
    let lead = 0;
    if (x === 48 || y === 48) {
      for (let j = i - 1; j >= 0 && isDigit(runeAt(ar, j)); j--) {
        if (runeAt(ar, j) !== 48) {
          lead = 1;
          break;
        }
      }
    }
    let ai = i;
    while (ai < ar.length && isDigit(runeAt(ar, ai))) ai++;
    let bi = i;
    while (bi < br.length && isDigit(runeAt(br, bi))) bi++;
    const small = smallAsciiRun(ar, i, ai) && smallAsciiRun(br, i, bi);
    const an = digitRunValue(ar, i, ai, lead, small);
    const bn = digitRunValue(br, i, bi, lead, small);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return x < y;
  }
  return ar.length < br.length;
}

function smallAsciiRun(r: Runes, from: number, to: number): boolean {
  if (to - from > 15) return false;
  for (let k = from; k < to; k++) if (runeAt(r, k) > 57) return false;
  return true;
}

/** Go accumulates `n = n*10 + (r - '0')` in int64, wrapping, even for non-ASCII digits. */
function digitRunValue(r: Runes, from: number, to: number, lead: number, small: boolean): number | bigint {
  if (small) {
    let v = lead;
    for (let k = from; k < to; k++) v = v * 10 + (runeAt(r, k) - 48);
    return v;
  }
  let v = BigInt(lead);
  for (let k = from; k < to; k++) v = BigInt.asIntN(64, v * 10n + BigInt(runeAt(r, k) - 48));
  return v;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isLetter(c: number): boolean {
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return LETTER.test(String.fromCodePoint(c));
}

function isDigit(c: number): boolean {
  if (c < 128) return c >= 48 && c <= 57;
  return DIGIT.test(String.fromCodePoint(c));
}

// ---------------------------------------------------------------------------------------------------------
// libyaml scalar analysis (yaml_emitter_analyze_scalar) and style choice.

const PLAIN = 0;
const SINGLE = 1;
const DOUBLE = 2;
const LITERAL = 3;
type Style = typeof PLAIN | typeof SINGLE | typeof DOUBLE | typeof LITERAL;

export interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** libyaml is_printable: which characters may appear unescaped (with unicode output on). */
export function isPrintable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}

export function isBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/**
 * yaml_emitter_analyze_scalar, with each property found by one regular-expression scan (native code) instead of
 * a loop over characters: the emitter spends most of its time here on large CRDs. A test holds it equal to the
 * loop itself (`analyzeByCharacter` in emit-test-support.ts). `yamlV3`: go-yaml v3's version, where a tab is
 * not a special character but rules out plain and single-quoted styles (Talos writes its configs with v3).
 */
export function analyze(s: string, asciiText = false, yamlV3 = false): Analysis {
  const n = s.length;
  if (n === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(n - 1);
  const lineBreaks = ANY_BREAK.test(s);
  const leadingSpace = first === 0x20;
  const leadingBreak = isBreak(first);
  const trailingSpace = last === 0x20;
  const trailingBreak = isBreak(last);
  const breakSpace = lineBreaks && BREAK_SPACE.test(s);
  const spaceBreak = lineBreaks && SPACE_BREAK.test(s);
  const tabs = yamlV3 && s.includes("\t");
  const special = !asciiText && NOT_PRINTABLE.test(tabs ? s.replaceAll("\t", " ") : s);
  const blockIndicators =
    s.startsWith("---") ||
    s.startsWith("...") ||
    LEADING_INDICATOR.test(s) ||
    (n > 1 && (COLON_WS.test(s) || HASH_AFTER_BLANK.test(s)));
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

/** The end of yaml_emitter_analyze_scalar: which styles the scalar's properties allow. */
export function allowedStyles(f: {
  lineBreaks: boolean;
  blockIndicators: boolean;
  /** A leading or trailing space or break. */
  edgeBlank: boolean;
  trailingSpace: boolean;
  breakSpace: boolean;
  spaceBreak: boolean;
  special: boolean;
  /** A tab, in go-yaml v3 (v2 counts it as special). */
  tabs?: boolean;
}): Analysis {
  const noQuotes = f.spaceBreak || f.special;
  const noPlainOrSingle = noQuotes || f.tabs === true;
  return {
    multiline: f.lineBreaks,
    blockPlainAllowed: !(f.edgeBlank || f.breakSpace || noPlainOrSingle || f.lineBreaks || f.blockIndicators),
    singleQuotedAllowed: !(f.breakSpace || noPlainOrSingle),
    blockAllowed: !(f.trailingSpace || noQuotes),
  };
}

const ANY_BREAK = /[\n\r\u0085\u2028\u2029]/;
const BREAK_SPACE = /[\n\r\u0085\u2028\u2029] /;
const SPACE_BREAK = / [\n\r\u0085\u2028\u2029]/;
/** Printable ASCII and "\n" only. */
const ASCII_TEXT = /^[\n\x20-\x7e]*$/;
/** Not is_printable: astral characters count too (the loop sees code points above 0xfffd). */
const NOT_PRINTABLE = /[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
/** An indicator as the first character (`-`, `?`, `:` only when a blank or the end follows). */
const LEADING_INDICATOR = /^(?:[#,[\]{}&*!|>'"%@`]|[-?:](?:[ \t]|$))/;
/** The start of each line holding text (multiline: `.` matches no line break). */
const LINE_WITH_TEXT = /^(?=.)/gm;
const EXOTIC_BREAK_OR_SURROGATE = /[\r\u0085\u2028\u2029\ud800-\udfff]/;
/** `:` after the first character, followed by a space, a tab or the end. */
const COLON_WS = /[\s\S]:(?:[ \t]|$)/;
/** `#` after the first character, preceded by a blank (space, tab, NUL or a break). */
const HASH_AFTER_BLANK = /[ \t\0\n\r\u0085\u2028\u2029]#/;

/**
 * selectStringStyle for printable ASCII text with a line break, not a key (CRD descriptions, scripts): the
 * literal style it asks for is refused only when a space ends a line or the text (libyaml's block_allowed),
 * and nothing else of the analysis matters.
 */
export function multilineTextStyle(s: string): Style {
  return s.charCodeAt(s.length - 1) === 0x20 || SPACE_BREAK.test(s) ? DOUBLE : LITERAL;
}

/** encoder.stringv's requested style followed by yaml_emitter_select_scalar_style (block context). */
export function selectStringStyle(s: string, a: Analysis, simpleKey: boolean): Style {
  let style: Style = s.includes("\n") ? LITERAL : resolvesToNonString(s) ? DOUBLE : PLAIN;
  if (simpleKey && a.multiline) style = DOUBLE;
  if (style === PLAIN) {
    if (!a.blockPlainAllowed) style = SINGLE;
    if (s.length === 0 && simpleKey) style = SINGLE;
  }
  if (style === SINGLE && !a.singleQuotedAllowed) style = DOUBLE;
  if (style === LITERAL && (!a.blockAllowed || simpleKey)) style = DOUBLE;
  return style;
}

// ---------------------------------------------------------------------------------------------------------
// The emitter proper.

/** Text whose analysis is trivial: ASCII word characters and `./-`, not starting with an indicator. */
const SIMPLE_TEXT = /^[A-Za-z0-9_/][A-Za-z0-9_./-]*$/;

const BREAK_SPACES: string[] = [];
function breakAndSpaces(n: number): string {
  let s = BREAK_SPACES[n];
  if (s === undefined) {
    s = `\n${" ".repeat(n)}`;
    if (n < 256) BREAK_SPACES[n] = s;
  }
  return s;
}

const SPACES: string[] = [];
function spaces(n: number): string {
  let s = SPACES[n];
  if (s === undefined) {
    s = " ".repeat(n);
    if (n < 256) SPACES[n] = s;
  }
  return s;
}

function hex(c: number, width: number): string {
  return c.toString(16).toUpperCase().padStart(width, "0");
}

const SHORT_ESCAPES: Record<number, string> = {
  0: "\\0",
  7: "\\a",
  8: "\\b",
  9: "\\t",
  10: "\\n",
  11: "\\v",
  12: "\\f",
  13: "\\r",
  27: "\\e",
  34: '\\"',
  92: "\\\\",
  133: "\\N",
  160: "\\_",
  8232: "\\L",
  8233: "\\P",
};

function escapeChar(c: number): string {
  const short = SHORT_ESCAPES[c];
  if (short !== undefined) return short;
  if (c <= 0xff) return `\\x${hex(c, 2)}`;
  if (c <= 0xffff) return `\\u${hex(c, 4)}`;
  return `\\U${hex(c, 8)}`;
}

/**
 * goyaml.v2 reads the JSON object keys as implicit flow keys: they must stay on one line (raw NEL breaks it)
 * and the `:` must come within 1024 characters of the key's opening quote.
 */
function checkJsonKey(key: string): undefined {
  if (key.includes("\u0085")) throw new Error("yaml: did not find expected ',' or '}'");
  if (key.length * 6 + 2 > 1024 && codePointLength(goJsonString(key)) > 1024) {
    throw new Error("yaml: did not find expected ',' or '}'");
  }
  return undefined;
}

function codePointLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || s.charCodeAt(i - 1) < 0xd800 || s.charCodeAt(i - 1) > 0xdbff)
      n++;
  }
  return n;
}

const sharedTexts = new WeakMap<object, Map<number, Printed>>();

/**
 * The output is built by concatenation, a tree of pieces that V8 copies into one string when it is first read.
 * Text kept for reuse is made flat right away (reading a character does it), so each reuse is one piece.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

class Emitter {
  constructor(
    private readonly texts?: EmitTexts,
    /** Where emitYamlPieces collects the pieces before `out`. */
    private readonly chunks?: string[],
  ) {}

  out = "";
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  /** Inside a shared subtree whose strings are all printable ASCII (isPrintableShared). */
  private printable = false;
  /** How many captures are running (their text must stay in `out`). */
  private capturing = 0;

  /** The output so far as pieces (see emitYamlPieces). */
  pieces(): string[] {
    const chunks = this.chunks ?? [];
    if (this.out !== "" || chunks.length === 0) chunks.push(this.out);
    return chunks;
  }

  /** Appends a flat text printed before: a large one as a piece of its own when pieces are collected. */
  private appendPrinted(text: string): void {
    if (this.chunks !== undefined && this.capturing === 0 && text.length >= PIECE_MIN) {
      if (this.out !== "") this.chunks.push(this.out);
      this.chunks.push(text);
      this.out = "";
    } else this.out += text;
  }

  private put(s: string, cols: number): void {
    this.out += s;
    this.column += cols;
  }

  private putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }

  /** Whether write_indent at `indent` starts a new line (rather than padding the current one). */
  private breaksAt(indent: number): boolean {
    return !this.indention || this.column > indent || (this.column === indent && !this.whitespace);
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (this.breaksAt(indent)) {
      // The break and the indentation as one piece.
      this.out += breakAndSpaces(indent);
      this.column = indent;
    } else if (this.column < indent) this.put(spaces(indent - this.column), indent - this.column);
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    ind: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(" ", 1);
    this.put(ind, ind.length);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  documentEnd(): void {
    this.indent = -1;
    this.writeIndent();
  }

  /** Emits a node; `mapping` says it is a mapping value (for libyaml's indentless sequences). */
  node(v: Value, mapping: boolean): void {
    if (typeof v === "object" && v !== null && isShared(v)) this.sharedNode(v, mapping);
    else this.plainNode(v, mapping);
  }

  /**
   * A shared subtree never changes, and its text depends only on the state the emitter is in: the text is
   * kept per state and reused (multi-cluster repositories print the same CRDs once per cluster).
   */
  private sharedNode(v: ValueMap | Value[], mapping: boolean): void {
    const state = this.state(mapping);
    let texts = sharedTexts.get(v);
    const known = texts?.get(state);
    if (known) {
      this.replay(known);
      return;
    }
    // The loader may know that every string of the subtree is printable ASCII: then none is checked again.
    const outer = this.printable;
    if (isPrintableShared(v)) this.printable = true;
    const printed = this.capture(() => this.plainNode(v, mapping));
    this.printable = outer;
    if (!texts) {
      texts = new Map();
      sharedTexts.set(v, texts);
    }
    texts.set(state, printed);
  }

  /**
   * What printed text depends on, as one number: the indentation, the column, the whitespace and indention flags
   * and, for collections, whether they are a mapping's value (libyaml's indentless sequences).
   */
  private state(mapping: boolean): number {
    return (
      (this.indent + 1) * 0x2000000 +
      this.column * 8 +
      (this.whitespace ? 4 : 0) +
      (this.indention ? 2 : 0) +
      (mapping ? 1 : 0)
    );
  }

  /** Appends text printed before and takes on the state it left. */
  private replay(p: Printed): void {
    this.appendPrinted(p.text);
    this.column = p.column;
    this.whitespace = p.whitespace;
    this.indention = p.indention;
  }

  /** Runs `print`, appending as usual, and returns what it appended (flattened) with the state it left. */
  private capture(print: () => void): Printed {
    const before = this.out;
    this.out = "";
    this.capturing++;
    print();
    this.capturing--;
    const text = flat(this.out);
    this.out = before;
    this.appendPrinted(text);
    return { text, column: this.column, whitespace: this.whitespace, indention: this.indention };
  }

  private plainNode(v: Value, mapping: boolean): void {
    if (v === null) this.plainAtom("null");
    else if (typeof v === "boolean") this.plainAtom(v ? "true" : "false");
    else if (typeof v === "number" || typeof v === "bigint") this.plainAtom(yamlNumberText(v));
    else if (typeof v === "string") {
      // Simple text (most short values) is printable ASCII too: one test instead of two.
      if (SIMPLE_TEXT.test(v)) this.simpleScalar(v);
      // Printable ASCII and "\n" (most text) needs neither the round trip's normalizing nor the printable check.
      else if (this.printable || ASCII_TEXT.test(v)) this.stringScalar(v, false, true, false);
      else this.stringScalar(jsonRoundTripString(v), false);
    } else if (Array.isArray(v)) {
      if (v.length === 0) this.emptyFlow("[", "]");
      else this.sequence(v, mapping);
    } else if (isMap(v)) {
      const keys = sortedYamlKeys(v);
      if (keys.length === 0) this.emptyFlow("{", "}");
      else this.mapping(v, keys);
    }
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.writeIndicator(close, false, false, false);
  }

  private sequence(items: Value[], mapping: boolean): void {
    const saved = this.indent;
    const indentless = mapping && !this.indention;
    if (this.indent < 0) this.indent = 0;
    else if (!indentless) this.indent += BEST_INDENT;
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.node(item, false);
    }
    this.indent = saved;
  }

  private mapping(m: ValueMap, keys: KeyText[]): void {
    const saved = this.indent;
    this.indent = this.indent < 0 ? 0 : this.indent + BEST_INDENT;
    for (const kt of keys) {
      const rawKey = kt.key;
      const cached = kt.withColon === undefined ? checkJsonKey(rawKey) : kt;
      const indent = this.indent;
      if (cached && this.breaksAt(indent)) {
        // writeIndent's line break and indentation and the key, as one piece (this.indent >= 0 here).
        this.out += cached.lines[indent] ??= flat(breakAndSpaces(indent) + (cached.withColon as string));
        this.column = indent + cached.cols + 1;
        this.whitespace = false;
        this.indention = false;
      } else if (cached) {
        this.writeIndent();
        this.put(cached.withColon as string, cached.cols + 1);
        this.whitespace = false;
        this.indention = false;
      } else {
        this.writeIndent();
        const key = jsonRoundTripString(rawKey);
        if (!key.includes("\n") && !/[\r\u0085\u2028\u2029]/.test(key) && Buffer.byteLength(key) <= 128) {
          // yaml_emitter_check_simple_key: single-line and at most 128 bytes.
          const col = this.column;
          const printed = this.capture(() => this.stringScalar(key, true));
          kt.withColon = flat(`${printed.text}:`);
          kt.cols = this.column - col;
          this.writeIndicator(":", false, false, false);
        } else {
          this.writeIndicator("?", true, false, true);
          this.stringScalar(key, false);
          this.writeIndent();
          this.writeIndicator(":", true, false, true);
        }
      }
      this.node(m[rawKey] as Value, true);
    }
    this.indent = saved;
  }

  /** Numbers, booleans and null: always plain and never containing spaces. */
  private plainAtom(text: string): void {
    if (this.whitespace) this.put(text, text.length);
    else this.put(` ${text}`, text.length + 1);
    this.whitespace = false;
    this.indention = false;
  }

  /** `maybeSimple`: false when the caller knows `s` is not SIMPLE_TEXT. */
  private stringScalar(s: string, simpleKey: boolean, asciiText = false, maybeSimple = true): void {
    if (maybeSimple && SIMPLE_TEXT.test(s)) {
      this.simpleScalar(s);
      return;
    }
    const texts = this.texts;
    if (texts !== undefined && !simpleKey && s.length >= LONG_STRING) {
      const state = this.state(false);
      const known = texts.byString.get(s);
      if (known !== undefined && known.state === state) this.replay(known);
      else texts.byString.set(s, { state, ...this.capture(() => this.styledScalar(s, false, asciiText)) });
      return;
    }
    this.styledScalar(s, simpleKey, asciiText);
  }

  /** SIMPLE_TEXT: no indicators, spaces, breaks or escapes, so plain unless it would resolve to another type. */
  private simpleScalar(s: string): void {
    if (resolvesToNonString(s)) {
      this.writeIndicator('"', true, false, false);
      this.put(s, s.length);
      this.writeIndicator('"', false, false, false);
    } else if (this.whitespace) this.put(s, s.length);
    else this.put(` ${s}`, s.length + 1);
    this.whitespace = false;
    this.indention = false;
  }

  /** stringScalar past the simple case: libyaml's analysis, style choice and writing. */
  private styledScalar(s: string, simpleKey: boolean, asciiText: boolean): void {
    const style =
      asciiText && !simpleKey && s.includes("\n")
        ? multilineTextStyle(s)
        : selectStringStyle(s, analyze(s, asciiText), simpleKey);
    const saved = this.indent;
    this.indent = this.indent < 0 ? BEST_INDENT : this.indent + BEST_INDENT;
    switch (style) {
      case PLAIN:
        this.writePlain(s, !simpleKey);
        break;
      case SINGLE:
        this.writeSingle(s, !simpleKey);
        break;
      case DOUBLE:
        this.writeDouble(s, !simpleKey);
        break;
      case LITERAL:
        this.writeLiteral(s, asciiText);
        break;
    }
    this.indent = saved;
  }

  private writePlain(s: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ", 1);
    const len = codePointLength(s);
    if (!allowBreaks || this.column + len <= BEST_WIDTH + 1) {
      // No space can sit beyond the fold column, and plain scalars hold no line breaks.
      this.put(s, len);
    } else if (len === s.length) {
      // No surrogates: a column per code unit, so jump from space to space. A space breaks the line when it
      // follows a non-space, the text so far reaches past the best width and another non-space follows.
      let start = 0;
      for (let i = s.indexOf(" "); i >= 0; i = s.indexOf(" ", i + 1)) {
        if (
          (i === 0 || s.charCodeAt(i - 1) !== 0x20) &&
          this.column + (i - start) > BEST_WIDTH &&
          s.charCodeAt(i + 1) !== 0x20
        ) {
          this.put(s.slice(start, i), i - start);
          this.writeIndent();
          start = i + 1;
        }
      }
      this.put(start === 0 ? s : s.slice(start), s.length - start);
    } else {
      let spacesRun = false;
      let chunk = "";
      let chunkCols = 0;
      const n = s.length;
      for (let i = 0; i < n; ) {
        const c = s.codePointAt(i)!;
        const w = c > 0xffff ? 2 : 1;
        if (c === 0x20) {
          if (!spacesRun && this.column + chunkCols > BEST_WIDTH && s.charCodeAt(i + 1) !== 0x20) {
            this.put(chunk, chunkCols);
            chunk = "";
            chunkCols = 0;
            this.writeIndent();
          } else {
            chunk += " ";
            chunkCols++;
          }
          spacesRun = true;
        } else {
          chunk += w === 2 ? s.slice(i, i + 2) : s[i];
          chunkCols++;
          spacesRun = false;
        }
        i += w;
      }
      this.put(chunk, chunkCols);
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(s: string, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spacesRun = false;
    let breaks = false;
    let chunk = "";
    let chunkCols = 0;
    const flush = (): void => {
      if (chunk !== "") this.put(chunk, chunkCols);
      chunk = "";
      chunkCols = 0;
    };
    const n = s.length;
    for (let i = 0; i < n; ) {
      const c = s.codePointAt(i)!;
      const w = c > 0xffff ? 2 : 1;
      if (c === 0x20) {
        if (
          allowBreaks &&
          !spacesRun &&
          this.column + chunkCols > BEST_WIDTH &&
          i > 0 &&
          i < n - 1 &&
          s.charCodeAt(i + 1) !== 0x20
        ) {
          flush();
          this.writeIndent();
        } else {
          chunk += " ";
          chunkCols++;
        }
        spacesRun = true;
      } else if (isBreak(c)) {
        flush();
        if (!breaks && c === 0x0a) this.putBreak();
        if (c === 0x0a) this.putBreak();
        else {
          this.out += String.fromCodePoint(c);
          this.column = 0;
        }
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) {
          flush();
          this.writeIndent();
        }
        if (c === 0x27) {
          chunk += "'";
          chunkCols++;
        }
        chunk += w === 2 ? s.slice(i, i + 2) : s[i];
        chunkCols++;
        this.indention = false;
        spacesRun = false;
        breaks = false;
      }
      i += w;
    }
    flush();
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDouble(s: string, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    // libyaml's is_bom() looks at the start of the value, not the current character: a leading BOM
    // therefore escapes every character.
    const bomStart = s.charCodeAt(0) === 0xfeff;
    let spacesRun = false;
    let chunk = "";
    let chunkCols = 0;
    const n = s.length;
    for (let i = 0; i < n; ) {
      const c = s.codePointAt(i)!;
      const w = c > 0xffff ? 2 : 1;
      if (bomStart || !isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c) {
        const esc = escapeChar(c);
        chunk += esc;
        chunkCols += esc.length;
        spacesRun = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spacesRun && this.column + chunkCols > BEST_WIDTH && i > 0 && i < n - 1) {
          this.put(chunk, chunkCols);
          chunk = "";
          chunkCols = 0;
          this.writeIndent();
          if (s.charCodeAt(i + 1) === 0x20) {
            chunk += "\\";
            chunkCols++;
          }
        } else {
          chunk += " ";
          chunkCols++;
        }
        spacesRun = true;
      } else {
        chunk += w === 2 ? s.slice(i, i + 2) : s[i];
        chunkCols++;
        spacesRun = false;
      }
      i += w;
    }
    this.put(chunk, chunkCols);
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(s: string, asciiText: boolean): void {
    this.writeIndicator("|", true, false, false);
    const first = s.codePointAt(0)!;
    if (first === 0x20 || isBreak(first)) this.writeIndicator(String(BEST_INDENT), false, false, false);
    // Chomping: '-' without a final break, '+' when the final break is preceded by another (or alone).
    const lastUnit = s.charCodeAt(s.length - 1);
    const lastIsPair = lastUnit >= 0xdc00 && lastUnit <= 0xdfff;
    const last = s.codePointAt(s.length - (lastIsPair ? 2 : 1))!;
    if (!isBreak(last)) this.writeIndicator("-", false, false, false);
    else if (s.length === 1) this.writeIndicator("+", false, false, false);
    else {
      const prevUnit = s.charCodeAt(s.length - 2);
      const prevIsPair = prevUnit >= 0xdc00 && prevUnit <= 0xdfff;
      const prev = s.codePointAt(s.length - (prevIsPair ? 3 : 2))!;
      if (isBreak(prev)) this.writeIndicator("+", false, false, false);
    }
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    const n = s.length;
    let lineStart = 0;
    if (asciiText || !EXOTIC_BREAK_OR_SURROGATE.test(s)) {
      // Only "\n" breaks and no surrogates (most text). Every write_indent below comes at column 0 with the
      // indention flag set, so each non-empty line gets the indentation and nothing else changes: the block is
      // one replacement, one flat piece of output.
      const indent = Math.max(this.indent, 0);
      this.out += s.replace(LINE_WITH_TEXT, spaces(indent));
      const last = s.lastIndexOf("\n");
      if (last === n - 1) {
        this.column = 0;
        this.indention = true;
      } else {
        this.column = indent + (n - last - 1);
        this.indention = false;
      }
      return;
    }
    // Lines between breaks are written whole; each non-empty line starts with write_indent.
    for (let i = 0; i <= n; i++) {
      const c = i < n ? s.charCodeAt(i) : -1;
      if (c === -1 || c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029) {
        if (i > lineStart) {
          if (breaks) this.writeIndent();
          const line = s.slice(lineStart, i);
          this.put(line, codePointLength(line));
          this.indention = false;
          breaks = false;
        }
        if (c !== -1) {
          this.out += c === 0x0a ? "\n" : s[i]!;
          this.column = 0;
          this.indention = true;
          breaks = true;
        }
        lineStart = i + 1;
      }
    }
  }
}
