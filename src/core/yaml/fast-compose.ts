/**
 * A fast composer for the YAML that Kubernetes repositories are made of: block mappings and sequences, plain,
 * quoted and block scalars, simple flow collections, comments and `---` separators. It builds the same nodes
 * (`YNode`, with the same source offsets) that `load.ts` composes from the `yaml` package's CST, in one pass
 * over the characters and without the lexer's tokens, which is where most of the loading time went.
 *
 * Anything outside that subset — anchor names the two parsers read differently, tags, directives, explicit
 * keys, tabs, CR line breaks, odd indentation, keep chomping, indentation indicators, anything that might be an
 * error — makes it give up (`undefined`), and the caller takes the general path. Giving up is always correct;
 * guessing never is. `fast-compose.test.ts` compares both paths node by node on inline cases and, when present,
 * every YAML file of ../shared/corpus.
 *
 * The same scanner also decodes straight to values (`fastDecode`), which is how `load.ts` reads most files:
 * no nodes are built unless a diagnostic asks for a position.
 */
import { CST } from "yaml";
import { Kind, type Pair, YNode } from "./node.ts";
import { markEmpty, newMap, type Value, type ValueMap } from "./value.ts";

/**
 * Post-processing of a block scalar's text shared with the general path (end-of-file chomping, kyaml's
 * folding); `end` is the offset where the scalar ends.
 */
export type BlockFix = (text: string, end: number, folded: boolean) => string;

const NO_FIX: BlockFix = (text) => text;

/** How `fastDecode` reads plain scalars: the value one decodes to, and whether one is a string mapping key. */
export interface PlainResolver {
  value(text: string): Value;
  isStringKey(text: string): boolean;
}

/** What a text is made of, for the fast paths: printable ASCII and "\n" only, other supported text, or not. */
const PRINTABLE_ASCII = 0;
const OTHER_TEXT = 1;
/** Controls but LF, NEL, LS/PS, BOM, non-characters: the whole input takes the general path. */
const UNSUPPORTED_TEXT = 2;
type TextKind = typeof PRINTABLE_ASCII | typeof OTHER_TEXT | typeof UNSUPPORTED_TEXT;

function textKind(s: string): TextKind {
  // Most files are printable ASCII, which the simpler class rules out faster.
  if (!NOT_ASCII_TEXT.test(s)) return PRINTABLE_ASCII;
  return UNSUPPORTED.test(s) ? UNSUPPORTED_TEXT : OTHER_TEXT;
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const UNSUPPORTED = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const NOT_ASCII_TEXT = /[^\n\x20-\x7e]/;
/** Spaces from `lastIndex` on (see lineIndent). */
const INDENT = / */y;
const DEDENT: RegExp[] = [];
/** A line break with up to `n` spaces after it. */
function dedent(n: number): RegExp {
  let re = DEDENT[n];
  if (re === undefined) {
    re = new RegExp(`\n {0,${n}}`, "g");
    DEDENT[n] = re;
  }
  return re;
}

/** The deepest nesting handled here; deeper documents take the general path, which reports limits. */
export const MAX_DEPTH = 200;

const NL = 10;
const SP = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const SQUOTE = 39;
const DQUOTE = 34;
const COMMA = 44;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const BACKSLASH = 92;
const AMP = 38;
const STAR = 42;

/**
 * Plain keys seen lately, by first and last character and length: the same few keys (`name`, `type`)
 * come back all the time, and reusing the string that was a property name before spares a copy and V8 the
 * lookup of its internalized form.
 */
const KEYS: string[] = new Array(1024).fill("");

function plainKeyText(s: string, at: number, end: number): string {
  const len = end - at;
  const slot = (s.charCodeAt(at) * 31 + s.charCodeAt(end - 1) * 7 + len) & 1023;
  const known = KEYS[slot] as string;
  if (known.length === len && s.startsWith(known, at)) return known;
  const text = s.slice(at, end);
  KEYS[slot] = text;
  return text;
}

class GiveUp extends Error {}
const GIVE_UP = new GiveUp();

/** Composes every document of `src`, or returns undefined when the input needs the general path. */
export function fastCompose(src: string, blockFix: BlockFix = NO_FIX): YNode[] | undefined {
  if (textKind(src) === UNSUPPORTED_TEXT) return undefined;
  try {
    return new FastComposer(src, blockFix).documents();
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
}

/** The documents `fastDecode` read: each root's value (null: empty), source offset and null-item flag. */
export interface FastDocs {
  values: Value[];
  starts: number[];
  nullItems: boolean[];
  /**
   * Every string of every value is printable ASCII and "\n" (the text is, and no escape sequence of a
   * double-quoted scalar made anything else): the emitter can skip its own check of each string.
   */
  printable: boolean;
}

/**
 * Decodes every document of `src` straight to values, as `load.ts`'s Walker would decode `fastCompose`'s
 * nodes, without building the nodes. It also gives up (undefined) on what only the Walker handles: anchors,
 * aliases, merge keys, keys that do not decode to strings and duplicate keys. `fastCompose` then composes
 * the same text, so the nodes (for positions) are always there when the values are.
 */
export function fastDecode(src: string, blockFix: BlockFix, plain: PlainResolver): FastDocs | undefined {
  const kind = textKind(src);
  if (kind === UNSUPPORTED_TEXT) return undefined;
  try {
    const d = new FastDecoder(src, blockFix, plain);
    const values = d.documents();
    return {
      values: values as Value[],
      starts: d.starts,
      nullItems: d.nullItems,
      printable: kind === PRINTABLE_ASCII && !d.escapes,
    };
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
}

/** Indicator characters that cannot start a plain scalar (or start something this composer leaves alone). */
function isIndicator(c: number): boolean {
  switch (c) {
    case 33: // !
    case 34: // "
    case 35: // #
    case 37: // %
    case 38: // &
    case 39: // '
    case 42: // *
    case 44: // ,
    case 62: // >
    case 64: // @
    case 91: // [
    case 93: // ]
    case 96: // `
    case 123: // {
    case 124: // |
    case 125: // }
      return true;
    default:
      return false;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/**
 * The scanner both readers share; what they build from it (nodes or values) comes from the hooks below. `N` is
 * what a node becomes.
 */
abstract class FastReader<N> {
  readonly n: number;
  /** Offset of the first line not consumed yet by the node just parsed (always a line start, or n). */
  p = 0;
  /** End offset of the flow item or flow collection just parsed. */
  end = 0;
  /** Indentation of the line `skipBlank` found. */
  ind = 0;
  /** What a scalar's scan saw after it (see `seen`): from line start `#nextFrom`, the next content line. */
  #nextFrom = -1;
  #nextLine = 0;
  #nextInd = 0;
  /** The last answer of `eol`: the line end `#eol` holds for every offset in [#eolFrom, #eol]. */
  #eolFrom = 1;
  #eol = 0;
  /** Source offset of each document's root node. */
  readonly starts: number[] = [];
  /** Per document: whether a sequence of it holds a null item (set by the decoder). */
  readonly nullItems: boolean[] = [];
  nullItem = false;
  /** Whether a double-quoted scalar had an escape sequence (which may stand for any character). */
  escapes = false;

  constructor(
    readonly s: string,
    readonly blockFix: BlockFix,
  ) {
    this.n = s.length;
  }

  // --- what is built --------------------------------------------------------------------------------

  /** A scalar `s[start, end)` with its decoded text; `plain` when unquoted and not a block scalar. */
  abstract scalar(start: number, end: number, text: string, plain: boolean): N;
  /** The empty plain scalar of a missing value, at `at`. */
  abstract empty(at: number): N;
  /** A mapping key, a scalar `s[start, end)` (see `scalar`). */
  abstract keyScalar(start: number, end: number, text: string, plain: boolean): N;
  /** An alias `*name` at `s[start, end)`. */
  abstract alias(start: number, end: number, name: string): N;
  /** A value with an anchor (`&name value`, or `&name` then a block node on the following lines). */
  abstract anchored(at: number, col: number, inMap: boolean, depth: number): N;
  /** Checks a flow mapping's key, the flow item `item` just parsed (scalars come from `keyScalar`). */
  abstract flowKey(item: N): N;
  abstract newMap(start: number): N;
  /** Adds an entry to a mapping; `first` when it is the mapping's first. */
  abstract setEntry(map: N, key: N, value: N, first: boolean): void;
  abstract newSeq(start: number): N;
  abstract addItem(seq: N, item: N): void;
  /** Sets a collection's end offset. */
  abstract close(node: N, end: number): void;

  // --- lines -------------------------------------------------------------------------------------------

  /** Offset of the "\n" ending the line that holds `i`, or n. */
  eol(i: number): number {
    // A line is asked for several times (its key, its value, what follows).
    if (i >= this.#eolFrom && i <= this.#eol) return this.#eol;
    const j = this.s.indexOf("\n", i);
    this.#eolFrom = i;
    this.#eol = j < 0 ? this.n : j;
    return this.#eol;
  }

  /** Start of the line after the one holding `i`, or n. */
  nextLine(i: number): number {
    const j = this.eol(i);
    return j < this.n ? j + 1 : this.n;
  }

  spaces(i: number): number {
    const s = this.s;
    let j = i;
    while (s.charCodeAt(j) === SP) j++;
    return j - i;
  }

  /** spaces() at a line start, where there are often dozens (CRD schemas): a regular expression counts faster. */
  lineIndent(li: number): number {
    if (this.s.charCodeAt(li) !== SP) return 0;
    INDENT.lastIndex = li;
    INDENT.test(this.s);
    return INDENT.lastIndex - li;
  }

  /** Notes that skipBlank(from) is `line`, indented `ind` (a scalar's scan has just seen it). */
  seen(from: number, line: number, ind: number): void {
    this.#nextFrom = from;
    this.#nextLine = line;
    this.#nextInd = ind;
  }

  /**
   * From a line start: the start of the next line holding content (not blank, not only a comment), or n;
   * `ind` is then that line's indentation.
   */
  skipBlank(i: number): number {
    if (i === this.#nextFrom) {
      this.ind = this.#nextInd;
      return this.#nextLine;
    }
    const s = this.s;
    let li = i;
    while (li < this.n) {
      const j = li + this.lineIndent(li);
      const c = s.charCodeAt(j);
      if (j < this.n && c !== NL && c !== HASH) {
        this.ind = j - li;
        return li;
      }
      li = this.nextLine(j);
    }
    this.ind = 0;
    return this.n;
  }

  /** `---` or `...` at a line start, followed by a blank or the end. */
  isMarker(li: number): boolean {
    const s = this.s;
    const c = s.charCodeAt(li);
    if (c !== DASH && c !== 46) return false;
    if (s.charCodeAt(li + 1) !== c || s.charCodeAt(li + 2) !== c) return false;
    const d = s.charCodeAt(li + 3);
    return li + 3 >= this.n || d === SP || d === NL;
  }

  /** After a node on a line: only spaces and a comment may follow. Returns the next line's start. */
  endOfLine(i: number): number {
    const s = this.s;
    let j = i;
    while (s.charCodeAt(j) === SP) j++;
    if (j >= this.n) return this.n;
    const c = s.charCodeAt(j);
    if (c === NL) return j + 1;
    if (c === HASH && j > i) return this.nextLine(j);
    throw GIVE_UP;
  }

  /** A blank (or the end of the line or input) at `i`. */
  blankAt(i: number): boolean {
    if (i >= this.n) return true;
    const c = this.s.charCodeAt(i);
    return c === SP || c === NL;
  }

  // --- documents ---------------------------------------------------------------------------------------

  documents(): N[] {
    const s = this.s;
    const roots: N[] = [];
    /** Offset just after an explicit `---` whose document has no content yet, or -1. */
    let open = -1;
    let i = 0;
    for (;;) {
      const li = this.skipBlank(i);
      if (li >= this.n) break;
      if (this.isMarker(li)) {
        if (s.charCodeAt(li) === 46) throw GIVE_UP; // `...`
        if (open >= 0) this.root(roots, this.emptyDocument(open));
        open = li + 3;
        i = this.endOfLine(li + 3);
        continue;
      }
      const c = s.charCodeAt(li);
      if (c === 37) throw GIVE_UP; // a directive
      const at = li + this.ind;
      this.starts.push(at);
      this.root(roots, this.blockNode(at, -1, 0));
      open = -1;
      i = this.p;
      const next = this.skipBlank(i);
      if (next < this.n && !this.isMarker(next)) throw GIVE_UP;
    }
    if (open >= 0) this.root(roots, this.emptyDocument(open));
    return roots;
  }

  root(roots: N[], node: N): void {
    roots.push(node);
    this.nullItems.push(this.nullItem);
    this.nullItem = false;
  }

  /** An empty plain scalar after `offset` and the spaces that follow it (the Composer's empty-node position). */
  emptyNode(offset: number): N {
    return this.empty(offset + this.spaces(offset));
  }

  /** The empty document after an explicit `---` ending at `offset`. */
  emptyDocument(offset: number): N {
    const at = offset + this.spaces(offset);
    this.starts.push(at);
    return this.empty(at);
  }

  // --- block nodes -------------------------------------------------------------------------------------

  /** A node starting at `at` (its line's first non-space), inside a parent indented `parent`. */
  blockNode(at: number, parent: number, depth: number): N {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const s = this.s;
    const c = s.charCodeAt(at);
    const col = at - this.lineStart(at);
    if (c === DASH && this.blankAt(at + 1)) return this.sequence(at, col, depth);
    if (this.keyEnd(at) >= 0) return this.mapping(at, col, depth);
    if (parent < 0) throw GIVE_UP; // a scalar document
    return this.inlineValue(at, parent, depth);
  }

  lineStart(i: number): number {
    return this.s.lastIndexOf("\n", i - 1) + 1;
  }

  /**
   * When `at` starts an implicit key on its line: the offset of its `:` separator; otherwise -1. Gives up on
   * keys this composer does not handle.
   */
  keyEnd(at: number): number {
    const s = this.s;
    const c = s.charCodeAt(at);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quotedEnd(at);
      if (close < 0) return -1;
      const j = close + this.spaces(close);
      if (s.charCodeAt(j) === COLON && this.blankAt(j + 1)) {
        if (s.lastIndexOf("\n", close) >= at) throw GIVE_UP; // a multi-line key is an error
        return j;
      }
      return -1;
    }
    if (c === STAR) {
      // An alias as a key: `*name :`.
      const end = this.anchorEnd(at);
      const j = end + this.spaces(end);
      return s.charCodeAt(j) === COLON && this.blankAt(j + 1) ? j : -1;
    }
    if (c === DASH || c === 63 || c === COLON) {
      // `-x`, `?x`, `:x` start plain scalars; `- `, `? `, `: ` are indicators.
      if (this.blankAt(at + 1)) {
        if (c === DASH) return -1;
        throw GIVE_UP;
      }
    } else if (isIndicator(c)) {
      if (c === LBRACKET || c === LBRACE || c === DQUOTE || c === SQUOTE) {
        // A flow collection as a value is fine; as a key it is not handled here.
        const end = this.eol(at);
        const line = s.slice(at, end);
        if (/[\]}]\s*:(\s|$)/.test(line)) throw GIVE_UP;
        return -1;
      }
      if (c === 124 || c === 62) return -1; // a block scalar header
      throw GIVE_UP;
    }
    const end = this.eol(at);
    for (let j = at; j < end; j++) {
      const d = s.charCodeAt(j);
      if (d === COLON && (j + 1 >= end || s.charCodeAt(j + 1) === SP)) {
        if (j - at > 1024) throw GIVE_UP;
        return j;
      }
      if (d === HASH && s.charCodeAt(j - 1) === SP) return -1;
    }
    return -1;
  }

  mapping(start: number, col: number, depth: number): N {
    const s = this.s;
    const map = this.newMap(start);
    let at = start;
    for (let first = true; ; first = false) {
      const colon = this.keyEnd(at);
      if (colon < 0) throw GIVE_UP;
      const key = this.key(at, colon);
      this.setEntry(map, key, this.value(colon + 1, col, true, depth), first);
      at = this.nextEntry(col);
      if (at < 0) break;
      if (s.charCodeAt(at) === DASH && this.blankAt(at + 1)) throw GIVE_UP;
    }
    this.close(map, this.p);
    return map;
  }

  /**
   * Where the next entry of a block collection indented `col` starts, after the node just parsed; -1 when the
   * collection ends there (a shallower line, a document marker, the end).
   */
  nextEntry(col: number): number {
    const li = this.skipBlank(this.p);
    if (li >= this.n || this.isMarker(li)) return -1;
    const ind = this.ind;
    if (ind < col) return -1;
    if (ind > col) throw GIVE_UP;
    return li + ind;
  }

  key(at: number, colon: number): N {
    const s = this.s;
    const c = s.charCodeAt(at);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quotedEnd(at);
      return this.keyScalar(at, close, this.quotedText(at, close, -1), false);
    }
    if (c === STAR) {
      const end = this.anchorEnd(at);
      return this.alias(at, end, s.slice(at + 1, end));
    }
    let end = colon;
    while (s.charCodeAt(end - 1) === SP) end--;
    return this.keyScalar(at, end, plainKeyText(s, at, end), true);
  }

  /**
   * The value after an indicator (`:` of a mapping entry, `-` of a sequence item) at `after`, in a collection
   * indented `col`. A mapping's value may be a sequence at the mapping's own indentation.
   */
  value(after: number, col: number, inMap: boolean, depth: number): N {
    const s = this.s;
    const j = after + this.spaces(after);
    const c = s.charCodeAt(j);
    if (j >= this.n || c === NL || c === HASH) {
      const nl = this.nextLine(j);
      const li = this.skipBlank(nl);
      if (li < this.n && !this.isMarker(li)) {
        const ind = this.ind;
        const at = li + ind;
        if (ind > col) return this.blockNode(at, col, depth + 1);
        if (ind === col && inMap && s.charCodeAt(at) === DASH && this.blankAt(at + 1))
          return this.sequence(at, ind, depth + 1);
      }
      this.p = nl;
      return this.emptyNode(after);
    }
    if (c === AMP) return this.anchored(j, col, inMap, depth);
    if (c === STAR) {
      const end = this.anchorEnd(j);
      const node = this.alias(j, end, s.slice(j + 1, end));
      this.p = this.endOfLine(end);
      return node;
    }
    if (!inMap) {
      // A sequence item's content on the `-` line: a nested sequence or a compact mapping.
      const itemCol = j - this.lineStart(j);
      if (c === DASH && this.blankAt(j + 1)) return this.sequence(j, itemCol, depth + 1);
      if (this.keyEnd(j) >= 0) return this.mapping(j, itemCol, depth + 1);
    }
    return this.inlineValue(j, col, depth + 1);
  }

  /**
   * End of the anchor or alias name after the indicator at `at`. goyaml ends names at the first character
   * outside [0-9A-Za-z_-] and the `yaml` package at a blank; only names both read alike are handled here.
   */
  anchorEnd(at: number): number {
    const s = this.s;
    let j = at + 1;
    for (;;) {
      const c = s.charCodeAt(j);
      if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === DASH)
        j++;
      else break;
    }
    if (j === at + 1 || !this.blankAt(j)) throw GIVE_UP;
    return j;
  }

  sequence(start: number, col: number, depth: number): N {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const s = this.s;
    const seq = this.newSeq(start);
    let at = start;
    for (;;) {
      this.addItem(seq, this.value(at + 1, col, false, depth));
      at = this.nextEntry(col);
      if (at < 0) break;
      if (!(s.charCodeAt(at) === DASH && this.blankAt(at + 1))) break;
    }
    this.close(seq, this.p);
    return seq;
  }

  // --- scalars and flow collections on a line ------------------------------------------------------------

  /** A scalar or flow collection starting at `at`, in a block collection indented `parent`. */
  inlineValue(at: number, parent: number, depth: number): N {
    const s = this.s;
    const c = s.charCodeAt(at);
    if (c === 124 || c === 62) return this.blockScalar(at, parent);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quotedEnd(at);
      if (close < 0) throw GIVE_UP;
      const node = this.scalar(at, close, this.quotedText(at, close, parent), false);
      this.p = this.endOfLine(close);
      return node;
    }
    if (c === LBRACKET || c === LBRACE) {
      const node = this.flow(at, parent, depth);
      this.p = this.endOfLine(this.end);
      return node;
    }
    if (isIndicator(c)) throw GIVE_UP;
    if ((c === DASH || c === 63 || c === COLON) && this.blankAt(at + 1)) throw GIVE_UP;
    return this.plain(at, parent);
  }

  /** A plain scalar in block context, folded over more-indented continuation lines. */
  plain(at: number, parent: number): N {
    const s = this.s;
    let end = this.plainLineEnd(at);
    let text = s.slice(at, end);
    let next = this.nextLine(end);
    // Continuation lines: more indented than the parent, not a comment; blank lines in between fold to "\n".
    let li = next;
    let breaks = 0;
    while (li < this.n) {
      const ind = this.lineIndent(li);
      const j = li + ind;
      const c = s.charCodeAt(j);
      if (j >= this.n) break;
      if (c === NL) {
        breaks++;
        li = j + 1;
        continue;
      }
      if (c === HASH || ind <= parent || (ind === 0 && this.isMarker(li))) {
        // Only blank lines lie between `next` and this line: skipBlank(next) would find it again.
        if (c !== HASH) this.seen(next, li, ind);
        break;
      }
      // A line ending with a comment cannot be continued.
      if (this.hasComment(end)) throw GIVE_UP;
      if ((c === DASH || c === 63 || c === COLON) && this.blankAt(j + 1)) throw GIVE_UP;
      const e = this.plainLineEnd(j);
      text += breaks === 0 ? ` ${s.slice(j, e)}` : `${"\n".repeat(breaks)}${s.slice(j, e)}`;
      breaks = 0;
      end = e;
      li = this.nextLine(e);
      next = li;
    }
    this.p = this.endOfLine(end);
    if (this.p < next) this.p = next;
    return this.scalar(at, end, text, true);
  }

  /** Whether the line holding `i` has a comment after offset `i`. */
  hasComment(i: number): boolean {
    const e = this.eol(i);
    for (let j = i; j < e; j++) if (this.s.charCodeAt(j) === HASH) return true;
    return false;
  }

  /** End of a plain scalar's text on one line (before a comment and trailing spaces); gives up on `: `. */
  plainLineEnd(at: number): number {
    const s = this.s;
    const eol = this.eol(at);
    let end = eol;
    for (let j = at; j < eol; j++) {
      const d = s.charCodeAt(j);
      if (d === COLON && (j + 1 >= eol || s.charCodeAt(j + 1) === SP)) throw GIVE_UP;
      if (d === HASH && s.charCodeAt(j - 1) === SP) {
        end = j;
        break;
      }
    }
    while (end > at && s.charCodeAt(end - 1) === SP) end--;
    return end;
  }

  /** Offset just after the closing quote of the quoted scalar at `at`, or -1 when it is not closed. */
  quotedEnd(at: number): number {
    const s = this.s;
    const q = s.charCodeAt(at);
    for (let j = at + 1; j < this.n; j++) {
      const d = s.charCodeAt(j);
      if (q === DQUOTE) {
        if (d === BACKSLASH) j++;
        else if (d === DQUOTE) return j + 1;
      } else if (d === SQUOTE) {
        if (s.charCodeAt(j + 1) === SQUOTE) j++;
        else return j + 1;
      }
    }
    return -1;
  }

  /** The value of the quoted scalar `s[at, close)`; multi-line ones must stay indented past `parent`. */
  quotedText(at: number, close: number, parent: number): string {
    const s = this.s;
    const raw = s.slice(at, close);
    const multiline = raw.includes("\n");
    if (multiline) {
      if (parent < 0) throw GIVE_UP;
      for (let i = raw.indexOf("\n"); i >= 0; i = raw.indexOf("\n", i + 1)) {
        const li = at + i + 1;
        const ind = this.lineIndent(li);
        const c = s.charCodeAt(li + ind);
        if (c !== NL && ind <= parent) throw GIVE_UP;
        if (ind === 0 && this.isMarker(li)) throw GIVE_UP;
      }
    }
    if (raw.charCodeAt(0) === SQUOTE) {
      if (!multiline) return raw.slice(1, -1).replaceAll("''", "'");
    } else if (!multiline && !raw.includes("\\")) {
      return raw.slice(1, -1);
    }
    // Escapes and line folding: the `yaml` package's own resolution, as the general path uses.
    if (raw.charCodeAt(0) === DQUOTE && raw.includes("\\")) this.escapes = true;
    let failed = false;
    const r = CST.resolveAsScalar(
      {
        type: raw.charCodeAt(0) === SQUOTE ? "single-quoted-scalar" : "double-quoted-scalar",
        offset: at,
        indent: parent,
        source: raw,
      },
      false,
      () => {
        failed = true;
      },
    );
    if (failed || r === null) throw GIVE_UP;
    return r.value;
  }

  /** A literal or folded block scalar (clip or strip chomping, auto-detected indentation). */
  blockScalar(at: number, parent: number): N {
    const s = this.s;
    const folded = s.charCodeAt(at) === 62;
    let j = at + 1;
    let strip = false;
    const h = s.charCodeAt(j);
    if (h === DASH) {
      strip = true;
      j++;
    } else if (h === 43 || (h >= 48 && h <= 57)) {
      throw GIVE_UP; // keep chomping or an indentation indicator
    }
    if (!this.blankAt(j)) throw GIVE_UP;
    let li = this.endOfLine(j);
    // Lines of the scalar: leading blank lines, then lines indented at least as much as the first content line.
    let indent = -1;
    let leading = 0;
    let maxLeading = 0;
    // [start of text after the indentation, end of line]: folded scalars only; literal ones are cut out whole.
    const lines: [number, number][] = [];
    let first = -1;
    let trailing = 0;
    let end = li;
    while (li < this.n) {
      const ind = this.lineIndent(li);
      const j2 = li + ind;
      const eol = this.eol(j2);
      if (j2 >= eol) {
        if (indent < 0) {
          leading++;
          maxLeading = Math.max(maxLeading, ind);
        } else {
          if (ind > indent) throw GIVE_UP; // more-indented trailing blank lines count as content
          trailing++;
          if (folded) lines.push([li + Math.min(ind, indent), eol]);
        }
        li = eol < this.n ? eol + 1 : this.n;
        continue;
      }
      if (indent < 0 ? ind <= parent : ind < indent) {
        // The scalar ends before this line, where skipBlank would look next.
        if (s.charCodeAt(j2) !== HASH) this.seen(li, li, ind);
        break;
      }
      if (indent < 0) {
        if (maxLeading > ind) throw GIVE_UP;
        indent = ind;
      }
      if (folded) lines.push([li + indent, eol]);
      if (first < 0) first = li + indent;
      trailing = 0;
      li = eol < this.n ? eol + 1 : this.n;
      end = eol;
    }
    if (indent < 0) throw GIVE_UP;
    let text = "\n".repeat(leading);
    if (folded) {
      // YAML's folding: the break between two lines of text becomes a space, or is dropped when empty lines
      // follow it (each gives a "\n"); next to a more-indented line ("spaced" text, kept as it is, its extra
      // indentation included) the break stays.
      let started = false;
      let prevSpaced = false;
      let empty = 0;
      for (const [a, b] of lines.slice(0, lines.length - trailing)) {
        if (a === b) {
          empty++;
          continue;
        }
        const spaced = s.charCodeAt(a) === SP;
        if (started)
          text +=
            !prevSpaced && !spaced && empty === 0 ? " " : "\n".repeat(empty + (prevSpaced || spaced ? 1 : 0));
        text += s.slice(a, b);
        started = true;
        prevSpaced = spaced;
        empty = 0;
      }
    } else {
      // From the first content line to the end of the last, each line without its indentation (a blank line
      // inside may have fewer spaces, all of them dropped).
      text += s.slice(first, end).replace(dedent(indent), "\n");
    }
    if (!strip) text += "\n";
    this.p = li;
    return this.scalar(at, end, this.blockFix(text, end, folded), false);
  }

  /** A flow sequence or mapping of scalars and flow collections (no empty entries, no trailing comma). */
  flow(at: number, parent: number, depth: number): N {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const s = this.s;
    const isMap = s.charCodeAt(at) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    const node = isMap ? this.newMap(at) : this.newSeq(at);
    let j = this.flowSpace(at + 1, parent);
    if (s.charCodeAt(j) !== close) {
      for (let n = 0; ; n++) {
        const first = this.flowItem(j, parent, depth, isMap);
        j = this.flowSpace(this.end, parent);
        if (isMap) {
          if (s.charCodeAt(j) !== COLON) throw GIVE_UP;
          const key = this.flowKey(first);
          j = this.flowSpace(j + 1, parent);
          const c = s.charCodeAt(j);
          if (c === COMMA || c === RBRACE) throw GIVE_UP; // an empty value
          this.setEntry(node, key, this.flowItem(j, parent, depth), n === 0);
          j = this.flowSpace(this.end, parent);
        } else {
          if (s.charCodeAt(j) === COLON) throw GIVE_UP; // a single-pair mapping
          this.addItem(node, first);
        }
        const c = s.charCodeAt(j);
        if (c === close) break;
        if (c !== COMMA) throw GIVE_UP;
        j = this.flowSpace(j + 1, parent);
        if (s.charCodeAt(j) === close) throw GIVE_UP; // a trailing comma
      }
    }
    this.end = j + 1;
    this.close(node, j + 1);
    return node;
  }

  /** Skips spaces and line breaks inside a flow collection; continuation lines must be indented past `parent`. */
  flowSpace(i: number, parent: number): number {
    const s = this.s;
    let j = i;
    for (;;) {
      const c = s.charCodeAt(j);
      if (c === SP) j++;
      else if (c === NL) {
        j++;
        const ind = this.spaces(j);
        if (s.charCodeAt(j + ind) !== NL && ind <= parent) throw GIVE_UP;
        if (ind === 0 && this.isMarker(j)) throw GIVE_UP;
      } else if (c === HASH || j >= this.n) throw GIVE_UP;
      else return j;
    }
  }

  /** A flow collection's item at `j`, a mapping key when `key`; sets `end`. */
  flowItem(j: number, parent: number, depth: number, key = false): N {
    const s = this.s;
    const c = s.charCodeAt(j);
    if (c === LBRACKET || c === LBRACE) return this.flow(j, parent, depth + 1);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quotedEnd(j);
      if (close < 0) throw GIVE_UP;
      this.end = close;
      const text = this.quotedText(j, close, parent);
      return key ? this.keyScalar(j, close, text, false) : this.scalar(j, close, text, false);
    }
    if (isIndicator(c)) throw GIVE_UP;
    if (
      (c === DASH || c === 63 || c === COLON) &&
      (this.blankAt(j + 1) || isFlowIndicator(s.charCodeAt(j + 1)))
    )
      throw GIVE_UP;
    // A one-line plain scalar, up to a flow indicator, `: ` or the line's end.
    let e = j;
    for (;;) {
      const d = s.charCodeAt(e);
      if (e >= this.n || d === NL || isFlowIndicator(d)) break;
      if (d === COLON) {
        const d2 = s.charCodeAt(e + 1);
        if (e + 1 >= this.n || d2 === SP || d2 === NL || isFlowIndicator(d2)) break;
      }
      if (d === HASH && s.charCodeAt(e - 1) === SP) throw GIVE_UP;
      e++;
    }
    if (s.charCodeAt(e) === NL) throw GIVE_UP; // a plain scalar that may go on on the next line
    let end = e;
    while (end > j && s.charCodeAt(end - 1) === SP) end--;
    if (end === j) throw GIVE_UP;
    this.end = end;
    return key ? this.keyScalar(j, end, s.slice(j, end), true) : this.scalar(j, end, s.slice(j, end), true);
  }
}

/** Builds the nodes `load.ts`'s general path would compose. */
class FastComposer extends FastReader<YNode> {
  scalar(start: number, end: number, text: string, plain: boolean): YNode {
    const node = new YNode(Kind.Scalar, start, end);
    node.text = text;
    node.plain = plain;
    return node;
  }

  empty(at: number): YNode {
    const node = new YNode(Kind.Scalar, at, at);
    node.plain = true;
    return node;
  }

  keyScalar(start: number, end: number, text: string, plain: boolean): YNode {
    return this.scalar(start, end, text, plain);
  }

  alias(start: number, end: number, name: string): YNode {
    const node = new YNode(Kind.Alias, start, end);
    node.text = name;
    return node;
  }

  anchored(at: number, col: number, inMap: boolean, depth: number): YNode {
    const s = this.s;
    const end = this.anchorEnd(at);
    const name = s.slice(at + 1, end);
    const j = end + this.spaces(end);
    const c = s.charCodeAt(j);
    let node: YNode;
    if (j >= this.n || c === NL || c === HASH) {
      const li = this.skipBlank(this.nextLine(j));
      if (li >= this.n || this.isMarker(li)) throw GIVE_UP;
      const ind = this.ind;
      const start = li + ind;
      if (ind > col) node = this.blockNode(start, col, depth + 1);
      else if (ind === col && inMap && s.charCodeAt(start) === DASH && this.blankAt(start + 1))
        node = this.sequence(start, ind, depth + 1);
      else throw GIVE_UP; // an empty node with an anchor
    } else {
      // Properties before an implicit key belong to the key; other properties are not handled here.
      if (c === AMP || c === STAR || c === DASH || this.keyEnd(j) >= 0) throw GIVE_UP;
      node = this.inlineValue(j, col, depth + 1);
    }
    node.anchor = name;
    return node;
  }

  flowKey(item: YNode): YNode {
    if (item.kind !== Kind.Scalar) throw GIVE_UP;
    return item;
  }

  newMap(start: number): YNode {
    const node = new YNode(Kind.Map, start, start);
    node.pairs = [];
    return node;
  }

  setEntry(map: YNode, key: YNode, value: YNode): void {
    map.pairs.push({ key, value } satisfies Pair);
  }

  newSeq(start: number): YNode {
    const node = new YNode(Kind.Seq, start, start);
    node.items = [];
    return node;
  }

  addItem(seq: YNode, item: YNode): void {
    seq.items.push(item);
  }

  close(node: YNode, end: number): void {
    node.end = end;
  }
}

/** A missing value (`key:` with nothing after it): null, and kustomize's marker for an empty key. */
const EMPTY: unique symbol = Symbol("empty");
type Decoded = Value | typeof EMPTY;

/** Builds the values the Walker would decode; gives up where only the Walker knows what to do. */
class FastDecoder extends FastReader<Decoded> {
  constructor(
    s: string,
    blockFix: BlockFix,
    readonly plainResolver: PlainResolver,
  ) {
    super(s, blockFix);
  }

  override root(roots: Decoded[], node: Decoded): void {
    super.root(roots, node === EMPTY ? null : node);
  }

  scalar(_start: number, _end: number, text: string, plain: boolean): Decoded {
    return plain ? this.plainResolver.value(text) : text;
  }

  empty(): Decoded {
    return EMPTY;
  }

  keyScalar(_start: number, _end: number, text: string, plain: boolean): Decoded {
    // `<<` is a merge key; the Walker reports keys that are null or not strings.
    if (plain && (text === "<<" || !this.plainResolver.isStringKey(text))) throw GIVE_UP;
    return text;
  }

  alias(): Decoded {
    throw GIVE_UP;
  }

  anchored(): Decoded {
    throw GIVE_UP; // the Walker keeps anchors
  }

  flowKey(item: Decoded): Decoded {
    if (typeof item !== "string") throw GIVE_UP; // a flow collection as a key
    return item;
  }

  newMap(): Decoded {
    return newMap();
  }

  setEntry(map: Decoded, key: Decoded, value: Decoded, first: boolean): void {
    const m = map as ValueMap;
    const k = key as string;
    if (!first && k in m) throw GIVE_UP; // a duplicate key: the Walker reports it
    if (value === EMPTY) {
      m[k] = null;
      markEmpty(m, k);
    } else m[k] = value;
  }

  newSeq(): Decoded {
    return [];
  }

  addItem(seq: Decoded, item: Decoded): void {
    const v = item === EMPTY ? null : item;
    if (v === null) this.nullItem = true;
    (seq as Value[]).push(v);
  }

  close(): void {}
}
