/**
 * The YAML loader for user files, with the semantics kustomize's reader has: kyaml on goyaml.v3, then decoded
 * like yaml.v3 `Unmarshal` into `map[string]interface{}` (scalar resolution, merge keys, aliases expanded into
 * independent copies, duplicate keys rejected). The `yaml` package lexes and parses; this module walks its AST.
 *
 * Problems in the input are returned as diagnostics, never thrown. Any error diagnostic means kustomize would
 * reject the file; the documents that did decode are still returned so callers can report more.
 *
 * Documents that are empty, comment-only or null (`--- ~`) are left out of `docs`, as kyaml's reader drops them;
 * `LoadedDoc.index` is the document's 0-based position in the stream counting those skipped ones.
 */
import {
  type Alias,
  Composer,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  Parser,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
  type Node as YNode,
} from "yaml";
import { type Diagnostic, diagnostic } from "../diagnostics.ts";
import { foldedRoundTrip } from "./folded.ts";
import { newMap, type Value, type ValueMap } from "./value.ts";

export interface LoadedDoc {
  value: Value;
  /** 0-based position of the document in the stream, counting skipped empty documents. */
  index: number;
  /** 1-based position of the document's root node. */
  line: number;
  column: number;
  /** 1-based position of a node reached by a path of keys/indices (for diagnostics), or undefined */
  positionOf(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

export interface LoadResult {
  docs: LoadedDoc[];
  diagnostics: Diagnostic[];
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
}

export const DEFAULT_LOAD_OPTIONS: LoadOptions = {
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 500,
  nonStringKeys: "kustomize",
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
  const patched = patchAnchorNames(src, map, err);
  const composed = compose(patched, opts.maxDepth, err);
  if (!composed) return { docs: [], diagnostics };

  const docs: LoadedDoc[] = [];
  composed.forEach((doc, index) => {
    let hadSyntaxError = false;
    for (const e of doc.errors) {
      hadSyntaxError = true;
      if (e.message.includes("Maximum call stack size exceeded")) {
        err(YAML_CODES.depth, "document nests too deeply to load", e.pos[0], "flatten the document");
        continue;
      }
      err(YAML_CODES.syntax, firstLine(e.message), e.pos[0], syntaxHint(e.code));
    }
    // goyaml stops at the first syntax error; what follows it is not meaningful.
    if (hadSyntaxError) return;
    const root = doc.contents as YNode | null;
    if (root === null) return;
    const walker = new Walker(opts, err, map);
    const value = walker.decode(root);
    if (value === null || value === undefined) return;
    const start = map.pos(root.range?.[0] ?? 0);
    docs.push({
      value,
      index,
      line: start.line,
      column: start.column,
      positionOf: (path) => walker.positionOf(root, path, map),
    });
  });
  return { docs, diagnostics };
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
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13 && t.charCodeAt(i + 1) !== 10) starts.push(i + 1);
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
  if (!/(?:^|[\s[{,])[&*][0-9A-Za-z_-]*[^0-9A-Za-z_\-\s,[\]{}]/m.test(src)) return src;
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

type ComposedDoc = ReturnType<Composer["end"]> extends Iterable<infer D> ? D : never;

/** Lexes, parses and composes, refusing documents nested deeper than the limit before composing them. */
function compose(text: string, maxDepth: number, err: ErrFn): ComposedDoc[] | undefined {
  const parser = new Parser();
  const composer = new Composer({ schema: "failsafe", uniqueKeys: false, merge: false, strict: false });
  const docs: ComposedDoc[] = [];
  // The parser keeps one stack entry per open collection (plus the document): an exact nesting measure.
  const stackLimit = maxDepth + 2;
  try {
    for (const lexeme of new Lexer().lex(text)) {
      for (const tok of parser.next(lexeme)) for (const d of composer.next(tok)) docs.push(d);
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
    for (const tok of parser.end()) for (const d of composer.next(tok)) docs.push(d);
    for (const d of composer.end()) docs.push(d);
  } catch (e) {
    // The composer recurses; an overflow that slipped past the depth check must still not escape.
    err(YAML_CODES.depth, `could not parse: ${e instanceof Error ? e.message : String(e)}`, undefined);
    return undefined;
  }
  return docs;
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

/** Decodes one document's AST into Values, expanding aliases and merge keys as yaml.v3 does. */
class Walker {
  /** Anchors by name as defined so far in document order. */
  readonly #anchors = new Map<string, YNode>();
  /** Each alias node's target, fixed when first met in document order. */
  readonly #aliasTarget = new Map<Alias, YNode | null>();
  /** Alias nodes being expanded, to catch an anchor whose value contains itself. */
  readonly #expanding = new Set<Alias>();
  /** Block scalars whose text was already adjusted (aliases reach the same node again). */
  readonly #blockFixed = new WeakSet<Scalar>();
  #aliasDepth = 0;
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
        node.range?.[0],
        "aliases expand to too much data (a YAML bomb?); reduce alias use",
      );
    }
  }

  #register(node: YNode): void {
    if (this.#aliasDepth === 0 && node.anchor) this.#anchors.set(node.anchor, node);
  }

  resolveAlias(a: Alias): YNode | null {
    let t = this.#aliasTarget.get(a);
    if (t === undefined) {
      t = this.#anchors.get(a.source) ?? null;
      this.#aliasTarget.set(a, t);
    }
    return t;
  }

  #alias<T>(a: Alias, fn: (target: YNode) => T): T {
    const target = this.resolveAlias(a);
    if (target === null) {
      this.#fail(
        YAML_CODES.alias,
        `unknown anchor '${a.source}' referenced`,
        a.range?.[0],
        "define the anchor (`&name`) before using the alias (`*name`)",
      );
    }
    if (this.#expanding.has(a)) {
      this.#fail(
        YAML_CODES.alias,
        `anchor '${a.source}' value contains itself`,
        a.range?.[0],
        "an alias cannot refer to the node that contains it",
      );
    }
    this.#expanding.add(a);
    this.#aliasDepth++;
    try {
      return fn(target);
    } finally {
      this.#aliasDepth--;
      this.#expanding.delete(a);
    }
  }

  node(n: YNode, top = false): Value {
    this.#count(n);
    if (isAlias(n)) return this.#alias(n, (t) => this.node(t, top));
    this.#register(n);
    if (isScalar(n)) return this.scalar(n);
    if (++this.#depth > this.opts.maxDepth) {
      this.#fail(
        YAML_CODES.depth,
        `exceeded max depth of ${this.opts.maxDepth}`,
        n.range?.[0],
        "aliases nest too deeply; flatten the document",
      );
    }
    try {
      if (isMap(n)) {
        const out = newMap();
        this.mapping(n as YAMLMap<unknown, unknown>, out, top, null);
        return out;
      }
      if (isSeq(n)) {
        const out: Value[] = [];
        for (const item of (n as YAMLSeq<unknown>).items) out.push(this.child(item as YNode | null));
        return out;
      }
    } finally {
      this.#depth--;
    }
    return null;
  }

  /** A missing child (`? a` without value) decodes to null. */
  child(n: YNode | null | undefined): Value {
    if (n === null || n === undefined) return null;
    return this.node(n);
  }

  scalar(n: Scalar): Value {
    const blockText = typeof n.source === "string" ? n.source : n.value;
    if (
      (n.type === "BLOCK_FOLDED" || n.type === "BLOCK_LITERAL") &&
      typeof blockText === "string" &&
      !this.#blockFixed.has(n)
    ) {
      this.#blockFixed.add(n);
      let v = blockText;
      // goyaml keeps a clipped/kept final break only if the source has one; at the end of a file without a
      // final newline it has none (the `yaml` package adds one).
      const end = n.range?.[1] ?? 0;
      const textEnd = this.map.text.length + this.map.inserted.length;
      if (end >= textEnd && !/[\r\n]$/.test(this.map.text) && v.endsWith("\n")) v = v.slice(0, -1);
      if (n.type === "BLOCK_FOLDED" && shortTag(n.tag) !== "!!binary") v = foldedRoundTrip(v);
      if (typeof n.value === "string") n.value = v;
      n.source = v;
    }
    return resolveScalar(n, this.err, () => {
      throw new Abort("tag");
    });
  }

  /**
   * Fills `out` from a mapping node. `merged`, when not null, holds the keys already set by the mapping that
   * merges this one (yaml.v3's merge: explicit keys win, earlier merge sources win).
   */
  mapping(n: YAMLMap<unknown, unknown>, out: ValueMap, top: boolean, merged: Set<string> | null): void {
    let entries: Entry[] = [];
    let mergePair: Entry | undefined;
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const e: Entry = { key: pair.key as YNode | null, value: pair.value as YNode | null, via: null };
      if (e.key !== null && isMergeKey(e.key)) {
        if (mergePair !== undefined) {
          this.#fail(
            YAML_CODES.merge,
            "duplicate merge key",
            e.key.range?.[0],
            "use one `<<:` with a list of aliases: `<<: [*a, *b]`",
          );
        }
        mergePair = e;
      }
      entries.push(e);
    }
    if (mergePair !== undefined && merged === null) entries = this.#deAnchorMerge(entries, mergePair);
    const seen = this.#aliasDepth === 0 ? new Map<string, number>() : null;
    let mergeNode: Entry | undefined;
    for (const e of entries) {
      const decode = (): void => {
        const keyNode = e.key;
        if (keyNode !== null && isMergeKey(keyNode)) {
          this.#count(keyNode);
          mergeNode = e;
          return;
        }
        const key = this.key(keyNode, top, n);
        if (seen && e.via === null) {
          const prev = seen.get(key);
          const off = keyNode?.range?.[0] ?? n.range?.[0];
          if (prev !== undefined) {
            this.#fail(
              YAML_CODES.duplicateKey,
              `mapping key ${goQuote(key)} already defined at line ${this.map.pos(prev).line}`,
              off,
              "remove or rename one of the two keys",
            );
          }
          seen.set(key, off ?? 0);
        }
        if (merged !== null) {
          if (merged.has(key)) return;
          merged.add(key);
        } else if (e.via !== null && Object.hasOwn(out, key)) {
          // Two entries that kyaml kept apart (an alias key and a plain one) but that decode to the same key.
          this.#fail(
            YAML_CODES.duplicateKey,
            `mapping key ${goQuote(key)} already defined`,
            keyNode?.range?.[0],
            "remove or rename one of the two keys",
          );
        }
        out[key] = this.child(e.value);
      };
      if (e.via !== null) this.#alias(e.via, decode);
      else decode();
    }
    if (mergeNode !== undefined) {
      const set = merged ?? new Set(Object.keys(out));
      this.merge(mergeNode.value, mergeNode.key?.range?.[0], out, set);
    }
  }

  /**
   * kustomize first runs kyaml's DeAnchor, which flattens merge keys its own way: sources are taken in reverse
   * list order and each overwrites entries with the same key *text* (an alias key counts as its alias name);
   * the mapping's own entries win. A `<<` inside a source is carried over and left to yaml.v3's decoding.
   */
  #deAnchorMerge(entries: Entry[], mergePair: Entry): Entry[] {
    const sources = this.#mergeSources(mergePair.value, mergePair.key?.range?.[0]);
    const own = entries.filter((e) => e !== mergePair);
    const out = [...own];
    const ownNames = new Set(own.map((e) => matchName(e.key)));
    const index = new Map<string, number>();
    for (const src of sources) {
      const namesInSource = new Set<string>();
      for (const pair of (src.map as YAMLMap<unknown, unknown>).items) {
        if (!isPair(pair)) continue;
        const key = pair.key as YNode | null;
        const name = matchName(key);
        // kyaml looks each name up again and finds its first entry: later duplicates in a source are ignored.
        if (namesInSource.has(name) || ownNames.has(name)) continue;
        namesInSource.add(name);
        const e: Entry = { key, value: pair.value as YNode | null, via: src.via };
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
  #mergeSources(v: YNode | null, offset: number | undefined): { map: YNode; via: Alias | null }[] {
    const bad = (message: string): never =>
      this.#fail(
        YAML_CODES.merge,
        message,
        v?.range?.[0] ?? offset,
        "`<<:` takes an alias to a mapping, a mapping, or a list of those",
      );
    const one = (m: YNode | null): { map: YNode; via: Alias | null } => {
      if (m !== null && isMap(m)) {
        this.#register(m);
        return { map: m, via: null };
      }
      if (m !== null && isAlias(m)) {
        const t = this.resolveAlias(m);
        if (t === null) return this.#alias(m, () => bad("unknown anchor"));
        if (!isMap(t)) bad("invalid map merge: received alias for a non-map value");
        return { map: t, via: m };
      }
      return bad("map merge requires map or sequence of maps as the value");
    };
    if (v !== null && isSeq(v)) {
      this.#register(v);
      const out: { map: YNode; via: Alias | null }[] = [];
      for (const item of (v as YAMLSeq<unknown>).items) {
        const m = item as YNode | null;
        if (m !== null && isSeq(m)) bad("invalid map merge: received a nested sequence");
        out.unshift(one(m));
      }
      return out;
    }
    return [one(v)];
  }

  merge(v: YNode | null, offset: number | undefined, out: ValueMap, merged: Set<string>): void {
    const wantMap = (): never =>
      this.#fail(
        YAML_CODES.merge,
        "map merge requires map or sequence of maps as the value",
        v?.range?.[0] ?? offset,
        "`<<:` takes an alias to a mapping, a mapping, or a list of those",
      );
    const mergeOne = (m: YNode): void => {
      this.#count(m);
      if (isAlias(m)) {
        const t = this.resolveAlias(m);
        if (t !== null && !isMap(t)) wantMap();
        this.#alias(m, (target) => this.#mergeMap(target, out, merged));
        return;
      }
      if (!isMap(m)) wantMap();
      this.#mergeMap(m, out, merged);
    };
    if (v === null) wantMap();
    else if (isSeq(v)) {
      this.#count(v);
      this.#register(v);
      for (const item of (v as YAMLSeq<unknown>).items) {
        const m = item as YNode | null;
        if (m === null || !(isAlias(m) || isMap(m))) wantMap();
        else mergeOne(m);
      }
    } else if (isAlias(v) || isMap(v)) mergeOne(v);
    else wantMap();
  }

  #mergeMap(m: YNode, out: ValueMap, merged: Set<string>): void {
    this.#register(m);
    if (++this.#depth > this.opts.maxDepth) {
      this.#fail(YAML_CODES.depth, `exceeded max depth of ${this.opts.maxDepth}`, m.range?.[0]);
    }
    try {
      this.mapping(m as YAMLMap<unknown, unknown>, out, false, merged);
    } finally {
      this.#depth--;
    }
  }

  /** The string a mapping key decodes to, or a diagnostic for keys kustomize cannot handle. */
  key(k: YNode | null, top: boolean, parent: YNode): string {
    if (k === null) {
      this.#fail(YAML_CODES.nonStringKey, "null mapping key", parent.range?.[0], "give the entry a key");
    }
    this.#count(k);
    let node: YNode = k;
    if (isAlias(k)) {
      const t = this.resolveAlias(k);
      if (t === null) this.#alias(k, () => null); // reports the unknown anchor
      node = t as YNode;
    } else this.#register(k);
    if (!isScalar(node)) {
      this.#fail(
        YAML_CODES.nonStringKey,
        `invalid map key: a ${isSeq(node) ? "sequence" : "mapping"} cannot be a mapping key`,
        k.range?.[0],
        "use a string key",
      );
    }
    const raw = scalarText(node);
    const v = this.scalar(node);
    if (typeof v === "string" && resolvesToString(node)) return v;
    if (v === null) {
      this.#fail(
        YAML_CODES.nonStringKey,
        "null mapping key",
        k.range?.[0],
        "quote the key if it is meant as text",
      );
    }
    if (top || this.opts.nonStringKeys === "stringify") return raw;
    return this.#fail(
      YAML_CODES.nonStringKey,
      `mapping key ${raw} is a ${typeName(v)}, not a string; kustomize cannot encode it`,
      k.range?.[0],
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
    const off = cur?.range?.[0];
    return off === undefined ? undefined : map.pos(off);
  }

  #deref(n: YNode): YNode | null {
    let cur: YNode | null = n;
    for (let i = 0; cur !== null && isAlias(cur) && i < 1000; i++) cur = this.#aliasTarget.get(cur) ?? null;
    return cur;
  }

  #field(m: YNode, key: string, depth: number): YNode | null | undefined {
    if (!isMap(m) || depth > 100) return undefined;
    let merge: YNode | null = null;
    let found: YNode | null | undefined;
    for (const pair of (m as YAMLMap<unknown, unknown>).items) {
      const k = pair.key as YNode | null;
      if (k === null) continue;
      if (isMergeKey(k)) {
        merge = pair.value as YNode | null;
        continue;
      }
      const kn = this.#deref(k);
      if (kn !== null && isScalar(kn) && scalarText(kn) === key) found = (pair.value as YNode | null) ?? k;
    }
    if (found !== undefined) return found;
    if (merge === null) return undefined;
    const sources = isSeq(merge) ? ((merge as YAMLSeq<unknown>).items as YNode[]) : [merge];
    for (const s of sources) {
      const t = this.#deref(s);
      if (t === null) continue;
      const r = this.#field(t, key, depth + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  }
}

interface Entry {
  key: YNode | null;
  value: YNode | null;
  /** The alias through which a merged entry was reached, so its decoding counts as alias expansion. */
  via: Alias | null;
}

/** The key text kyaml matches merged entries by: an alias key's alias name, a scalar's text. */
function matchName(k: YNode | null): string {
  if (k === null) return "";
  if (isAlias(k)) return k.source;
  return isScalar(k) ? scalarText(k) : "";
}

function seqAt(n: YNode, i: number): YNode | null | undefined {
  if (!isSeq(n)) return undefined;
  const items = (n as YAMLSeq<unknown>).items;
  if (i < 0 || i >= items.length) return undefined;
  return items[i] as YNode | null;
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
  if (!isScalar(k) || k.type !== "PLAIN" || scalarText(k) !== "<<") return false;
  const tag = shortTag(k.tag);
  return tag === "" || tag === "!!merge";
}

/** The scalar's text after unquoting and folding, before the `yaml` package applied any tag it knows. */
function scalarText(n: Scalar): string {
  if (typeof n.source === "string") return n.source;
  const v = n.value;
  return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
}

const LONG_TAG_PREFIX = "tag:yaml.org,2002:";

/** goyaml's short form of a tag; the non-specific `!` counts as no tag (goyaml resolves such scalars). */
function shortTag(tag: string | undefined): string {
  if (tag === undefined || tag === "!") return "";
  return tag.startsWith(LONG_TAG_PREFIX) ? `!!${tag.slice(LONG_TAG_PREFIX.length)}` : tag;
}

/** Decodes a scalar node: yaml.v3's `resolve` plus its handling of quoting, explicit tags and `!!binary`. */
function resolveScalar(n: Scalar, err: ErrFn, abort: () => never): Value {
  const text = scalarText(n);
  const tag = shortTag(n.tag);
  const plain = n.type === "PLAIN" || n.type === undefined;
  if (tag === "!!str" || (tag === "" && !plain)) return text;
  if (tag === "!!binary") {
    const decoded = decodeBase64(text);
    if (decoded === undefined) {
      err(YAML_CODES.tag, "!!binary value contains invalid base64 data", n.range?.[0], "fix the base64 text");
      abort();
    }
    return decoded;
  }
  if (!RESOLVABLE.has(tag)) return text;
  const r = resolve(tag, text);
  if (tag === "" || tag === r.tag) return r.value;
  if (tag === "!!float" && r.tag === "!!int" && r.signed) return Number(r.value);
  err(
    YAML_CODES.tag,
    `cannot decode ${r.tag} \`${text}\` as a ${tag}`,
    n.range?.[0],
    `the value does not fit the ${tag} tag; change the value or drop the tag`,
  );
  return abort();
}

/** Whether goyaml tags the decoded scalar as a string (a timestamp decodes to our string but is not one). */
function resolvesToString(n: Scalar): boolean {
  const tag = shortTag(n.tag);
  if (tag === "!!str" || (tag === "" && !(n.type === "PLAIN" || n.type === undefined))) return true;
  if (!RESOLVABLE.has(tag)) return true;
  return resolve(tag, scalarText(n)).tag === "!!str";
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

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** yaml.v3 `resolve(tag, in)` for the resolvable tags; `tag` only matters for timestamps. */
function resolve(tag: string, s: string): Resolved {
  const str: Resolved = { tag: "!!str", value: s };
  const c = s.length === 0 ? "" : (s[0] as string);
  const hint =
    s.length === 0
      ? "N"
      : c === "+" || c === "-"
        ? "S"
        : c >= "0" && c <= "9"
          ? "D"
          : c === "."
            ? "."
            : "yYnNtTfFoO~".includes(c)
              ? "M"
              : "";
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
