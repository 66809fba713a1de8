import * as fs from "node:fs";
import * as path from "node:path";

/** Raised when a path would leave the repository root; callers turn it into a Diagnostic. */
export class EscapeError extends Error {
  constructor(readonly target: string) {
    super(`path ${target} is outside the repository root`);
  }
}

/** `broken`: the entry exists but cannot be followed (a symlink loop, no permission). */
export type EntryKind = "file" | "dir" | "missing" | "broken" | "other";

/**
 * The only door to the user's files. Every path is absolute and POSIX-style inside; anything that resolves
 * (also through symlinks) outside `root` is refused. Reads are cached: the repository does not change during a run.
 */
export class RepoFs {
  readonly root: string;
  readonly #text = new Map<string, string>();
  readonly #bytes = new Map<string, Buffer>();
  readonly #real = new Map<string, string | Error>();
  readonly #kind = new Map<string, EntryKind>();
  readonly #list = new Map<string, string[]>();
  /** The root with a trailing slash, for `contains`. */
  readonly #rootSlash: string;

  constructor(root: string) {
    // Work in real paths: a repository reached through a symlink must not look like it escapes itself.
    const abs = path.resolve(root);
    let real = abs;
    try {
      real = fs.realpathSync.native(abs);
    } catch {
      // A missing root stays as given; every read will report it.
    }
    this.root = real;
    this.#rootSlash = real.endsWith("/") ? real : `${real}/`;
  }

  /** Absolute path for `p` (relative to `from`, default the root); throws EscapeError outside the root. */
  resolve(p: string, from: string = this.root): string {
    const abs = path.resolve(from, p);
    if (!this.contains(abs)) throw new EscapeError(abs);
    return abs;
  }

  contains(abs: string): boolean {
    return abs === this.root || abs.startsWith(this.#rootSlash);
  }

  /** Root-relative display path (forward slashes). */
  rel(abs: string): string {
    // Callers pass normalized paths below the root almost always: slice those instead of path.relative.
    const root = this.root;
    if (
      abs.length > root.length + 1 &&
      abs.startsWith(root) &&
      abs.charCodeAt(root.length) === 47 &&
      root !== "/" &&
      !abs.endsWith("/") &&
      !/\/\.{0,2}(\/|$)|\/\//.test(abs.slice(root.length))
    ) {
      return abs.slice(root.length + 1);
    }
    const r = path.relative(this.root, abs);
    return r === "" ? "." : r.split(path.sep).join("/");
  }

  /** Resolves symlinks and checks the target stays inside the root. ELOOP and friends surface as errors. */
  realpath(abs: string): string {
    let r = this.#real.get(abs);
    if (r === undefined) {
      try {
        r = fs.realpathSync.native(abs);
        if (!this.contains(r) && !this.#realRootContains(r)) r = new EscapeError(r);
      } catch (e) {
        r = e as Error;
      }
      this.#real.set(abs, r);
    }
    if (r instanceof Error) throw r;
    return r;
  }

  #realRootContains(r: string): boolean {
    let realRoot: string;
    try {
      realRoot = fs.realpathSync.native(this.root);
    } catch {
      return false;
    }
    return r === realRoot || r.startsWith(`${realRoot}/`);
  }

  kind(abs: string): EntryKind {
    if (!this.contains(abs)) throw new EscapeError(abs);
    let k = this.#kind.get(abs);
    if (k === undefined) {
      try {
        const st = fs.statSync(abs, { throwIfNoEntry: false });
        k = st === undefined ? "missing" : st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
      } catch {
        k = "broken";
      }
      this.#kind.set(abs, k);
    }
    return k;
  }

  readText(abs: string): string {
    const cached = this.#text.get(abs);
    if (cached !== undefined) return cached;
    this.realpath(abs);
    const text = fs.readFileSync(abs, "utf8");
    this.#text.set(abs, text);
    return text;
  }

  /** The file's bytes, cached like its text: callers must not change the Buffer. */
  readBytes(abs: string): Buffer {
    const cached = this.#bytes.get(abs);
    if (cached !== undefined) return cached;
    this.realpath(abs);
    const bytes = fs.readFileSync(abs);
    this.#bytes.set(abs, bytes);
    return bytes;
  }

  /** Entry names of a directory, sorted bytewise like Go's os.ReadDir. */
  list(abs: string): string[] {
    let names = this.#list.get(abs);
    if (!names) {
      const real = this.realpath(abs);
      const entries = fs.readdirSync(abs, { withFileTypes: true });
      names = entries.map((e) => e.name).sort(byteCompare);
      this.#list.set(abs, names);
      // What the listing already says spares a stat and a realpath per entry: a plain file or folder (not a
      // symlink) is where its folder is. Symlinks and anything else are looked at when asked.
      for (const e of entries) {
        const kind: EntryKind | undefined = e.isFile() ? "file" : e.isDirectory() ? "dir" : undefined;
        if (kind === undefined) continue;
        const child = joinName(abs, e.name);
        if (!this.#kind.has(child)) this.#kind.set(child, kind);
        if (!this.#real.has(child)) this.#real.set(child, joinName(real, e.name));
      }
    }
    return names;
  }

  /** Text of a file if it is readable inside the root, else undefined (for code frames). */
  tryReadRel(rel: string): string | undefined {
    try {
      return this.readText(this.resolve(rel));
    } catch {
      return undefined;
    }
  }
}

/** path.join(dir, name) for an entry name (no "/", never "." or ".."), without path.join's normalizing. */
export function joinName(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

const SURROGATE = /[\ud800-\udfff]/;

/** Go's byte order of UTF-8 strings; without surrogates that is UTF-16 code-unit order. */
export function byteCompare(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

/** Nearest ancestor holding `.git`, else undefined. */
export function findGitRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, ".git"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
