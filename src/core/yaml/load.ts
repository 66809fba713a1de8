/**
 * The YAML loader for user files, with the semantics kustomize's reader has: kyaml on goyaml.v3, then decoded
 * like yaml.v3 `Unmarshal` into `map[string]interface{}` (scalar resolution, merge keys, aliases expanded into
 * independent copies, duplicate keys rejected). The `yaml` package lexes and parses; this module composes its
 * CST itself (as the package's Composer would, minus the Document objects) and decodes that.
 *
 * Problems in the input are returned as diagnostics, never thrown. Any error diagnostic means kustomize would
 * reject the file; the documents that did decode are still returned so callers can report more.
 *
 * Documents that are empty, comment-only or null (`--- ~`) are left out of `docs`, as kyaml's reader drops them;
 * `LoadedDoc.index` is the document's 0-based position in the stream counting those skipped ones.
 */
import { Composer, CST, Lexer, Parser } from "yaml";
import { type Diagnostic, diagnostic } from "../diagnostics.ts";
import {
  type BlockFix,
  type FastDocs,
  fastCompose,
  fastDecode,
  MAX_DEPTH,
  type PlainResolver,
} from "./fast-compose.ts";
import { foldedRoundTrip } from "./folded.ts";
import { Kind, type Pair, YNode } from "./node.ts";
import { markEmpty, newMap, type Value, type ValueMap } from "./value.ts";

export interface LoadedDoc {
  value: Value;
  /** 0-based position of the document in the stream, counting skipped empty documents. */
  index: number;
  /** 1-based position of the document's root node. */
  line: number;
  column: number;
  /** 1-based position of a node reached by a path of keys/indices (for diagnostics), or undefined */
  positionOf(path: readonly (string | number)[]): { line: number; column: number } | undefined;
  /** False when no list of the document holds a null item (kustomize rejects those); undefined: not known. */
  nullItem?: boolean;
}

export interface LoadResult {
  docs: LoadedDoc[];
  diagnostics: Diagnostic[];
  /** True when every string in `docs` is known to be printable ASCII or "\n" (see FastDocs.printable). */
  printable?: boolean;
}

export interface LoadLimits {
  /** Larger inputs (UTF-8 bytes) are refused. */
  maxBytes: number;
  /**
   * Deepest nesting of collections, in the source and after alias expansion. yaml.v3 allows 10000; the `yaml`
   * package's composer recurses and overflows the stack near 1000, so the default stays well below that.
   */
  maxDepth: number;
}

export interface LoadOptions extends LoadLimits {
  /**
   * Mapping keys that do not resolve to strings (`1:`, `true:`, `2001-12-14:`). "kustomize" mirrors what
   * kustomize's JSON round trip does: top-level keys keep their source text, nested ones are an error (Go
   * decodes them into `map[interface{}]interface{}`, which encoding/json refuses). "stringify" keeps the source
   * text everywhere. Null keys are always an error.
   */
  nonStringKeys: "kustomize" | "stringify";
  /** Try the fast composer first (it hands anything unusual to the general path); off only for tests. */
  fast: boolean;
}

export const DEFAULT_LOAD_OPTIONS: LoadOptions = {
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 500,
  nonStringKeys: "kustomize",
  fast: true,
};

/** Diagnostic codes of this module. */
export const YAML_CODES = {
  syntax: "YAML001",
  duplicateKey: "YAML002",
  nonStringKey: "YAML003",
  merge: "YAML004",
  aliasing: "YAML005",
  depth: "YAML006",
  size: "YAML007",
  alias: "YAML008",
  tag: "YAML009",
  separator: "YAML010",
} as const;

type Pos = { line: number; column: number };

export function loadYaml(text: string, file: string, limits?: Partial<LoadOptions>): LoadResult {
  const opts: LoadOptions = { ...DEFAULT_LOAD_OPTIONS, ...limits };
  const diagnostics: Diagnostic[] = [];
  if (
    text.length > opts.maxBytes ||
    (text.length * 3 > opts.maxBytes && Buffer.byteLength(text) > opts.maxBytes)
  ) {
    diagnostics.push(
      diagnostic(
        YAML_CODES.size,
        "error",
        `file is larger than the ${opts.maxBytes}-byte limit for YAML input`,
        { file },
        "split the file or raise the size limit",
      ),
    );
    return { docs: [], diagnostics };
  }
  // goyaml skips a leading BOM without counting it in columns.
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const map = new SourceMap(src);
  const err: ErrFn = (code, message, offset, hint, pos) => {
    const at = pos ? { file, ...pos } : offset === undefined ? { file } : { file, ...map.pos(offset) };
    diagnostics.push(diagnostic(code, "error", message, at, hint));
  };

  checkSeparators(src, err);
  // goyaml keeps a clipped/kept final break of a block scalar only if the source has one; at the end of a file
  // without a final newline it has none (the `yaml` package adds one).
  const noFinalBreak = !/[\r\n]$/.test(src);
  let length = src.length;
  const fixText = (text: string, end: number, folded: boolean, binary: boolean): string => {
    let v = text;
    if (end >= length && noFinalBreak && v.endsWith("\n")) v = v.slice(0, -1);
    if (folded && !binary) v = foldedRoundTrip(v);
    return v;
  };
  const fastFix: BlockFix = (text, end, folded) => fixText(text, end, folded, false);
  const blockFix = (n: YNode, end: number, folded: boolean): void => {
    n.text = fixText(n.text, end, folded, n.tag === "!!binary");
  };
  if (opts.fast && opts.maxDepth > MAX_DEPTH) {
    // The common case: values straight from the text, the nodes composed only when a position is asked for.
    const decoded = fastDecode(src, fastFix, PLAIN);
    if (decoded) {
      const docs = decodedDocs(src, decoded, fastFix, opts, map);
      return decoded.printable ? { docs, diagnostics, printable: true } : { docs, diagnostics };
    }
  }
  // The fast composer reads anchor names only where both parsers agree, so it never needs the patching below.
  const fast = opts.fast ? fastCompose(src, fastFix) : undefined;
  let composed: ReturnType<typeof compose> = fast ? { roots: fast, errors: undefined } : undefined;
  if (!composed) {
    const patched = patchAnchorNames(src, map, err);
    length = patched.length;
    composed = compose(patched, opts.maxDepth, err, blockFix);
    if (!composed) return { docs: [], diagnostics };
  }
  const { roots, errors } = composed;

  const docs: LoadedDoc[] = [];
  for (let index = 0; index < roots.length; index++) {
    let hadSyntaxError = false;
    for (const e of errors?.[index] ?? []) {
      hadSyntaxError = true;
      if (e.message.includes("Maximum call stack size exceeded")) {
        err(YAML_CODES.depth, "document nests too deeply to load", e.pos[0], "flatten the document");
        continue;
      }
      err(YAML_CODES.syntax, firstLine(e.message), e.pos[0], syntaxHint(e.code));
    }
    // goyaml stops at the first syntax error; what follows it is not meaningful.
    if (hadSyntaxError) continue;
    const root = roots[index];
    if (root === undefined) {
      err(YAML_CODES.syntax, "could not parse the document", undefined, "fix the YAML syntax here");
      continue;
    }
    const walker = new Walker(opts, err, map);
    const value = walker.decode(root);
    if (value === null || value === undefined) continue;
    const start = map.pos(root.start);
    docs.push({
      value,
      index,
      line: start.line,
      column: start.column,
      positionOf: (path) => walker.positionOf(root, path, map),
      nullItem: walker.nullItem,
    });
  }
  return { docs, diagnostics };
}

/** The documents `fastDecode` read; their nodes are composed again for the first position asked for. */
function decodedDocs(
  src: string,
  d: FastDocs,
  fix: BlockFix,
  opts: LoadOptions,
  map: SourceMap,
): LoadedDoc[] {
  let roots: YNode[] | undefined;
  let walker: Walker | undefined;
  const positionOf = (index: number, path: readonly (string | number)[]): Pos | undefined => {
    roots ??= fastCompose(src, fix);
    walker ??= new Walker(opts, () => {}, map);
    const root = roots?.[index];
    return root === undefined ? undefined : walker.positionOf(root, path, map);
  };
  const docs: LoadedDoc[] = [];
  // Lines counted from one document to the next: a root starts a line after its indentation, no \r here.
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < d.values.length; index++) {
    const value = d.values[index] as Value;
    const start = d.starts[index] as number;
    for (let i = src.indexOf("\n", lineStart); i >= 0 && i < start; i = src.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    if (value === null) continue;
    docs.push({
      value,
      index,
      line,
      column: start - lineStart + 1,
      positionOf: (path) => positionOf(index, path),
      nullItem: d.nullItems[index] === true,
    });
  }
  return docs;
}

/** How plain scalars decode (yaml.v3's resolve without a tag), for `fastDecode`. */
export const PLAIN: PlainResolver = {
  value: (text) => {
    const hint = resolveHint(text);
    if (hint === "") return text;
    // Shortcuts for what CRDs are full of (`type: object`, `minimum: 1`); resolve() answers the same.
    if (hint === "M") {
      const m = MAP_VALUES.get(text);
      return m === undefined ? text : m.value;
    }
    if (hint === "D" && SMALL_DECIMAL.test(text)) return Number(text);
    return resolve("", text).value;
  },
  isStringKey: (text) => {
    const hint = resolveHint(text);
    if (hint === "") return true;
    if (hint === "M") return !MAP_VALUES.has(text);
    return resolve("", text).tag === "!!str";
  },
};

/** Composes the documents through the `yaml` package's lexer and parser (any input). */
function compose(
  patched: string,
  maxDepth: number,
  err: ErrFn,
  blockFix: (n: YNode, end: number, folded: boolean) => void,
):
  | {
      roots: (YNode | undefined)[];
      errors: (readonly { code: string; message: string; pos: [number, number] }[])[] | undefined;
    }
  | undefined {
  const tokens = parse(patched, maxDepth, err);
  if (!tokens) return undefined;
  const builder = new Builder(DEFAULT_DIRECTIVES, blockFix);
  const roots: (YNode | undefined)[] = [];
  /** Holds the stream's directives once a `%` line was seen. */
  let directives: Composer | undefined;
  for (const tok of tokens) {
    switch (tok.type) {
      case "document":
        builder.directives = directives
          ? directives.streamInfo().directives.atDocument()
          : DEFAULT_DIRECTIVES;
        try {
          roots.push(builder.document(tok));
        } catch {
          // Not expected; the Composer's verdict below decides what is reported.
          builder.suspect = true;
          roots.push(undefined);
        }
        break;
      case "directive":
        builder.suspect = true;
        directives ??= new Composer();
        for (const _ of directives.next(tok));
        break;
      case "doc-end":
        if (roots.length === 0) builder.suspect = true;
        builder.docEnd(tok);
        break;
      case "byte-order-mark":
      case "space":
      case "comment":
      case "newline":
        break;
      default:
        builder.suspect = true;
    }
  }

  // Anything that might be a syntax error is worded by the `yaml` package's own Composer.
  let errors: (readonly { code: string; message: string; pos: [number, number] }[])[] | undefined;
  if (builder.suspect) {
    errors = composerErrors(tokens, err);
    if (!errors) return undefined;
  }
  return { roots, errors };
}

function firstLine(s: string): string {
  const i = s.indexOf(" at line ");
  const head = i >= 0 ? s.slice(0, i) : (s.split("\n")[0] ?? s);
  return head.trim();
}

function syntaxHint(code: string): string {
  switch (code) {
    case "TAB_AS_INDENT":
      return "indent with spaces, not tabs";
    case "BAD_INDENT":
    case "MISSING_CHAR":
      return "check the indentation and the `key: value` separators around this line";
    case "BAD_ALIAS":
      return "define the anchor (`&name`) before using the alias (`*name`)";
    case "MULTILINE_IMPLICIT_KEY":
    case "KEY_OVER_1024_CHARS":
      return "a mapping key must fit on one line; quote it or use `? key`";
    default:
      return "fix the YAML syntax here";
  }
}

/** Offsets in the parsed text back to 1-based line/column of the original (BOM-less) text. */
class SourceMap {
  /** Offsets in the patched text where one character (a space) was inserted, ascending. */
  readonly inserted: number[] = [];
  #lineStarts: number[] | undefined;
  constructor(readonly text: string) {}

  pos(patchedOffset: number): Pos {
    let off = patchedOffset;
    if (this.inserted.length > 0) {
      let n = 0;
      for (const p of this.inserted) if (p < patchedOffset) n++;
      off -= n;
    }
    return this.origPos(off);
  }

  origPos(offset: number): Pos {
    const off = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= off) lo = mid;
      else hi = mid - 1;
    }
    const ls = starts[lo] as number;
    let column = off - ls + 1;
    // goyaml counts characters, not UTF-16 units.
    const seg = this.text.slice(ls, off);
    if (/[\ud800-\udbff]/.test(seg)) column = [...seg].length + 1;
    return { line: lo + 1, column };
  }

  private lineStarts(): number[] {
    if (this.#lineStarts) return this.#lineStarts;
    const starts = [0];
    const t = this.text;
    if (!t.includes("\r")) {
      for (let i = t.indexOf("\n"); i >= 0; i = t.indexOf("\n", i + 1)) starts.push(i + 1);
    } else {
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13 && t.charCodeAt(i + 1) !== 10) starts.push(i + 1);
      }
    }
    this.#lineStarts = starts;
    return starts;
  }
}

/**
 * kyaml splits a stream on lines starting with `---` (after a newline) before parsing, and rejects such a line
 * when anything but a comment follows the dashes: `--- !!null`, `--- |`, `----` and `---x` all fail kustomize.
 */
function checkSeparators(src: string, err: ErrFn): void {
  if (!src.includes("\n---")) return;
  const text = src.replaceAll("\r\n", "\n");
  // Go's `.` is any character but \n; JavaScript's also stops at \r, U+2028 and U+2029.
  const re = /\n---[^\n]*\n/g;
  let line = 1;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const rest = m[0].slice(4).trim();
    if (rest.length > 0 && rest[0] !== "#") {
      for (let i = last; i <= m.index; i++) if (text.charCodeAt(i) === 10) line++;
      last = m.index + 1;
      err(
        YAML_CODES.separator,
        `invalid document separator: ${m[0].trim()}`,
        undefined,
        "kustomize allows only a comment after `---`; move the content to the next line",
        { line, column: 1 },
      );
    }
    // The match consumed the separator's newline; the next separator must start after it, as in Go.
  }
}

/** Characters libyaml allows in anchor and alias names. */
const ANCHOR_CHAR = /[0-9A-Za-z_-]/;
/** Characters that may directly follow an anchor or alias name in libyaml (besides blanks). */
const ANCHOR_FOLLOW = new Set(["?", ":", ",", "]", "}", "%", "@", "`"]);

/**
 * libyaml ends an anchor or alias name at the first character outside [0-9A-Za-z_-], so `*app: x` is the alias
 * `app` used as a key; the `yaml` package reads the name `app:`. At the token level, a space is inserted after
 * such names so both parsers agree; other stray characters are goyaml errors.
 */
function patchAnchorNames(src: string, map: SourceMap, err: ErrFn): string {
  // Cheap pre-check (most files have no such token): an indicator where a node can start, then a character
  // that cannot continue a goyaml anchor name.
  if (!mayHaveOddAnchor(src, "&") && !mayHaveOddAnchor(src, "*")) return src;
  const cuts: number[] = [];
  let offset = 0;
  let atScalar = false;
  for (const tok of new Lexer().lex(src)) {
    if (atScalar) {
      atScalar = false;
      offset += tok.length;
      continue;
    }
    const c = tok[0];
    if (tok === "\x02" || tok === "\x18") continue;
    if (tok === "\x1f") {
      atScalar = true;
      continue;
    }
    if ((c === "&" || c === "*") && tok.length > 1) {
      let i = 1;
      while (i < tok.length && ANCHOR_CHAR.test(tok[i] as string)) i++;
      if (i < tok.length) {
        const next = tok[i] as string;
        const what = c === "&" ? "an anchor" : "an alias";
        if (i === 1) {
          err(
            YAML_CODES.alias,
            `while scanning ${what}, did not find expected alphabetic or numeric character`,
            offset,
            "anchor names may only contain letters, digits, `_` and `-`",
          );
        } else if (ANCHOR_FOLLOW.has(next)) {
          cuts.push(offset + i);
        } else {
          err(
            YAML_CODES.alias,
            `while scanning ${what}, did not find expected alphabetic or numeric character`,
            offset + i,
            "anchor names may only contain letters, digits, `_` and `-`",
          );
        }
      }
    }
    offset += tok.length;
  }
  if (cuts.length === 0) return src;
  const parts: string[] = [];
  let last = 0;
  cuts.forEach((cut, k) => {
    parts.push(src.slice(last, cut), " ");
    map.inserted.push(cut + k);
    last = cut;
  });
  parts.push(src.slice(last));
  return parts.join("");
}

/**
 * Whether an anchor/alias indicator stands where a node can start (line start, blank, `[`, `{`, `,`) and its
 * name runs into a character that cannot continue a goyaml name (the cheap pre-check of patchAnchorNames).
 */
function mayHaveOddAnchor(src: string, indicator: "&" | "*"): boolean {
  for (let p = src.indexOf(indicator); p >= 0; p = src.indexOf(indicator, p + 1)) {
    if (p > 0) {
      const prev = src[p - 1] as string;
      if (prev !== "[" && prev !== "{" && prev !== "," && !BLANK.test(prev)) continue;
    }
    let i = p + 1;
    while (i < src.length && ANCHOR_CHAR.test(src[i] as string)) i++;
    if (i >= src.length) continue;
    const next = src[i] as string;
    if (next !== "," && next !== "[" && next !== "]" && next !== "{" && next !== "}" && !BLANK.test(next))
      return true;
  }
  return false;
}

const BLANK = /\s/;

/** Lexes and parses into CST tokens, refusing documents nested deeper than the limit before composing them. */
function parse(text: string, maxDepth: number, err: ErrFn): CST.Token[] | undefined {
  const parser = new Parser();
  // The parser keeps one stack entry per open collection (plus the document): an exact nesting measure.
  const stackLimit = maxDepth + 2;
  const tokens: CST.Token[] = [];
  try {
    for (const lexeme of new Lexer().lex(text)) {
      for (const tok of parser.next(lexeme)) tokens.push(tok);
      if (parser.stack.length > stackLimit) {
        err(
          YAML_CODES.depth,
          `exceeded max depth of ${maxDepth}`,
          parser.offset,
          "flatten the document; nesting this deep is not supported",
        );
        return undefined;
      }
    }
    for (const tok of parser.end()) tokens.push(tok);
  } catch (e) {
    err(YAML_CODES.depth, `could not parse: ${e instanceof Error ? e.message : String(e)}`, undefined);
    return undefined;
  }
  return tokens;
}

/** The errors the `yaml` package's Composer reports for each document of the token stream. */
function composerErrors(
  tokens: CST.Token[],
  err: ErrFn,
): (readonly { code: string; message: string; pos: [number, number] }[])[] | undefined {
  const composer = new Composer({ schema: "failsafe", uniqueKeys: false, merge: false, strict: false });
  const out: (readonly { code: string; message: string; pos: [number, number] }[])[] = [];
  try {
    for (const tok of tokens) for (const d of composer.next(tok)) out.push(d.errors);
    for (const d of composer.end()) out.push(d.errors);
  } catch (e) {
    // The composer recurses; an overflow that slipped past the depth check must still not escape.
    err(YAML_CODES.depth, `could not parse: ${e instanceof Error ? e.message : String(e)}`, undefined);
    return undefined;
  }
  return out;
}

interface Props {
  found: CST.SourceToken | null;
  anchor: CST.SourceToken | null;
  tag: CST.SourceToken | null;
  comma: CST.SourceToken | null;
  hasNewline: boolean;
  /** Whether the props hold a comment (it extends an empty node's range). */
  comment: boolean;
  newlineAfterProp: CST.SourceToken | null;
  end: number;
  start: number;
}

const NO_PROPS_TOKENS: CST.SourceToken[] = [];
const BLOCK_INDENT_MSG = "Block scalar values in collections must be indented";
const YAML_TAG = "tag:yaml.org,2002:";
const MAP_TAG = `${YAML_TAG}map`;
const SEQ_TAG = `${YAML_TAG}seq`;
const STR_TAG = `${YAML_TAG}str`;

type DirectivesLike = { tagName(source: string, onError: (message: string) => void): string | null };
/** The `yaml` package's default directives (resolving `!!x` and `!x`); tagName does not mutate them. */
const DEFAULT_DIRECTIVES: DirectivesLike = new Composer().streamInfo().directives;

/**
 * Builds one document's nodes straight from the parser's CST, as the `yaml` package's Composer (failsafe
 * schema, non-strict) would. It does not word errors: it only records whether the Composer would report one
 * (`suspect`, erring on the side of yes); the caller then asks the real Composer for the exact diagnostics.
 */
class Builder {
  suspect = false;
  #atRoot = true;
  readonly #blockFix: (n: YNode, end1: number, folded: boolean) => void;
  readonly #onError = (): void => {
    this.suspect = true;
  };

  constructor(
    public directives: DirectivesLike,
    blockFix: (n: YNode, end1: number, folded: boolean) => void,
  ) {
    this.#blockFix = blockFix;
  }

  document(doc: CST.Document): YNode {
    this.#atRoot = true;
    const props = this.props(
      doc.start,
      undefined,
      "doc-start",
      doc.value ?? doc.end?.[0],
      doc.offset,
      0,
      true,
    );
    const value = doc.value;
    if (
      props.found &&
      value &&
      (value.type === "block-map" || value.type === "block-seq") &&
      !props.hasNewline
    )
      this.suspect = true;
    const root = value ? this.node(value, props) : this.empty(props.end, doc.start, props);
    this.endTokens(doc.end, root.end);
    return root;
  }

  /** Stream-level `...`: only checks its trailing tokens. */
  docEnd(tok: CST.DocumentEnd): void {
    this.endTokens(tok.end, tok.offset + tok.source.length);
  }

  /** The Composer's resolveEnd, non-strict: only space, comments and newlines may follow a node. */
  endTokens(end: CST.SourceToken[] | undefined, offset: number): number {
    if (end === undefined) return offset;
    for (const t of end) {
      if (t.type !== "space" && t.type !== "comment" && t.type !== "newline") this.suspect = true;
      offset += t.source.length;
    }
    return offset;
  }

  /** The Composer's resolveProps, keeping only what affects structure, positions and errors. */
  props(
    tokens: CST.SourceToken[],
    flow: string | undefined,
    indicator: string,
    next: CST.Token | undefined,
    offset: number,
    parentIndent: number,
    startOnNewline: boolean,
  ): Props {
    let atNewline = startOnNewline;
    let hasSpace = startOnNewline;
    let hasNewline = false;
    let comment = false;
    let reqSpace = false;
    let tab: CST.SourceToken | null = null;
    let anchor: CST.SourceToken | null = null;
    let tag: CST.SourceToken | null = null;
    let newlineAfterProp: CST.SourceToken | null = null;
    let comma: CST.SourceToken | null = null;
    let found: CST.SourceToken | null = null;
    let start = -1;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as CST.SourceToken;
      const type = token.type;
      if (reqSpace) {
        if (type !== "space" && type !== "newline" && type !== "comma") this.suspect = true;
        reqSpace = false;
      }
      if (tab) {
        if (atNewline && type !== "comment" && type !== "newline") this.suspect = true;
        tab = null;
      }
      switch (type) {
        case "space":
          if (
            !flow &&
            (indicator !== "doc-start" || next?.type !== "flow-collection") &&
            token.source.includes("\t")
          )
            tab = token;
          hasSpace = true;
          break;
        case "comment":
          if (!hasSpace) this.suspect = true;
          comment = true;
          atNewline = false;
          break;
        case "newline":
          atNewline = true;
          hasNewline = true;
          if (anchor || tag) newlineAfterProp = token;
          hasSpace = true;
          break;
        case "anchor":
          if (anchor) this.suspect = true;
          anchor = token;
          if (start < 0) start = token.offset;
          atNewline = false;
          hasSpace = false;
          reqSpace = true;
          break;
        case "tag":
          if (tag) this.suspect = true;
          tag = token;
          if (start < 0) start = token.offset;
          atNewline = false;
          hasSpace = false;
          reqSpace = true;
          break;
        case indicator:
          if (anchor || tag || found) this.suspect = true;
          found = token;
          atNewline = indicator === "seq-item-ind" || indicator === "explicit-key-ind";
          hasSpace = false;
          break;
        case "comma":
          if (flow) {
            if (comma) this.suspect = true;
            comma = token;
            atNewline = false;
            hasSpace = false;
            break;
          }
          this.suspect = true;
          atNewline = false;
          hasSpace = false;
          break;
        default:
          this.suspect = true;
          atNewline = false;
          hasSpace = false;
      }
    }
    const last = tokens[tokens.length - 1];
    const end = last ? last.offset + last.source.length : offset;
    if (
      reqSpace &&
      next &&
      next.type !== "space" &&
      next.type !== "newline" &&
      next.type !== "comma" &&
      (next.type !== "scalar" || next.source !== "")
    )
      this.suspect = true;
    if (
      tab &&
      ((atNewline && tab.indent <= parentIndent) || next?.type === "block-map" || next?.type === "block-seq")
    )
      this.suspect = true;
    return {
      found,
      anchor,
      tag,
      comma,
      hasNewline,
      comment,
      newlineAfterProp,
      end,
      start: start < 0 ? end : start,
    };
  }

  /** The Composer's composeNode. */
  node(token: CST.Token, props: Props): YNode {
    let n: YNode;
    switch (token.type) {
      case "alias":
        n = new YNode(
          Kind.Alias,
          token.offset,
          this.endTokens(token.end, token.offset + token.source.length),
        );
        n.text = token.source.slice(1);
        if (n.text === "" || props.anchor || props.tag) this.suspect = true;
        return n;
      case "scalar":
      case "single-quoted-scalar":
      case "double-quoted-scalar":
      case "block-scalar":
        n = this.scalar(token, props.tag);
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection":
        n = this.collection(token, props);
        break;
      default:
        this.suspect = true;
        n = this.empty(token.offset, undefined, props);
    }
    if (props.anchor) {
      n.anchor = props.anchor.source.slice(1);
      if (n.anchor === "") this.suspect = true;
    }
    return n;
  }

  /** The Composer's composeEmptyNode: an empty plain scalar placed after the tokens before it. */
  empty(offset: number, before: CST.SourceToken[] | undefined, props: Props): YNode {
    const at = emptyScalarPosition(offset, before);
    const n = new YNode(Kind.Scalar, at, at);
    n.plain = true;
    if (props.tag) n.tag = this.scalarTag(props.tag);
    if (props.anchor) {
      n.anchor = props.anchor.source.slice(1);
      if (n.anchor === "") this.suspect = true;
    }
    // A comment after an empty value extends its range to the end of the props.
    if (props.comment) n.end = props.end;
    return n;
  }

  scalar(token: CST.FlowScalar | CST.BlockScalar, tagToken: CST.SourceToken | null): YNode {
    let n: YNode;
    const src = token.source;
    if (token.type === "scalar" && !src.includes("\n") && !BAD_PLAIN_START.has(src.charCodeAt(0))) {
      // Fast path: a one-line plain scalar is its own text.
      const valueEnd = token.offset + src.length;
      n = new YNode(Kind.Scalar, token.offset, this.endTokens(token.end, valueEnd));
      n.text = src;
      n.plain = true;
    } else {
      const atRoot = this.#atRoot;
      const r = CST.resolveAsScalar(token, false, (_offset, _code, message) => {
        // resolveAsScalar cannot know it is at the document root, where the Composer allows this.
        if (!(atRoot && message === BLOCK_INDENT_MSG)) this.suspect = true;
      });
      if (r === null) {
        this.suspect = true;
        n = new YNode(Kind.Scalar, token.offset, token.offset);
      } else {
        n = new YNode(Kind.Scalar, r.range[0], r.range[2]);
        n.text = r.value;
        n.plain = r.type === "PLAIN";
        if (tagToken) n.tag = this.scalarTag(tagToken);
        if (token.type === "block-scalar" && r.type !== null)
          this.#blockFix(n, r.range[1], r.type === "BLOCK_FOLDED");
        return n;
      }
    }
    if (tagToken) n.tag = this.scalarTag(tagToken);
    return n;
  }

  /** A scalar's tag as goyaml names it. Tags the failsafe schema resolves itself (binary, timestamp, …) may fail there. */
  scalarTag(tagToken: CST.SourceToken): string {
    const name = this.directives.tagName(tagToken.source, this.#onError);
    if (name === null || name === "!") return "";
    if (name.startsWith(YAML_TAG)) {
      if (name !== STR_TAG) this.suspect = true;
      return `!!${name.slice(YAML_TAG.length)}`;
    }
    return name;
  }

  /** The Composer's composeCollection. */
  collection(token: CST.BlockMap | CST.BlockSequence | CST.FlowCollection, props: Props): YNode {
    const tagToken = props.tag;
    const tagName = tagToken ? this.directives.tagName(tagToken.source, this.#onError) : null;
    if (token.type === "block-seq") {
      const { anchor, newlineAfterProp: nl } = props;
      const lastProp =
        anchor && tagToken ? (anchor.offset > tagToken.offset ? anchor : tagToken) : (anchor ?? tagToken);
      if (lastProp && (!nl || nl.offset < lastProp.offset)) this.suspect = true;
    }
    if (tagName !== null && tagName !== "!") {
      const isMap =
        token.type === "block-map" || (token.type === "flow-collection" && token.start.source === "{");
      // Other tags either warn or are resolved by the schema (set, omap, pairs), which may fail.
      if (tagName !== (isMap ? MAP_TAG : SEQ_TAG)) this.suspect = true;
    }
    this.#atRoot = false;
    if (token.type === "block-map") return this.blockMap(token);
    if (token.type === "block-seq") return this.blockSeq(token);
    return this.flowCollection(token);
  }

  blockMap(bm: CST.BlockMap): YNode {
    const map = new YNode(Kind.Map, bm.offset, bm.offset);
    map.pairs = [];
    let offset = bm.offset;
    let commentEnd = -1;
    for (const item of bm.items) {
      const { start, key, sep, value } = item;
      const keyProps = this.props(
        start,
        undefined,
        "explicit-key-ind",
        key ?? sep?.[0],
        offset,
        bm.indent,
        true,
      );
      const implicitKey = !keyProps.found;
      if (implicitKey) {
        if (key) {
          if (key.type === "block-seq") this.suspect = true;
          else if ("indent" in key && key.indent !== bm.indent) this.suspect = true;
        }
        if (!keyProps.anchor && !keyProps.tag && !sep) {
          commentEnd = keyProps.end;
          continue;
        }
        if (keyProps.newlineAfterProp || containsNewline(key)) this.suspect = true;
      } else if (keyProps.found?.indent !== bm.indent) this.suspect = true;
      const keyNode = key ? this.node(key, keyProps) : this.empty(keyProps.end, start, keyProps);
      const valueProps = this.props(
        sep ?? NO_PROPS_TOKENS,
        undefined,
        "map-value-ind",
        value,
        keyNode.end,
        bm.indent,
        !key || key.type === "block-scalar",
      );
      offset = valueProps.end;
      if (valueProps.found) {
        if (implicitKey && value?.type === "block-map" && !valueProps.hasNewline) this.suspect = true;
        const valueNode = value ? this.node(value, valueProps) : this.empty(offset, sep, valueProps);
        offset = valueNode.end;
        map.pairs.push({ key: keyNode, value: valueNode });
      } else {
        if (implicitKey) this.suspect = true;
        map.pairs.push({ key: keyNode, value: null });
      }
    }
    if (commentEnd >= 0 && commentEnd < offset) this.suspect = true;
    map.end = commentEnd >= 0 ? commentEnd : offset;
    return map;
  }

  blockSeq(bs: CST.BlockSequence): YNode {
    const seq = new YNode(Kind.Seq, bs.offset, bs.offset);
    seq.items = [];
    let offset = bs.offset;
    let commentEnd = -1;
    for (const { start, value } of bs.items) {
      const props = this.props(start, undefined, "seq-item-ind", value, offset, bs.indent, true);
      if (!props.found) {
        if (props.anchor || props.tag || value) this.suspect = true;
        else {
          commentEnd = props.end;
          continue;
        }
      }
      const node = value ? this.node(value, props) : this.empty(props.end, start, props);
      offset = node.end;
      seq.items.push(node);
    }
    seq.end = commentEnd >= 0 ? commentEnd : offset;
    return seq;
  }

  flowCollection(fc: CST.FlowCollection): YNode {
    const isMap = fc.start.source === "{";
    const fcName = isMap ? "flow map" : "flow sequence";
    const coll = new YNode(isMap ? Kind.Map : Kind.Seq, fc.offset, fc.offset);
    if (isMap) coll.pairs = [];
    else coll.items = [];
    let offset = fc.offset + fc.start.source.length;
    for (let i = 0; i < fc.items.length; ++i) {
      const { start, key, sep, value } = fc.items[i] as CST.CollectionItem;
      const props = this.props(start, fcName, "explicit-key-ind", key ?? sep?.[0], offset, fc.indent, false);
      if (!props.found) {
        if (!props.anchor && !props.tag && !sep && !value) {
          if (i === 0 && props.comma) this.suspect = true;
          else if (i < fc.items.length - 1) this.suspect = true;
          offset = props.end;
          continue;
        }
      }
      if (i === 0 ? props.comma : !props.comma) this.suspect = true;
      if (!isMap && !sep && !props.found) {
        const valueNode = value ? this.node(value, props) : this.empty(props.end, sep, props);
        coll.items.push(valueNode);
        offset = valueNode.end;
        if (isBlock(value)) this.suspect = true;
        continue;
      }
      const keyNode = key ? this.node(key, props) : this.empty(props.end, start, props);
      if (isBlock(key)) this.suspect = true;
      const valueProps = this.props(
        sep ?? NO_PROPS_TOKENS,
        fcName,
        "map-value-ind",
        value,
        keyNode.end,
        fc.indent,
        false,
      );
      if (!valueProps.found && value) this.suspect = true;
      const valueNode = value
        ? this.node(value, valueProps)
        : valueProps.found
          ? this.empty(valueProps.end, sep, valueProps)
          : null;
      if (valueNode && isBlock(value)) this.suspect = true;
      const pair: Pair = { key: keyNode, value: valueNode };
      if (isMap) coll.pairs.push(pair);
      else {
        // A `k: v` entry of a flow sequence is a single-pair mapping.
        const m = new YNode(Kind.Map, keyNode.start, (valueNode ?? keyNode).end);
        m.pairs = [pair];
        coll.items.push(m);
      }
      offset = valueNode ? valueNode.end : valueProps.end;
    }
    const ce = fc.end[0];
    let cePos = offset;
    let rest = fc.end.length > 1 ? fc.end.slice(1) : NO_PROPS_TOKENS;
    if (ce?.source === (isMap ? "}" : "]")) cePos = ce.offset + ce.source.length;
    else {
      this.suspect = true;
      if (ce && ce.source.length !== 1) rest = [ce, ...rest];
    }
    coll.end = rest.length > 0 ? this.endTokens(rest, cePos) : cePos;
    return coll;
  }
}

/** First characters a plain scalar cannot have (the Composer's BAD_SCALAR_START). */
const BAD_PLAIN_START = new Set([9, 44, 37, 124, 62, 64, 96]);

function isBlock(t: CST.Token | null | undefined): boolean {
  return !!t && (t.type === "block-map" || t.type === "block-seq");
}

/** The `yaml` package's emptyScalarPosition (without its `pos` argument, always the full list). */
function emptyScalarPosition(offset: number, before: CST.SourceToken[] | undefined): number {
  if (before) {
    for (let i = before.length - 1; i >= 0; --i) {
      let st = before[i] as CST.SourceToken;
      switch (st.type) {
        case "space":
        case "comment":
        case "newline":
          offset -= st.source.length;
          continue;
      }
      st = before[++i] as CST.SourceToken;
      while (st?.type === "space") {
        offset += st.source.length;
        st = before[++i] as CST.SourceToken;
      }
      break;
    }
  }
  return offset;
}

/** The `yaml` package's containsNewline: whether an implicit key spans lines. */
function containsNewline(key: CST.Token | null | undefined): boolean {
  if (!key) return false;
  switch (key.type) {
    case "alias":
    case "scalar":
    case "double-quoted-scalar":
    case "single-quoted-scalar":
      if (key.source.includes("\n")) return true;
      if (key.end) for (const st of key.end) if (st.type === "newline") return true;
      return false;
    case "flow-collection":
      for (const it of key.items) {
        for (const st of it.start) if (st.type === "newline") return true;
        if (it.sep) for (const st of it.sep) if (st.type === "newline") return true;
        if (containsNewline(it.key) || containsNewline(it.value)) return true;
      }
      return false;
    default:
      return true;
  }
}

const ALLOWED_LOW = 400_000;
const ALLOWED_HIGH = 4_000_000;

/** yaml.v3's bound on the share of decode work that comes from alias expansion. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= ALLOWED_LOW) return 0.99;
  if (decodeCount >= ALLOWED_HIGH) return 0.1;
  return 0.99 - (0.89 * (decodeCount - ALLOWED_LOW)) / (ALLOWED_HIGH - ALLOWED_LOW);
}

class Abort extends Error {}

type ErrFn = (code: string, message: string, offset: number | undefined, hint?: string, pos?: Pos) => void;

/** Decodes one document's nodes into Values, expanding aliases and merge keys as yaml.v3 does. */
class Walker {
  /** Anchors by name as defined so far in document order (created on first anchor: most documents have none). */
  #anchors: Map<string, YNode> | undefined;
  /** Each alias node's target, fixed when first met in document order. */
  readonly #aliasTarget = new Map<YNode, YNode | null>();
  /** Alias nodes being expanded, to catch an anchor whose value contains itself. */
  readonly #expanding = new Set<YNode>();
  #aliasDepth = 0;
  /** Some list decoded so far holds a null item. */
  nullItem = false;
  #decodeCount = 0;
  #aliasCount = 0;
  #depth = 0;

  constructor(
    readonly opts: LoadOptions,
    readonly err: ErrFn,
    readonly map: SourceMap,
  ) {}

  decode(root: YNode): Value | undefined {
    try {
      return this.node(root, true);
    } catch (e) {
      if (e instanceof Abort) return undefined;
      throw e;
    }
  }

  #fail(code: string, message: string, offset: number | undefined, hint?: string): never {
    this.err(code, message, offset, hint);
    throw new Abort(message);
  }

  #count(node: YNode): void {
    this.#decodeCount++;
    if (this.#aliasDepth > 0) this.#aliasCount++;
    if (
      this.#aliasCount > 100 &&
      this.#decodeCount > 1000 &&
      this.#aliasCount / this.#decodeCount > allowedAliasRatio(this.#decodeCount)
    ) {
      this.#fail(
        YAML_CODES.aliasing,
        "document contains excessive aliasing",
        node.start,
        "aliases expand to too much data (a YAML bomb?); reduce alias use",
      );
    }
  }

  #register(node: YNode): void {
    if (this.#aliasDepth === 0 && node.anchor !== "") {
      this.#anchors ??= new Map();
      this.#anchors.set(node.anchor, node);
    }
  }

  resolveAlias(a: YNode): YNode | null {
    let t = this.#aliasTarget.get(a);
    if (t === undefined) {
      t = this.#anchors?.get(a.text) ?? null;
      this.#aliasTarget.set(a, t);
    }
    return t;
  }

  /** Checks an alias before expanding it; pair with #leave. */
  #enter(a: YNode): YNode {
    const target = this.resolveAlias(a);
    if (target === null) {
      this.#fail(
        YAML_CODES.alias,
        `unknown anchor '${a.text}' referenced`,
        a.start,
        "define the anchor (`&name`) before using the alias (`*name`)",
      );
    }
    if (this.#expanding.has(a)) {
      this.#fail(
        YAML_CODES.alias,
        `anchor '${a.text}' value contains itself`,
        a.start,
        "an alias cannot refer to the node that contains it",
      );
    }
    this.#expanding.add(a);
    this.#aliasDepth++;
    return target;
  }

  #leave(a: YNode): void {
    this.#aliasDepth--;
    this.#expanding.delete(a);
  }

  node(n: YNode, top = false): Value {
    this.#count(n);
    if (n.kind === Kind.Scalar) {
      if (n.anchor !== "") this.#register(n);
      return this.scalar(n);
    }
    if (n.kind === Kind.Alias) {
      const t = this.#enter(n);
      try {
        return this.node(t, top);
      } finally {
        this.#leave(n);
      }
    }
    if (n.anchor !== "") this.#register(n);
    if (++this.#depth > this.opts.maxDepth) {
      this.#fail(
        YAML_CODES.depth,
        `exceeded max depth of ${this.opts.maxDepth}`,
        n.start,
        "aliases nest too deeply; flatten the document",
      );
    }
    try {
      if (n.kind === Kind.Map) {
        const out = newMap();
        this.mapping(n, out, top, null);
        return out;
      }
      const items = n.items;
      const out: Value[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const v = this.node(items[i] as YNode);
        if (v === null) this.nullItem = true;
        out[i] = v;
      }
      return out;
    } finally {
      this.#depth--;
    }
  }

  scalar(n: YNode): Value {
    return resolveScalar(n, this.err);
  }

  /**
   * Fills `out` from a mapping node. `merged`, when not null, holds the keys already set by the mapping that
   * merges this one (yaml.v3's merge: explicit keys win, earlier merge sources win).
   */
  mapping(n: YNode, out: ValueMap, top: boolean, merged: Set<string> | null): void {
    let entries: Entry[] = n.pairs;
    let mergePair: Entry | undefined;
    for (const e of entries) {
      if (isMergeKey(e.key)) {
        if (mergePair !== undefined) {
          this.#fail(
            YAML_CODES.merge,
            "duplicate merge key",
            e.key.start,
            "use one `<<:` with a list of aliases: `<<: [*a, *b]`",
          );
        }
        mergePair = e;
      }
    }
    if (mergePair !== undefined && merged === null) entries = this.#deAnchorMerge(entries, mergePair);
    const seen = this.#aliasDepth === 0 ? new Map<string, number>() : null;
    let mergeNode: Entry | undefined;
    for (const e of entries) {
      const via = e.via;
      if (via === undefined || via === null) {
        if (this.#entry(e, out, top, merged, seen)) mergeNode = e;
        continue;
      }
      this.#enter(via);
      try {
        if (this.#entry(e, out, top, merged, seen)) mergeNode = e;
      } finally {
        this.#leave(via);
      }
    }
    if (mergeNode !== undefined) {
      const set = merged ?? new Set(Object.keys(out));
      this.merge(mergeNode.value, mergeNode.key.start, out, set);
    }
  }

  /** Decodes one mapping entry into `out`; true when it is the merge key (handled after the others). */
  #entry(
    e: Entry,
    out: ValueMap,
    top: boolean,
    merged: Set<string> | null,
    seen: Map<string, number> | null,
  ): boolean {
    const keyNode = e.key;
    if (isMergeKey(keyNode)) {
      this.#count(keyNode);
      return true;
    }
    const via = e.via ?? null;
    const key = this.key(keyNode, top);
    if (seen && via === null) {
      const prev = seen.get(key);
      const off = keyNode.start;
      if (prev !== undefined) {
        this.#fail(
          YAML_CODES.duplicateKey,
          `mapping key ${goQuote(key)} already defined at line ${this.map.pos(prev).line}`,
          off,
          "remove or rename one of the two keys",
        );
      }
      seen.set(key, off);
    }
    if (merged !== null) {
      if (merged.has(key)) return false;
      merged.add(key);
    } else if (via !== null && Object.hasOwn(out, key)) {
      // Two entries that kyaml kept apart (an alias key and a plain one) but that decode to the same key.
      this.#fail(
        YAML_CODES.duplicateKey,
        `mapping key ${goQuote(key)} already defined`,
        keyNode.start,
        "remove or rename one of the two keys",
      );
    }
    // A missing value (`? a` without `:`) decodes to null.
    out[key] = e.value === null ? null : this.node(e.value);
    const v = e.value;
    if (
      v === null ||
      (v.kind === Kind.Scalar && v.plain && v.text === "" && v.tag === "" && v.anchor === "")
    ) {
      markEmpty(out, key);
    }
    return false;
  }

  /**
   * kustomize first runs kyaml's DeAnchor, which flattens merge keys its own way: sources are taken in reverse
   * list order and each overwrites entries with the same key *text* (an alias key counts as its alias name);
   * the mapping's own entries win. A `<<` inside a source is carried over and left to yaml.v3's decoding.
   */
  #deAnchorMerge(entries: Entry[], mergePair: Entry): Entry[] {
    const sources = this.#mergeSources(mergePair.value, mergePair.key.start);
    const own = entries.filter((e) => e !== mergePair);
    const out = [...own];
    const ownNames = new Set(own.map((e) => matchName(e.key)));
    const index = new Map<string, number>();
    for (const src of sources) {
      const namesInSource = new Set<string>();
      for (const pair of src.map.pairs) {
        const key = pair.key;
        const name = matchName(key);
        // kyaml looks each name up again and finds its first entry: later duplicates in a source are ignored.
        if (namesInSource.has(name) || ownNames.has(name)) continue;
        namesInSource.add(name);
        const e: Entry = { key, value: pair.value, via: src.via };
        const i = index.get(name);
        if (i === undefined) {
          index.set(name, out.length);
          out.push(e);
        } else out[i] = e;
      }
    }
    return out;
  }

  /** kyaml's findMergeValues: the mappings to merge, in the order kyaml applies them (later ones win). */
  #mergeSources(v: YNode | null, offset: number): { map: YNode; via: YNode | null }[] {
    const bad = (message: string): never =>
      this.#fail(
        YAML_CODES.merge,
        message,
        v?.start ?? offset,
        "`<<:` takes an alias to a mapping, a mapping, or a list of those",
      );
    const one = (m: YNode | null): { map: YNode; via: YNode | null } => {
      if (m !== null && m.kind === Kind.Map) {
        this.#register(m);
        return { map: m, via: null };
      }
      if (m !== null && m.kind === Kind.Alias) {
        const t = this.resolveAlias(m);
        if (t === null) {
          this.#enter(m); // reports the unknown anchor
          return bad("unknown anchor");
        }
        if (t.kind !== Kind.Map) bad("invalid map merge: received alias for a non-map value");
        return { map: t, via: m };
      }
      return bad("map merge requires map or sequence of maps as the value");
    };
    if (v !== null && v.kind === Kind.Seq) {
      this.#register(v);
      const out: { map: YNode; via: YNode | null }[] = [];
      for (const m of v.items) {
        if (m.kind === Kind.Seq) bad("invalid map merge: received a nested sequence");
        out.unshift(one(m));
      }
      return out;
    }
    return [one(v)];
  }

  merge(v: YNode | null, offset: number, out: ValueMap, merged: Set<string>): void {
    const wantMap = (): never =>
      this.#fail(
        YAML_CODES.merge,
        "map merge requires map or sequence of maps as the value",
        v?.start ?? offset,
        "`<<:` takes an alias to a mapping, a mapping, or a list of those",
      );
    const mergeOne = (m: YNode): void => {
      this.#count(m);
      if (m.kind === Kind.Alias) {
        const t = this.resolveAlias(m);
        if (t !== null && t.kind !== Kind.Map) wantMap();
        const target = this.#enter(m);
        try {
          this.#mergeMap(target, out, merged);
        } finally {
          this.#leave(m);
        }
        return;
      }
      if (m.kind !== Kind.Map) wantMap();
      this.#mergeMap(m, out, merged);
    };
    if (v === null) wantMap();
    else if (v.kind === Kind.Seq) {
      this.#count(v);
      this.#register(v);
      for (const m of v.items) {
        if (!(m.kind === Kind.Alias || m.kind === Kind.Map)) wantMap();
        else mergeOne(m);
      }
    } else if (v.kind === Kind.Alias || v.kind === Kind.Map) mergeOne(v);
    else wantMap();
  }

  #mergeMap(m: YNode, out: ValueMap, merged: Set<string>): void {
    this.#register(m);
    if (++this.#depth > this.opts.maxDepth) {
      this.#fail(YAML_CODES.depth, `exceeded max depth of ${this.opts.maxDepth}`, m.start);
    }
    try {
      this.mapping(m, out, false, merged);
    } finally {
      this.#depth--;
    }
  }

  /** The string a mapping key decodes to, or a diagnostic for keys kustomize cannot handle. */
  key(k: YNode, top: boolean): string {
    this.#count(k);
    let node: YNode = k;
    if (k.kind === Kind.Alias) {
      const t = this.resolveAlias(k);
      if (t === null) this.#enter(k); // reports the unknown anchor
      node = t as YNode;
    } else if (k.anchor !== "") this.#register(k);
    if (node.kind !== Kind.Scalar) {
      this.#fail(
        YAML_CODES.nonStringKey,
        `invalid map key: a ${node.kind === Kind.Seq ? "sequence" : "mapping"} cannot be a mapping key`,
        k.start,
        "use a string key",
      );
    }
    const raw = node.text;
    // Fast path: an untagged plain key that cannot resolve to anything but a string.
    if (node.tag === "" && (!node.plain || resolveHint(raw) === "")) return raw;
    const v = this.scalar(node);
    if (typeof v === "string" && resolvesToString(node)) return v;
    if (v === null) {
      this.#fail(
        YAML_CODES.nonStringKey,
        "null mapping key",
        k.start,
        "quote the key if it is meant as text",
      );
    }
    if (top || this.opts.nonStringKeys === "stringify") return raw;
    return this.#fail(
      YAML_CODES.nonStringKey,
      `mapping key ${raw} is a ${typeName(v)}, not a string; kustomize cannot encode it`,
      k.start,
      `quote the key: "${raw}"`,
    );
  }

  positionOf(root: YNode, path: readonly (string | number)[], map: SourceMap): Pos | undefined {
    let cur: YNode | null = root;
    for (const seg of path) {
      if (cur === null) return undefined;
      const resolved = this.#deref(cur);
      if (resolved === null) return undefined;
      const next: YNode | null | undefined =
        typeof seg === "number" ? seqAt(resolved, seg) : this.#field(resolved, seg, 0);
      if (next === undefined) return undefined;
      cur = next;
    }
    return cur === null ? undefined : map.pos(cur.start);
  }

  #deref(n: YNode): YNode | null {
    let cur: YNode | null = n;
    for (let i = 0; cur !== null && cur.kind === Kind.Alias && i < 1000; i++)
      cur = this.#aliasTarget.get(cur) ?? null;
    return cur;
  }

  #field(m: YNode, key: string, depth: number): YNode | null | undefined {
    if (m.kind !== Kind.Map || depth > 100) return undefined;
    let merge: YNode | null = null;
    let found: YNode | null | undefined;
    for (const pair of m.pairs) {
      const k = pair.key;
      if (isMergeKey(k)) {
        merge = pair.value;
        continue;
      }
      const kn = this.#deref(k);
      if (kn !== null && kn.kind === Kind.Scalar && kn.text === key) found = pair.value ?? k;
    }
    if (found !== undefined) return found;
    if (merge === null) return undefined;
    const sources = merge.kind === Kind.Seq ? merge.items : [merge];
    for (const s of sources) {
      const t = this.#deref(s);
      if (t === null) continue;
      const r = this.#field(t, key, depth + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  }
}

/** A mapping entry to decode; merged entries carry the alias they were reached through. */
interface Entry {
  key: YNode;
  value: YNode | null;
  /** The alias through which a merged entry was reached, so its decoding counts as alias expansion. */
  via?: YNode | null;
}

/** The key text kyaml matches merged entries by: an alias key's alias name, a scalar's text. */
function matchName(k: YNode): string {
  return k.kind === Kind.Alias || k.kind === Kind.Scalar ? k.text : "";
}

function seqAt(n: YNode, i: number): YNode | null | undefined {
  if (n.kind !== Kind.Seq) return undefined;
  const items = n.items;
  if (i < 0 || i >= items.length) return undefined;
  return items[i] as YNode;
}

function typeName(v: Value): string {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || typeof v === "bigint") return "number";
  return "timestamp";
}

/** Go's %#v of a string, close enough for messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

function isMergeKey(k: YNode): boolean {
  return k.kind === Kind.Scalar && k.plain && k.text === "<<" && (k.tag === "" || k.tag === "!!merge");
}

/** Decodes a scalar node: yaml.v3's `resolve` plus its handling of quoting, explicit tags and `!!binary`. */
function resolveScalar(n: YNode, err: ErrFn): Value {
  const text = n.text;
  const tag = n.tag;
  if (tag === "") {
    if (!n.plain) return text;
    // Fast path: most plain scalars cannot resolve to anything but a string.
    if (resolveHint(text) === "") return text;
    return resolve(tag, text).value;
  }
  if (tag === "!!str") return text;
  if (tag === "!!binary") {
    const decoded = decodeBase64(text);
    if (decoded === undefined) {
      err(YAML_CODES.tag, "!!binary value contains invalid base64 data", n.start, "fix the base64 text");
      throw new Abort("tag");
    }
    return decoded;
  }
  if (!RESOLVABLE.has(tag)) return text;
  const r = resolve(tag, text);
  if (tag === r.tag) return r.value;
  if (tag === "!!float" && r.tag === "!!int" && r.signed) return Number(r.value);
  err(
    YAML_CODES.tag,
    `cannot decode ${r.tag} \`${text}\` as a ${tag}`,
    n.start,
    `the value does not fit the ${tag} tag; change the value or drop the tag`,
  );
  throw new Abort("tag");
}

/** Whether goyaml tags the decoded scalar as a string (a timestamp decodes to our string but is not one). */
function resolvesToString(n: YNode): boolean {
  const tag = n.tag;
  if (tag === "!!str" || (tag === "" && !n.plain)) return true;
  if (!RESOLVABLE.has(tag)) return true;
  return resolve(tag, n.text).tag === "!!str";
}

const RESOLVABLE = new Set(["", "!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"]);

interface Resolved {
  tag: string;
  value: Value;
  /** For !!int: whether Go held it as a signed int (only those convert to float under !!float). */
  signed?: boolean;
}

const MAP_VALUES = new Map<string, Resolved>();
for (const s of ["true", "True", "TRUE"]) MAP_VALUES.set(s, { tag: "!!bool", value: true });
for (const s of ["false", "False", "FALSE"]) MAP_VALUES.set(s, { tag: "!!bool", value: false });
for (const s of ["", "~", "null", "Null", "NULL"]) MAP_VALUES.set(s, { tag: "!!null", value: null });
for (const s of [".nan", ".NaN", ".NAN"]) MAP_VALUES.set(s, { tag: "!!float", value: Number.NaN });
for (const s of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"])
  MAP_VALUES.set(s, { tag: "!!float", value: Number.POSITIVE_INFINITY });
for (const s of ["-.inf", "-.Inf", "-.INF"])
  MAP_VALUES.set(s, { tag: "!!float", value: Number.NEGATIVE_INFINITY });
MAP_VALUES.set("<<", { tag: "!!merge", value: "<<" });

/** A decimal int that is a safe JavaScript integer and no octal (`0` alone or no leading zero). */
const SMALL_DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** yaml.v3's resolve table hint for the first character: "" means the scalar can only be a string. */
function resolveHint(s: string): string {
  if (s.length === 0) return "N";
  const c = s.charCodeAt(0);
  if (c === 43 || c === 45) return "S";
  if (c >= 48 && c <= 57) return "D";
  if (c === 46) return ".";
  // yYnNtTfFoO~
  switch (c) {
    case 121:
    case 89:
    case 110:
    case 78:
    case 116:
    case 84:
    case 102:
    case 70:
    case 111:
    case 79:
    case 126:
      return "M";
  }
  return "";
}

/** yaml.v3 `resolve(tag, in)` for the resolvable tags; `tag` only matters for timestamps. */
function resolve(tag: string, s: string): Resolved {
  const str: Resolved = { tag: "!!str", value: s };
  const hint = resolveHint(s);
  if (hint === "" || tag === "!!str") return str;
  const m = MAP_VALUES.get(s);
  if (m) return m;
  if (hint === ".") {
    // Go's ParseFloat takes `_` between two digits.
    const t = s.includes("_") && /^(?:[^_]|(?<=[0-9])_(?=[0-9]))*$/.test(s) ? s.replaceAll("_", "") : s;
    if (DOT_FLOAT.test(t)) {
      const f = Number(t);
      if (Number.isFinite(f)) return { tag: "!!float", value: f };
    }
    return str;
  }
  if (hint !== "D" && hint !== "S") return str;
  if (tag === "" || tag === "!!timestamp") {
    const t = parseTimestamp(s);
    if (t !== undefined) return { tag: "!!timestamp", value: t };
  }
  const plain = s.includes("_") ? s.replaceAll("_", "") : s;
  const i = parseGoInt(plain);
  if (i !== undefined) {
    if (i >= INT64_MIN && i <= INT64_MAX) return { tag: "!!int", value: intValue(i), signed: true };
    if (i >= 0n && i <= UINT64_MAX && plain[0] !== "+" && plain[0] !== "-") return { tag: "!!int", value: i };
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = Number(plain);
    // Go's ParseFloat reports overflow as an error; the scalar then stays a string.
    if (Number.isFinite(f)) return { tag: "!!float", value: f };
  }
  return str;
}

function intValue(i: bigint): number | bigint {
  return i >= BigInt(Number.MIN_SAFE_INTEGER) && i <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i) : i;
}

const DIGITS: Record<number, RegExp> = {
  2: /^[01]+$/,
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
};

/** Go's strconv.ParseInt(s, 0, ·) syntax (without its range check), underscores already removed. */
function parseGoInt(s: string): bigint | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  let base = 10;
  let body = s.slice(i);
  if (body.length > 1 && body[0] === "0") {
    const p = body[1]?.toLowerCase();
    if (p === "x") base = 16;
    else if (p === "b") base = 2;
    else if (p === "o") base = 8;
    if (base !== 10) body = body.slice(2);
    else {
      base = 8;
      body = body.slice(1);
    }
  }
  if (body.length === 0 || !(DIGITS[base] as RegExp).test(body)) return undefined;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "";
  const v = BigInt(prefix + body);
  return neg ? -v : v;
}

/** Go's base64.StdEncoding.DecodeString (padding required, CR/LF ignored), decoded as UTF-8. */
function decodeBase64(s: string): string | undefined {
  const t = s.replace(/[\r\n]/g, "");
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, "base64").toString("utf8");
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * yaml.v3's timestamp formats, parsed the way Go's time.Parse does, and returned as time.Time's JSON form
 * (RFC 3339 with nanoseconds, trailing zeros trimmed; `Z` for a zero offset). Formats, in order:
 * `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999` (UTC), `2006-1-2`.
 */
export function parseTimestamp(s: string): string | undefined {
  // Quick check, as yaml.v3: exactly four digits and a dash.
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i !== 4 || s[4] !== "-") return undefined;
  return parseLayout(s, "T") ?? parseLayout(s, "t") ?? parseLayout(s, " ") ?? parseLayout(s, "");
}

function parseLayout(s: string, sep: "T" | "t" | " " | ""): string | undefined {
  const cur = { s, p: 0 };
  const year = Number(s.slice(0, 4));
  cur.p = 4;
  if (!lit(cur, "-")) return undefined;
  const month = num(cur);
  if (month === undefined || month < 1 || month > 12) return undefined;
  if (!lit(cur, "-")) return undefined;
  const day = num(cur);
  if (day === undefined) return undefined;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let frac = "";
  let offset: number | undefined; // minutes east of UTC; undefined for UTC
  if (sep !== "") {
    if (sep === " ") {
      // Go's layout matching lets one space match a run of spaces.
      if (s[cur.p] !== " ") return undefined;
      while (s[cur.p] === " ") cur.p++;
    } else if (!lit(cur, sep)) return undefined;
    const h = num(cur);
    if (h === undefined || h >= 24 || !lit(cur, ":")) return undefined;
    const m = num(cur);
    if (m === undefined || m >= 60 || !lit(cur, ":")) return undefined;
    const sc = num(cur);
    if (sc === undefined || sc >= 60) return undefined;
    hour = h;
    min = m;
    sec = sc;
    const fc = s[cur.p];
    if ((fc === "." || fc === ",") && isDigit(s, cur.p + 1)) {
      let j = cur.p + 1;
      while (isDigit(s, j)) j++;
      frac = s.slice(cur.p + 1, Math.min(j, cur.p + 10));
      cur.p = j;
    }
    if (sep !== " ") {
      if (s[cur.p] === "Z") cur.p++;
      else {
        const z = s.slice(cur.p, cur.p + 6);
        if (z.length < 6 || z[3] !== ":" || (z[0] !== "+" && z[0] !== "-")) return undefined;
        if (!isDigit(z, 1) || !isDigit(z, 2) || !isDigit(z, 4) || !isDigit(z, 5)) return undefined;
        const zh = Number(z.slice(1, 3));
        const zm = Number(z.slice(4, 6));
        if (zh > 24 || zm > 60) return undefined;
        offset = (z[0] === "-" ? -1 : 1) * (zh * 60 + zm);
        cur.p += 6;
      }
    }
  }
  if (cur.p !== s.length) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > dim) return undefined;
  const fracOut = frac.padEnd(9, "0").replace(/0+$/, "");
  const zone =
    offset === undefined || offset === 0
      ? "Z"
      : `${offset < 0 ? "-" : "+"}${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
  return `${s.slice(0, 4)}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(min)}:${pad2(sec)}${fracOut ? `.${fracOut}` : ""}${zone}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function lit(cur: { s: string; p: number }, ch: string): boolean {
  if (cur.s[cur.p] !== ch) return false;
  cur.p++;
  return true;
}

/** Go's getnum(value, false): one or two digits. */
function num(cur: { s: string; p: number }): number | undefined {
  if (!isDigit(cur.s, cur.p)) return undefined;
  if (!isDigit(cur.s, cur.p + 1)) return Number(cur.s[cur.p++]);
  const v = Number(cur.s.slice(cur.p, cur.p + 2));
  cur.p += 2;
  return v;
}
