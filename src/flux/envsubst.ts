/**
 * Flux's variable substitution dialect: fluxcd/pkg `envsubst` v1.7.0 (what kustomize-controller v1.9 links),
 * a fork of drone/envsubst. Behaviour followed from envsubst/{parse/scan.go, parse/parse.go, template.go,
 * funcs.go, path/match.go} at fluxcd/pkg e2cfd1a (identical to tag envsubst/v1.7.0), quirks included:
 *
 * - only `${` starts an expression; `$VAR` and a lone `$` are literal text;
 * - `$$` is an escape for `$` in plain text (so `$${VAR}` prints `${VAR}`), and in `${v/pattern/repl}` params,
 *   where `\/` and `\\` are escapes too; default values (`${v:-x}`) are taken verbatim up to the first `}`;
 * - `${v:-d}`, `${v:=d}`, `${v=d}`, `${v:+d}`, `${v:?d}` all mean "d when v is empty" (no assignment, no
 *   bash `+`/`?` semantics); `${v-d}`, `${v+d}`, `${v?d}` are parse errors ("missing closing brace");
 * - `${#v}` and `${v:off:len}` count UTF-8 bytes, as Go's len() and slicing do;
 * - a NUL byte reads as end of input: plain text after it is dropped;
 * - arguments are evaluated before the variable itself, so `${A:-${B}}` fails in strict mode when B is unset
 *   even if A is set.
 *
 * The whole template is parsed before anything is evaluated, so a syntax error anywhere wins over a strict-mode
 * error. Work happens on the UTF-8 bytes of the text (one JS char per byte), because Go indexes bytes.
 */

import { decodeRuneAt, RUNE_ERROR } from "../core/go-utf8.ts";

/** A variable reference met while evaluating. `op` is the operator after the name ("" for `${v}`). */
export interface VarRef {
  name: string;
  op: string;
  /** Whether the variable was in the map (Flux's non-strict lookup treats every name as set). */
  set: boolean;
  /** Character offset of the `${` in the input. */
  offset: number;
}

export type EnvsubstErrorKind = "syntax" | "unset" | "panic" | "depth";

export type EnvsubstResult =
  | {
      ok: true;
      text: string;
      refs: VarRef[];
      /** Byte slicing (`${v:1:2}`, case functions on broken input) cut a multi-byte character. */
      invalidUtf8: boolean;
      /** libyaml's reader error for such output (what Flux's YAML decoding would then fail with). */
      utf8Problem?: string;
    }
  | {
      ok: false;
      /** The error text of fluxcd/pkg/envsubst, e.g. `variable not set (strict mode): "HOST"` or `bad substitution`. */
      error: string;
      kind: EnvsubstErrorKind;
      /** For "unset": the variable strict mode refused. */
      variable?: string;
      /** Character offset in the input: where parsing stopped, or the `${` of the unset variable. */
      offset: number;
      refs: VarRef[];
    };

export interface EnvsubstOptions {
  /** kustomize-controller's StrictPostBuildSubstitutions (default on since v1.9): unset `${v}` is an error. */
  strict: boolean;
}

export type Vars = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** envsubst.Eval with kustomize-controller's mapper (kustomize/kustomize_varsub.go varSubstitution). */
export function envsubst(text: string, vars: Vars, opts: EnvsubstOptions): EnvsubstResult {
  // Fast path: without `$` the template is one text node; NUL is the only other thing that changes output.
  if (!text.includes("$") && !text.includes("\0")) return { ok: true, text, refs: [], invalidUtf8: false };
  const bytes = toBytes(text);
  const offsetOf = (byteOffset: number) => charOffset(bytes, byteOffset);
  const parsed = parseTemplate(bytes);
  if (!parsed.ok) {
    return { ok: false, error: parsed.error, kind: "syntax", offset: offsetOf(parsed.at), refs: [] };
  }
  const lookup = makeLookup(vars);
  const refs: VarRef[] = [];
  const out: string[] = [];
  try {
    for (const node of parsed.nodes) out.push(evalNode(node, lookup, opts.strict, refs));
  } catch (e) {
    const fixRefs = () => refs.map((r) => ({ ...r, offset: offsetOf(r.offset) }));
    if (e instanceof UnsetError) {
      return {
        ok: false,
        error: `variable not set (strict mode): ${goQuote(e.variable)}`,
        kind: "unset",
        variable: e.variable,
        offset: offsetOf(e.at),
        refs: fixRefs(),
      };
    }
    if (e instanceof PanicError) {
      return { ok: false, error: e.message, kind: "panic", offset: offsetOf(e.at), refs: fixRefs() };
    }
    if (e instanceof RangeError) {
      return { ok: false, error: "expressions nest too deeply", kind: "depth", offset: 0, refs: fixRefs() };
    }
    throw e;
  }
  const outBytes = out.join("");
  const decoded = Buffer.from(outBytes, "latin1").toString("utf8");
  const invalidUtf8 =
    decoded.includes("\ufffd") && Buffer.from(decoded, "utf8").toString("latin1") !== outBytes;
  for (const r of refs) r.offset = offsetOf(r.offset);
  if (!invalidUtf8) return { ok: true, text: decoded, refs, invalidUtf8 };
  const problem = libyamlUtf8Problem(outBytes);
  return { ok: true, text: decoded, refs, invalidUtf8, ...(problem ? { utf8Problem: problem } : {}) };
}

/** Parses only: undefined when the template is valid, else the error and its character offset. */
export function envsubstSyntaxError(text: string): { error: string; offset: number } | undefined {
  if (!text.includes("$")) return undefined;
  const bytes = toBytes(text);
  const parsed = parseTemplate(bytes);
  return parsed.ok ? undefined : { error: parsed.error, offset: charOffset(bytes, parsed.at) };
}

// ---------------------------------------------------------------------------------------------------------
// Byte strings: every JS char holds one UTF-8 byte.

function toBytes(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}

function fromBytes(b: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
  return /^[\x00-\x7f]*$/.test(b) ? b : Buffer.from(b, "latin1").toString("utf8");
}

function charOffset(bytes: string, byteOffset: number): number {
  return fromBytes(bytes.slice(0, Math.max(0, byteOffset))).length;
}

/** utf8.DecodeRuneInString over a byte string: [rune, width]; invalid or truncated sequences give [RuneError, 1]. */
function decodeRune(b: string, i: number): [number, number] {
  return decodeRuneAt((k) => (k < b.length ? b.charCodeAt(k) : undefined), i);
}

/** The first complaint libyaml's reader (reaserc.go) has about these bytes. */
function libyamlUtf8Problem(b: string): string | undefined {
  for (let i = 0; i < b.length; ) {
    const o = b.charCodeAt(i);
    const w =
      (o & 0x80) === 0 ? 1 : (o & 0xe0) === 0xc0 ? 2 : (o & 0xf0) === 0xe0 ? 3 : (o & 0xf8) === 0xf0 ? 4 : 0;
    if (w === 0) return "invalid leading UTF-8 octet";
    if (i + w > b.length) return "incomplete UTF-8 octet sequence";
    let v = w === 1 ? o : w === 2 ? o & 0x1f : w === 3 ? o & 0x0f : o & 0x07;
    for (let k = 1; k < w; k++) {
      const c = b.charCodeAt(i + k);
      if ((c & 0xc0) !== 0x80) return "invalid trailing UTF-8 octet";
      v = (v << 6) | (c & 0x3f);
    }
    if (!(w === 1 || (w === 2 && v >= 0x80) || (w === 3 && v >= 0x800) || (w === 4 && v >= 0x10000))) {
      return "invalid length of a UTF-8 sequence";
    }
    if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) return "invalid Unicode character";
    i += w;
  }
  return undefined;
}

function encodeRune(r: number): string {
  return toBytes(String.fromCodePoint(r));
}

/** Go's `[]rune(s)`: invalid bytes become RuneError. */
function runes(b: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; ) {
    const [r, w] = decodeRune(b, i);
    out.push(r);
    i += w;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Scanner (parse/scan.go). Positions are byte offsets into the original text; Go deletes escape characters
// from its buffer, which here is a list of skipped offsets left out of token text.

const EOF = 0; // Go's scanner uses rune(0) for end of input, so a NUL byte also ends a scan.

const M_IDENT = 1;
const M_LBRACK = 2;
const M_RBRACK = 4;
const M_ESCAPE = 8;

const E_DOLLAR = 1;
const E_BACKSLASH = 2;
const E_ALL = E_DOLLAR | E_BACKSLASH;

type Accept = (r: number, i: number) => boolean;

const Tok = { Illegal: 0, Eof: 1, Ident: 2, Lbrack: 3, Rbrack: 4 } as const;
type Tok = (typeof Tok)[keyof typeof Tok];

const ch = (c: string) => c.charCodeAt(0);
const DOLLAR = ch("$");
const LBRACE = ch("{");
const RBRACE = ch("}");
const BACKSLASH = ch("\\");
const SLASH = ch("/");
const COLON = ch(":");
const HASH = ch("#");
const PERCENT = ch("%");
const EQUAL = ch("=");
const COMMA = ch(",");
const CARET = ch("^");

class Scanner {
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapes = 0;
  accept: Accept = acceptRune;
  private readonly skipped: number[] = [];
  private skippedInToken = 0;

  constructor(readonly buf: string) {}

  read(): number {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const [r, w] = decodeRune(this.buf, this.pos);
    this.width = w;
    this.pos += w;
    return r;
  }

  unread(): void {
    this.pos -= this.width;
  }

  peek(): number {
    const r = this.read();
    this.unread();
    return r;
  }

  /** Drops the escape character just read; the escaped one after it is taken unchecked. */
  private skip(): void {
    this.skipped.push(this.pos - 1);
    this.skippedInToken++;
    this.pos += 1; // the escaped character ('$', '/' or '\') is one byte
  }

  /** Text of the last token without its escape characters. */
  text(): string {
    let s = "";
    let from = this.start;
    for (const at of this.skipped) {
      if (at < this.start || at >= this.pos) continue;
      s += this.buf.slice(from, at);
      from = at + 1;
    }
    return s + this.buf.slice(from, this.pos);
  }

  private index(): number {
    return this.pos - this.start - this.skippedInToken;
  }

  scan(): Tok {
    this.start = this.pos;
    this.skippedInToken = 0;
    const r = this.read();
    if (r === EOF) return Tok.Eof;
    if (this.scanLbrack(r)) return Tok.Lbrack;
    if (this.scanRbrack(r)) return Tok.Rbrack;
    if (this.scanIdent(r)) return Tok.Ident;
    return Tok.Illegal;
  }

  private scanIdent(first: number): boolean {
    if ((this.mode & M_IDENT) === 0) return false;
    if (this.escaped(first)) this.skip();
    else if (!this.accept(first, this.index())) return false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(r)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.escaped(r)) {
        this.skip();
        continue;
      }
      if (!this.accept(r, this.index())) {
        this.unread();
        break;
      }
    }
    return true;
  }

  private scanLbrack(r: number): boolean {
    if ((this.mode & M_LBRACK) === 0 || r !== DOLLAR) return false;
    if (this.read() === LBRACE) return true;
    this.unread();
    return false;
  }

  private scanRbrack(r: number): boolean {
    return (this.mode & M_RBRACK) !== 0 && r === RBRACE;
  }

  private escaped(r: number): boolean {
    if ((this.mode & M_ESCAPE) === 0) return false;
    if (r === DOLLAR && (this.escapes & E_DOLLAR) !== 0 && this.peek() === DOLLAR) return true;
    if (r === BACKSLASH && (this.escapes & E_BACKSLASH) !== 0) {
      const next = this.peek();
      return next === SLASH || next === BACKSLASH;
    }
    return false;
  }
}

const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => r === 0x5f || isLetterOrDigit(r);
const acceptColon: Accept = (r) => r === COLON;
const acceptOneHash: Accept = (r, i) => r === HASH && i === 1;
const acceptNotClosing: Accept = (r) => r !== RBRACE;
const acceptHashFunc: Accept = (r, i) => r === HASH && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === PERCENT && i < 3;
const acceptDefaultFunc: Accept = (r, i) =>
  (i === 1 && r === COLON) || (i === 2 && (r === EQUAL || r === ch("-") || r === ch("?") || r === ch("+")));
const acceptReplaceFunc: Accept = (r, i) =>
  (i === 1 && r === SLASH) || (i === 2 && (r === SLASH || r === HASH || r === PERCENT));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === EQUAL;
const acceptOneColon: Accept = (r, i) => i === 1 && r === COLON;
const rejectColonClose: Accept = (r) => r !== COLON && r !== RBRACE;
const acceptSlash: Accept = (r) => r === SLASH;
const acceptNotSlash: Accept = (r) => r !== SLASH;
const acceptCasingFunc: Accept = (r, i) => (r === COMMA || r === CARET) && i < 3;

/** unicode.IsLetter || unicode.IsDigit (Nd), as the scanner accepts identifier runes. */
function isLetterOrDigit(r: number): boolean {
  if (r < 0x80) return (r >= 0x30 && r <= 0x39) || ((r | 0x20) >= 0x61 && (r | 0x20) <= 0x7a);
  return /^[\p{L}\p{Nd}]$/u.test(String.fromCodePoint(r));
}

// ---------------------------------------------------------------------------------------------------------
// Parser (parse/parse.go).

type Node = { t: "text"; value: string } | FuncNode;

interface FuncNode {
  t: "func";
  param: string;
  name: string;
  args: Node[];
  /** Byte offset of the `${`. */
  at: number;
}

class SyntaxError_ extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const BAD_SUBSTITUTION = "bad substitution";
const MISSING_BRACE = "missing closing brace";
const BAD_NAME = "unable to parse variable name";
const BAD_PARAM = "unable to parse substitution within function";
const BAD_DEFAULT = "unable to parse default function";

function parseTemplate(
  bytes: string,
): { ok: true; nodes: Node[] } | { ok: false; error: string; at: number } {
  const p = new Parser(bytes);
  try {
    return { ok: true, nodes: p.parseAny() };
  } catch (e) {
    if (e instanceof SyntaxError_) return { ok: false, error: e.message, at: e.at };
    if (e instanceof RangeError) return { ok: false, error: "expressions nest too deeply", at: p.s.pos };
    throw e;
  }
}

class Parser {
  readonly s: Scanner;

  constructor(bytes: string) {
    this.s = new Scanner(bytes);
  }

  private fail(message: string): never {
    throw new SyntaxError_(message, this.s.pos);
  }

  /** Go recurses once per token; a loop gives the same list without deep recursion. */
  parseAny(): Node[] {
    const nodes: Node[] = [];
    const s = this.s;
    for (;;) {
      s.accept = acceptRune;
      s.mode = M_IDENT | M_LBRACK | M_ESCAPE;
      s.escapes = E_DOLLAR;
      switch (s.scan()) {
        case Tok.Ident:
          nodes.push({ t: "text", value: s.text() });
          break;
        case Tok.Eof:
          return nodes;
        case Tok.Lbrack:
          nodes.push(this.parseFunc(s.start));
          break;
        default:
          this.fail(BAD_SUBSTITUTION);
      }
    }
  }

  private parseFunc(at: number): Node {
    const s = this.s;
    s.escapes = E_ALL;
    if (s.peek() === HASH) return this.parseLenFunc(at);
    s.accept = acceptIdent;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_NAME);
    const name = s.text();
    switch (s.peek()) {
      case COLON:
        return this.parseDefaultOrSubstr(name, at);
      case EQUAL:
        return this.parseDefaultFunc(name, at);
      case COMMA:
      case CARET:
        return this.parseCasingFunc(name, at);
      case SLASH:
        return this.parseReplaceFunc(name, at);
      case HASH:
        return this.parseRemoveFunc(name, acceptHashFunc, at);
      case PERCENT:
        return this.parseRemoveFunc(name, acceptPercentFunc, at);
    }
    s.accept = acceptIdent;
    s.mode = M_RBRACK;
    if (s.scan() !== Tok.Rbrack) this.fail(MISSING_BRACE);
    return { t: "func", param: name, name: "", args: [], at };
  }

  private parseParam(accept: Accept, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | M_LBRACK;
    switch (s.scan()) {
      case Tok.Lbrack:
        return this.parseFunc(s.start);
      case Tok.Ident:
      case Tok.Rbrack:
        return { t: "text", value: s.text() };
      default:
        this.fail(BAD_PARAM);
    }
  }

  private parseDefaultOrSubstr(name: string, at: number): Node {
    const s = this.s;
    // Go reads ':', peeks, then unreads by the *peeked* rune's width: after a multi-byte rune (or at the end
    // of input) the position is off and the substring parse below fails.
    s.read();
    const r = s.peek();
    s.unread();
    if (r === EQUAL || r === ch("-") || r === ch("?") || r === ch("+"))
      return this.parseDefaultFunc(name, at);
    return this.parseSubstrFunc(name, at);
  }

  private parseSubstrFunc(name: string, at: number): Node {
    const s = this.s;
    const node: FuncNode = { t: "func", param: name, name: "", args: [], at };
    s.accept = acceptOneColon;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_SUBSTITUTION);
    node.name = s.text();
    node.args.push(this.parseParam(rejectColonClose, M_IDENT));
    s.accept = acceptColon;
    s.mode = M_IDENT | M_RBRACK;
    switch (s.scan()) {
      case Tok.Rbrack:
        return node;
      case Tok.Ident:
        break;
      default:
        this.fail(BAD_SUBSTITUTION);
    }
    node.args.push(this.parseParam(acceptNotClosing, M_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseRemoveFunc(name: string, accept: Accept, at: number): Node {
    const s = this.s;
    const node: FuncNode = { t: "func", param: name, name: "", args: [], at };
    s.accept = accept;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_SUBSTITUTION);
    node.name = s.text();
    node.args.push(this.parseParam(acceptNotClosing, M_IDENT));
    this.consumeRbrack();
    return node;
  }

  private parseReplaceFunc(name: string, at: number): Node {
    const s = this.s;
    const node: FuncNode = { t: "func", param: name, name: "", args: [], at };
    s.accept = acceptReplaceFunc;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_SUBSTITUTION);
    node.name = s.text();
    node.args.push(this.parseParam(acceptNotSlash, M_IDENT | M_ESCAPE));
    s.accept = acceptSlash;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_SUBSTITUTION);
    if (s.peek() === RBRACE) {
      this.consumeRbrack();
      return node;
    }
    node.args.push(this.parseParam(acceptNotClosing, M_IDENT | M_ESCAPE));
    this.consumeRbrack();
    return node;
  }

  private parseDefaultFunc(name: string, at: number): Node {
    const s = this.s;
    const node: FuncNode = { t: "func", param: name, name: "", args: [], at };
    s.accept = s.peek() === EQUAL ? acceptOneEqual : acceptDefaultFunc;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_DEFAULT);
    node.name = s.text();
    for (;;) {
      if (s.peek() === RBRACE) {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, M_IDENT));
    }
  }

  private parseCasingFunc(name: string, at: number): Node {
    const s = this.s;
    const node: FuncNode = { t: "func", param: name, name: "", args: [], at };
    s.accept = acceptCasingFunc;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_SUBSTITUTION);
    node.name = s.text();
    this.consumeRbrack();
    return node;
  }

  private parseLenFunc(at: number): Node {
    const s = this.s;
    const node: FuncNode = { t: "func", param: "", name: "", args: [], at };
    s.accept = acceptOneHash;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_SUBSTITUTION);
    node.name = s.text();
    s.accept = acceptIdent;
    s.mode = M_IDENT;
    if (s.scan() !== Tok.Ident) this.fail(BAD_SUBSTITUTION);
    node.param = s.text();
    this.consumeRbrack();
    return node;
  }

  private consumeRbrack(): void {
    this.s.mode = M_RBRACK;
    if (this.s.scan() !== Tok.Rbrack) this.fail(BAD_SUBSTITUTION);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation (template.go).

class UnsetError extends Error {
  constructor(
    readonly variable: string,
    readonly at: number,
  ) {
    super(variable);
  }
}

class PanicError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

type Lookup = (name: string) => string | undefined;

function makeLookup(vars: Vars): Lookup {
  const get: (k: string) => string | undefined =
    vars instanceof Map
      ? (k) => (vars as ReadonlyMap<string, string>).get(k)
      : (k) => (Object.hasOwn(vars, k) ? (vars as Record<string, string>)[k] : undefined);
  const cache = new Map<string, string | undefined>();
  return (nameBytes) => {
    if (cache.has(nameBytes)) return cache.get(nameBytes);
    const v = get(fromBytes(nameBytes));
    const b = v === undefined ? undefined : toBytes(v);
    cache.set(nameBytes, b);
    return b;
  };
}

/** Operators that supply their own fallback, exempt from strict mode (template.go isDefaultOp). */
const DEFAULT_OPS = new Set(["-", "+", "=", "?", ":-", ":+", ":=", ":?"]);

function evalNode(node: Node, lookup: Lookup, strict: boolean, refs: VarRef[]): string {
  if (node.t === "text") return node.value;
  const args = node.args.map((a) => evalNode(a, lookup, strict, refs));
  const value = lookup(node.param);
  const name = fromBytes(node.param);
  refs.push({ name, op: fromBytes(node.name), set: value !== undefined, offset: node.at });
  // Flux's non-strict mapper reports every name as set (value ""), so only strict mode can fail here.
  if (value === undefined && strict && !DEFAULT_OPS.has(node.name)) throw new UnsetError(name, node.at);
  return applyFunc(node.name, value ?? "", args, node.at);
}

/** template.go lookupFunc + funcs.go; unknown operator names (`,^`, `^,`, ``) fall back to toDefault. */
function applyFunc(name: string, s: string, args: string[], at: number): string {
  switch (name) {
    case ",":
      return mapFirstRune(s, simpleLower);
    case ",,":
      return mapRunes(s, simpleLower);
    case "^":
      return mapFirstRune(s, simpleUpper);
    case "^^":
      return mapRunes(s, simpleUpper);
    case "#":
      return args.length === 0 ? String(s.length) : trimShortestPrefix(s, args);
    case "##":
      return trimLongestPrefix(s, args);
    case "%":
      return trimShortestSuffix(s, args);
    case "%%":
      return trimLongestSuffix(s, args);
    case ":":
      return toSubstr(s, args, at);
    case "/#":
      return args.length === 2 && s.startsWith(args[0]!) ? goReplace(s, args[0]!, args[1]!, 1) : s;
    case "/%":
      return args.length === 2 && s.endsWith(args[0]!)
        ? s.slice(0, s.length - args[0]!.length) + args[1]!
        : s;
    case "/":
      return args.length === 0 ? s : goReplace(s, args[0]!, args[1] ?? "", 1);
    case "//":
      return args.length === 0 ? s : goReplace(s, args[0]!, args[1] ?? "", -1);
    default:
      return s.length === 0 && args.length > 0 ? args.join("") : s;
  }
}

// ---------------------------------------------------------------------------------------------------------
// String functions on byte strings (funcs.go).

/** unicode.ToUpper: the simple (one rune) mapping; JS's full mappings that expand are not used. */
function simpleUpper(r: number): number {
  const u = String.fromCodePoint(r).toUpperCase();
  const cp = u.codePointAt(0)!;
  return u.length === String.fromCodePoint(cp).length ? cp : r;
}

function simpleLower(r: number): number {
  if (r === 0x130) return 0x69; // İ: simple lowercase is plain i
  const l = String.fromCodePoint(r).toLowerCase();
  const cp = l.codePointAt(0)!;
  return l.length === String.fromCodePoint(cp).length ? cp : r;
}

/** strings.ToUpper/ToLower: rune by rune; invalid bytes become RuneError unless the text is ASCII. */
function mapRunes(s: string, f: (r: number) => number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
  if (/^[\x00-\x7f]*$/.test(s)) {
    let out = "";
    for (let i = 0; i < s.length; i++) out += String.fromCharCode(f(s.charCodeAt(i)));
    return out;
  }
  return runes(s)
    .map((r) => encodeRune(f(r)))
    .join("");
}

function mapFirstRune(s: string, f: (r: number) => number): string {
  if (s === "") return s;
  const [r, n] = decodeRune(s, 0);
  return encodeRune(f(r)) + s.slice(n);
}

/** strconv.Atoi on a 64-bit platform. */
function atoi(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < -(2n ** 63n) || n >= 2n ** 63n ? undefined : n;
}

function toSubstr(s: string, args: string[], at: number): string {
  if (args.length === 0) return s;
  const len = BigInt(s.length);
  let pos = atoi(args[0]!);
  if (pos === undefined) return s; // bash returns the string when the offset does not parse
  if (pos < 0n) {
    pos = len + pos;
    if (pos < 0n) pos = 0n;
  }
  if (args.length === 1) return pos < len ? s.slice(Number(pos)) : "";
  const length = atoi(args[1]!);
  if (length === undefined) return s;
  const end = pos + length;
  if (end >= len) return pos < len ? s.slice(Number(pos)) : "";
  // A negative length makes Go slice backwards and panic; controller-runtime recovers it into an error.
  if (end < 0n)
    throw new PanicError(`panic: runtime error: slice bounds out of range [:${end}] with length ${len}`, at);
  if (end < pos) throw new PanicError(`panic: runtime error: slice bounds out of range [${pos}:${end}]`, at);
  return s.slice(Number(pos), Number(end));
}

/** strings.Replace(s, old, new, n); n < 0 replaces all. An empty `old` matches at every rune boundary. */
function goReplace(s: string, old: string, nw: string, n: number): string {
  if (old === nw || n === 0) return s;
  if (old === "") {
    let out = "";
    let done = 0;
    let i = 0;
    for (;;) {
      if (n >= 0 && done >= n) return out + s.slice(i);
      out += nw;
      done++;
      if (i >= s.length) return out;
      const [, w] = decodeRune(s, i);
      out += s.slice(i, i + w);
      i += w;
    }
  }
  let out = "";
  let i = 0;
  let done = 0;
  while (n < 0 || done < n) {
    const j = s.indexOf(old, i);
    if (j < 0) break;
    out += s.slice(i, j) + nw;
    i = j + old.length;
    done++;
  }
  return out + s.slice(i);
}

function reverse(s: string): string {
  return runes(s).reverse().map(encodeRune).join("");
}

function trimShortestPrefix(s: string, args: string[]): string {
  return args.length === 0 ? s : trimShortest(s, args[0]!);
}

function trimLongestPrefix(s: string, args: string[]): string {
  return args.length === 0 ? s : trimLongest(s, args[0]!);
}

function trimShortestSuffix(s: string, args: string[]): string {
  return args.length === 0 ? s : reverse(trimShortest(reverse(s), reverse(args[0]!)));
}

function trimLongestSuffix(s: string, args: string[]): string {
  return args.length === 0 ? s : reverse(trimLongest(reverse(s), reverse(args[0]!)));
}

/** Shortest non-empty prefix matching the glob is removed; a bad pattern leaves `s` alone. */
function trimShortest(s: string, pattern: string): string {
  let shortest = "";
  for (let i = 0; i < s.length; i++) {
    const m = globMatch(pattern, s.slice(0, s.length - i));
    if (m === "error") return s;
    if (m) shortest = s.slice(0, s.length - i);
  }
  return shortest !== "" ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, pattern: string): string {
  for (let i = 0; i < s.length; i++) {
    const m = globMatch(pattern, s.slice(0, s.length - i));
    if (m === "error") return s;
    if (m) return s.slice(s.length - i);
  }
  return s;
}

// envsubst/path/match.go: path.Match where `*` also crosses `/` and a trailing `*` matches the rest.

function globMatch(pattern: string, name: string): boolean | "error" {
  let pat = pattern;
  let nm = name;
  outer: while (pat.length > 0) {
    const { star, chunk, rest } = scanChunk(pat);
    pat = rest;
    if (star && chunk === "") return true;
    const first = matchChunk(chunk, nm);
    if (first.ok && (first.rest.length === 0 || pat.length > 0)) {
      nm = first.rest;
      continue;
    }
    if (first.err) return "error";
    if (star) {
      for (let i = 0; i < nm.length; i++) {
        const m = matchChunk(chunk, nm.slice(i + 1));
        if (m.ok) {
          if (pat.length === 0 && m.rest.length > 0) continue;
          nm = m.rest;
          continue outer;
        }
        if (m.err) return "error";
      }
    }
    return false;
  }
  return nm.length === 0;
}

function scanChunk(pattern: string): { star: boolean; chunk: string; rest: string } {
  let p = pattern;
  let star = false;
  while (p.length > 0 && p[0] === "*") {
    p = p.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < p.length; i++) {
    switch (p[i]) {
      case "\\":
        if (i + 1 < p.length) i++;
        break;
      case "[":
        inRange = true;
        break;
      case "]":
        inRange = false;
        break;
      case "*":
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: p.slice(0, i), rest: p.slice(i) };
}

function matchChunk(chunkIn: string, sIn: string): { ok: boolean; rest: string; err: boolean } {
  let chunk = chunkIn;
  let s = sIn;
  const fail = { ok: false, rest: "", err: false };
  const bad = { ok: false, rest: "", err: true };
  while (chunk.length > 0) {
    if (s.length === 0) return fail;
    switch (chunk[0]) {
      case "[": {
        const [r, n] = decodeRune(s, 0);
        s = s.slice(n);
        chunk = chunk.slice(1);
        let negated = false;
        if (chunk.length > 0 && chunk[0] === "^") {
          negated = true;
          chunk = chunk.slice(1);
        }
        let match = false;
        let nrange = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === "]" && nrange > 0) {
            chunk = chunk.slice(1);
            break;
          }
          const lo = getEsc(chunk);
          if (!lo) return bad;
          chunk = lo.rest;
          let hi = lo.r;
          if (chunk[0] === "-") {
            const h = getEsc(chunk.slice(1));
            if (!h) return bad;
            chunk = h.rest;
            hi = h.r;
          }
          if (lo.r <= r && r <= hi) match = true;
          nrange++;
        }
        if (match === negated) return fail;
        break;
      }
      case "?": {
        const [, n] = decodeRune(s, 0);
        s = s.slice(n);
        chunk = chunk.slice(1);
        break;
      }
      case "\\":
        chunk = chunk.slice(1);
        if (chunk.length === 0) return bad;
        if (chunk[0] !== s[0]) return fail;
        s = s.slice(1);
        chunk = chunk.slice(1);
        break;
      default:
        if (chunk[0] !== s[0]) return fail;
        s = s.slice(1);
        chunk = chunk.slice(1);
    }
  }
  return { ok: true, rest: s, err: false };
}

/** A possibly escaped rune of a character class; undefined is ErrBadPattern. */
function getEsc(chunkIn: string): { r: number; rest: string } | undefined {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") return undefined;
  if (chunk[0] === "\\") {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return undefined;
  }
  const [r, n] = decodeRune(chunk, 0);
  if (r === RUNE_ERROR && n === 1) return undefined;
  const rest = chunk.slice(n);
  if (rest.length === 0) return undefined;
  return { r, rest };
}

/** Go's %q for an identifier-like string. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
