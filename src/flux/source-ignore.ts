import * as path from "node:path";
import { joinName, type RepoFs } from "../core/repo-fs.ts";

/**
 * What source-controller leaves out of a GitRepository artifact (fluxcd/pkg `sourceignore` v0.18.0 and
 * `artifact/storage` `SourceIgnoreFilter`/`Archive`), with the gitignore dialect fluxcd/pkg copied from go-git
 * v5.16.4. That dialect is not git's: a file inside an excluded directory can be re-included with `!`, `foo/**`
 * also matches `foo` itself, and `**` does not backtrack. No npm gitignore library behaves like that.
 */

export const IGNORE_FILE = ".sourceignore";
export const EXCLUDE_VCS = ".git/,.gitignore,.gitmodules,.gitattributes";
export const EXCLUDE_EXT = "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip";
export const EXCLUDE_CI =
  ".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,codeship-services.yml,codeship-steps.yml";
export const EXCLUDE_EXTRA = "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml";

export const MatchResult = { NoMatch: 0, Exclude: 1, Include: 2 } as const;
export type MatchResult = (typeof MatchResult)[keyof typeof MatchResult];

/** One parsed pattern; `domain` is the directory (root-relative segments) whose ignore file it came from. */
export interface IgnorePattern {
  readonly source: string;
  readonly domain: readonly string[];
  readonly parts: readonly string[];
  readonly inclusion: boolean;
  readonly dirOnly: boolean;
  readonly isGlob: boolean;
}

/** gitignore.ParsePattern. */
export function parsePattern(p: string, domain: readonly string[]): IgnorePattern {
  const source = p;
  let inclusion = false;
  if (p.startsWith("!")) {
    inclusion = true;
    p = p.slice(1);
  }
  // Only a trailing "\ " keeps its spaces (and its backslash, which Match then reads as an escape).
  if (!p.endsWith("\\ ")) p = p.replace(/ +$/, "");
  let dirOnly = false;
  if (p.endsWith("/")) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  return { source, domain: [...domain], parts: p.split("/"), inclusion, dirOnly, isGlob: p.includes("/") };
}

/** sourceignore.ReadPatterns: one pattern a line; `#` lines and blank lines skipped; no other trimming. */
export function readPatterns(text: string, domain: readonly string[]): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  const lines = text.split("\n");
  // bufio.ScanLines yields no empty token after a final newline and drops one trailing \r per line.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let line of lines) {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (!line.startsWith("#") && line.trim().length > 0) out.push(parsePattern(line, domain));
  }
  return out;
}

/** pattern.Match: `rel` is the root-relative path split on "/". */
export function matchPattern(p: IgnorePattern, rel: readonly string[], isDir: boolean): MatchResult {
  if (rel.length <= p.domain.length) return MatchResult.NoMatch;
  for (let i = 0; i < p.domain.length; i++) if (rel[i] !== p.domain[i]) return MatchResult.NoMatch;
  const sub = rel.slice(p.domain.length);
  const ok = p.isGlob ? globMatch(p, sub, isDir) : simpleNameMatch(p, sub, isDir);
  if (!ok) return MatchResult.NoMatch;
  return p.inclusion ? MatchResult.Include : MatchResult.Exclude;
}

function simpleNameMatch(p: IgnorePattern, rel: readonly string[], isDir: boolean): boolean {
  // Any component may match; the first one that does decides.
  for (let i = 0; i < rel.length; i++) {
    if (!goFilepathMatch(p.parts[0]!, rel[i]!)) continue;
    return !(p.dirOnly && !isDir && i === rel.length - 1);
  }
  return false;
}

function globMatch(p: IgnorePattern, rel: readonly string[], isDir: boolean): boolean {
  let rest = rel;
  let matched = false;
  let canTraverse = false;
  for (let i = 0; i < p.parts.length; i++) {
    const part = p.parts[i]!;
    if (part === "") {
      canTraverse = false;
      continue;
    }
    if (part === "**") {
      if (i === p.parts.length - 1) break;
      canTraverse = true;
      continue;
    }
    if (part.includes("**")) return false;
    if (rest.length === 0) return false;
    if (canTraverse) {
      // No backtracking: the first component matching `part` is taken.
      canTraverse = false;
      while (rest.length > 0) {
        const e = rest[0]!;
        rest = rest.slice(1);
        if (goFilepathMatch(part, e)) {
          matched = true;
          break;
        }
        if (rest.length === 0) matched = false;
      }
    } else {
      if (!goFilepathMatch(part, rest[0]!)) return false;
      matched = true;
      rest = rest.slice(1);
    }
  }
  if (matched && p.dirOnly && !isDir && rest.length === 0) matched = false;
  return matched;
}

const regexCache = new Map<string, RegExp | null>();

/** Go's path/filepath.Match on one path component (Unix: `\` escapes, `[^...]` negates); bad patterns match nothing. */
export function goFilepathMatch(pattern: string, name: string): boolean {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = globToRegExp(pattern);
    regexCache.set(pattern, re);
  }
  return re ? re.test(name) : false;
}

function cp(c: string): string {
  return `\\u{${c.codePointAt(0)!.toString(16)}}`;
}

function globToRegExp(pattern: string): RegExp | null {
  const chars = Array.from(pattern);
  let out = "^";
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === "*") {
      out += "[^/]*";
      i++;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "\\") {
      if (i + 1 >= chars.length) return null;
      out += cp(chars[i + 1]!);
      i += 2;
    } else if (c === "[") {
      i++;
      let negate = false;
      if (chars[i] === "^") {
        negate = true;
        i++;
      }
      const ranges: string[] = [];
      let n = 0;
      for (;;) {
        if (i < chars.length && chars[i] === "]" && n > 0) {
          i++;
          break;
        }
        const lo = classChar(chars, i);
        if (!lo) return null;
        i = lo.next;
        let hi = lo.c;
        if (chars[i] === "-") {
          const h = classChar(chars, i + 1);
          if (!h) return null;
          hi = h.c;
          i = h.next;
        }
        // Go accepts reversed ranges and they never match; a JS class would reject them.
        if (lo.c.codePointAt(0)! <= hi.codePointAt(0)!) ranges.push(`${cp(lo.c)}-${cp(hi)}`);
        n++;
      }
      const body = ranges.join("");
      out += negate ? `[^${body}]` : body === "" ? "[]" : `[${body}]`;
    } else {
      out += cp(c);
      i++;
    }
  }
  return new RegExp(`${out}$`, "u");
}

/** getEsc: one class character, `\` escapes; `-`, `]` or the end where a character is needed is a bad pattern. */
function classChar(chars: readonly string[], i: number): { c: string; next: number } | undefined {
  let c = chars[i];
  if (c === undefined || c === "-" || c === "]") return undefined;
  if (c === "\\") {
    i++;
    c = chars[i];
    if (c === undefined) return undefined;
  }
  return { c, next: i + 1 };
}

/** The default list (VCS first, then extensions, CI, extra), every pattern scoped to the root. */
export function vcsPatterns(): IgnorePattern[] {
  return EXCLUDE_VCS.split(",").map((p) => parsePattern(p, []));
}

export function defaultPatterns(): IgnorePattern[] {
  return [EXCLUDE_EXT, EXCLUDE_CI, EXCLUDE_EXTRA]
    .join(",")
    .split(",")
    .map((p) => parsePattern(p, []));
}

/** True when `abs` (listed in its parent) is a symlink: its real path is not its parent's real path + its name. */
export function isSymlink(fs: RepoFs, abs: string): boolean {
  const parent = path.dirname(abs);
  let real: string;
  try {
    real = fs.realpath(abs);
  } catch {
    // Dangling, looping or escaping: only symlinks get here for an entry that is listed.
    return true;
  }
  try {
    return real !== path.join(fs.realpath(parent), path.basename(abs));
  } catch {
    return true;
  }
}

/**
 * sourceignore.LoadIgnorePatterns: the directory's own `.sourceignore` first, then its sub-directories in
 * lexical order, depth first; `.git` and symlinked directories are not descended (os.ReadDir's IsDir is false
 * for a symlink).
 */
export function loadIgnorePatterns(fs: RepoFs, dir: string, domain: readonly string[]): IgnorePattern[] {
  const ps: IgnorePattern[] = [];
  const file = path.join(dir, IGNORE_FILE);
  let names: string[];
  try {
    names = fs.list(dir);
  } catch {
    return ps;
  }
  if (names.includes(IGNORE_FILE) && fs.kind(file) === "file") {
    try {
      ps.push(...readPatterns(fs.readText(file), domain));
    } catch {
      // Unreadable or escaping: Go's os.Open fails the same way and the caller reports nothing useful either.
    }
  }
  for (const name of names) {
    if (name === ".git") continue;
    const abs = joinName(dir, name);
    if (fs.kind(abs) !== "dir" || isSymlink(fs, abs)) continue;
    ps.push(...loadIgnorePatterns(fs, abs, [...domain, name]));
  }
  return ps;
}

/** The .sourceignore patterns under `root`, read once per RepoFs (its files do not change during a run). */
const patternCache = new WeakMap<RepoFs, Map<string, readonly IgnorePattern[]>>();

function repoIgnorePatterns(fs: RepoFs, root: string): readonly IgnorePattern[] {
  let byRoot = patternCache.get(fs);
  if (!byRoot) {
    byRoot = new Map();
    patternCache.set(fs, byRoot);
  }
  let ps = byRoot.get(root);
  if (!ps) {
    ps = loadIgnorePatterns(fs, root, []);
    byRoot.set(root, ps);
  }
  return ps;
}

export interface SourceFilter {
  /** The patterns in priority order (last wins), for explanations. */
  readonly patterns: readonly IgnorePattern[];
  /** The pattern decision alone (storage.SourceIgnoreFilter). The root itself is never ignored. */
  ignored(absPath: string, isDir: boolean): boolean;
  /** Whether the artifact lacks the entry: ignored, a symlink, or neither a file nor a directory (Archive). */
  excluded(absPath: string): boolean;
  /** The pattern that decided `absPath`, or undefined when none matched. */
  explain(absPath: string, isDir: boolean): IgnorePattern | undefined;
}

/**
 * The GitRepository artifact filter. `.sourceignore` files anywhere under `root` and `spec.ignore` (appended last,
 * so it wins) are gitignore patterns scoped to their directory. As soon as there is at least one such pattern the
 * default extension/CI/extra list is dropped and only the VCS patterns stay beneath them (SourceIgnoreFilter's
 * `len(ps) > 0` branch) — a `.sourceignore` disables the defaults just like `spec.ignore` does, which the
 * source-controller docs do not say.
 */
export function makeSourceFilter(fs: RepoFs, root: string, specIgnore?: string): SourceFilter {
  const rootAbs = path.resolve(root);
  const ps = [...repoIgnorePatterns(fs, rootAbs)];
  if (specIgnore !== undefined) ps.push(...readPatterns(specIgnore, []));
  const patterns = ps.length > 0 ? [...vcsPatterns(), ...ps] : [...vcsPatterns(), ...defaultPatterns()];

  const segments = (abs: string): string[] | undefined => {
    const r = path.relative(rootAbs, path.resolve(abs));
    if (r === "") return [];
    if (r.startsWith("..") || path.isAbsolute(r)) return undefined;
    return r.split(path.sep);
  };
  const explain = (absPath: string, isDir: boolean): IgnorePattern | undefined => {
    const rel = segments(absPath);
    if (!rel) return undefined;
    for (let i = patterns.length - 1; i >= 0; i--) {
      if (matchPattern(patterns[i]!, rel, isDir) !== MatchResult.NoMatch) return patterns[i];
    }
    return undefined;
  };
  const ignored = (absPath: string, isDir: boolean): boolean => {
    const p = explain(absPath, isDir);
    return p !== undefined && !p.inclusion;
  };
  let realRoot: string | undefined;
  // Builds ask about the same files again and again; the tree does not change during a render.
  const known = new Map<string, boolean>();
  const excluded = (absPath: string): boolean => {
    let answer = known.get(absPath);
    if (answer === undefined) {
      answer = decide(absPath);
      known.set(absPath, answer);
    }
    return answer;
  };
  const decide = (absPath: string): boolean => {
    const abs = path.resolve(absPath);
    if (abs === rootAbs) return false;
    const rel = segments(abs);
    if (!rel) return true;
    // A symlink anywhere below the root (the entry or a directory above it) keeps the entry out of the tarball.
    try {
      realRoot ??= fs.realpath(rootAbs);
      if (fs.realpath(abs) !== path.join(realRoot, ...rel)) return true;
    } catch {
      return true;
    }
    const kind = fs.kind(abs);
    if (kind !== "file" && kind !== "dir") return true;
    return ignored(abs, kind === "dir");
  };
  return { patterns, ignored, excluded, explain };
}
