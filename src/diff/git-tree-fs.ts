import * as path from "node:path";
import { byteCompare, type EntryKind, EscapeError, RepoFs } from "../core/repo-fs.ts";

/** One entry of a Git tree: its mode (100644, 100755, 120000 symlink, 160000 submodule) and object id. */
export interface TreeEntry {
  mode: string;
  oid: string;
}

function fsError(code: string, what: string, abs: string): Error {
  const e = new Error(`${code}: ${what}, realpath '${abs}'`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

/**
 * A revision of the repository read straight from Git objects: nothing is written to disk, and only the blobs a
 * render asks for are read (`blob`). Paths live under a root that does not exist on disk; symlinks are followed
 * inside the tree, and one leading out of it dangles (as in a checkout where its target does not exist).
 */
export class GitTreeFs extends RepoFs {
  readonly entries: ReadonlyMap<string, TreeEntry>;
  readonly #dirs = new Map<string, string[]>();
  readonly #blob: (oid: string) => Buffer;
  readonly #bytes = new Map<string, Buffer>();
  readonly #text = new Map<string, string>();
  /** Symlinks of the tree (most trees have none: then no path needs resolving). */
  readonly #links: string[] = [];

  /** `entries` by path relative to `root` (files, symlinks and submodules; folders are implied). */
  constructor(root: string, entries: ReadonlyMap<string, TreeEntry>, blob: (oid: string) => Buffer) {
    super(root);
    this.entries = entries;
    this.#blob = blob;
    const kids = new Map<string, Set<string>>([[".", new Set()]]);
    for (const [rel, e] of entries) if (e.mode === "120000") this.#links.push(rel);
    for (const rel of entries.keys()) {
      let child = rel;
      for (let d = path.posix.dirname(rel); ; d = path.posix.dirname(d)) {
        let set = kids.get(d);
        if (!set) {
          set = new Set();
          kids.set(d, set);
        }
        set.add(path.posix.basename(child));
        if (d === ".") break;
        child = d;
      }
    }
    for (const [d, names] of kids) this.#dirs.set(d, [...names].sort(byteCompare));
  }

  /** Like RepoFs.rel, without path.relative for the normalized paths every caller passes. */
  override rel(abs: string): string {
    if (abs === this.root) return ".";
    if (abs.startsWith(this.root) && abs[this.root.length] === "/" && !/\/\.\.?(\/|$)|\/\//.test(abs))
      return abs.slice(this.root.length + 1);
    return super.rel(abs);
  }

  #relOf(abs: string): string {
    if (!this.contains(abs)) throw new EscapeError(abs);
    return this.rel(abs);
  }

  /** The path with every symlink on the way resolved (inside the tree), or an error like the file system's. */
  #resolve(abs: string): string {
    let rel = this.#relOf(abs);
    if (this.#links.length === 0) return rel;
    for (let hops = 0; hops < 40; hops++) {
      if (!this.#links.some((l) => rel === l || rel.startsWith(`${l}/`))) return rel;
      const parts = rel === "." ? [] : rel.split("/");
      let link = -1;
      for (let i = 0; i < parts.length; i++) {
        const e = this.entries.get(parts.slice(0, i + 1).join("/"));
        if (e?.mode === "120000") {
          link = i;
          break;
        }
      }
      if (link < 0) return rel;
      const at = parts.slice(0, link + 1).join("/");
      const target = this.#blob(this.entries.get(at)!.oid).toString("utf8");
      const joined = path.posix.join(path.posix.dirname(at), target, ...parts.slice(link + 1));
      const abs2 = path.posix.isAbsolute(target)
        ? path.posix.join(target, ...parts.slice(link + 1))
        : path.join(this.root, joined);
      // What lies outside the tree is unknown here: like a checkout where it does not exist, a dangling link.
      if (!this.contains(abs2)) throw fsError("ENOENT", "no such file or directory", abs);
      rel = this.rel(abs2);
    }
    throw fsError("ELOOP", "too many symbolic links encountered", abs);
  }

  #kindOf(rel: string): EntryKind {
    if (this.#dirs.has(rel)) return "dir";
    const e = this.entries.get(rel);
    if (!e) return "missing";
    return e.mode === "160000" ? "dir" : "file";
  }

  override realpath(abs: string): string {
    const rel = this.#resolve(abs);
    if (this.#kindOf(rel) === "missing") throw fsError("ENOENT", "no such file or directory", abs);
    return rel === "." ? this.root : path.join(this.root, rel);
  }

  override kind(abs: string): EntryKind {
    this.#relOf(abs);
    try {
      return this.#kindOf(this.#resolve(abs));
    } catch (e) {
      if (e instanceof EscapeError) return "broken";
      return (e as NodeJS.ErrnoException).code === "ELOOP" ? "broken" : "missing";
    }
  }

  override readBytes(abs: string): Buffer {
    const rel = this.rel(this.realpath(abs));
    const e = this.entries.get(rel);
    if (!e || e.mode === "160000") throw fsError("EISDIR", "illegal operation on a directory", abs);
    let b = this.#bytes.get(e.oid);
    if (!b) {
      b = this.#blob(e.oid);
      this.#bytes.set(e.oid, b);
    }
    return b;
  }

  override readText(abs: string): string {
    let t = this.#text.get(abs);
    if (t === undefined) {
      t = this.readBytes(abs).toString("utf8");
      this.#text.set(abs, t);
    }
    return t;
  }

  override list(abs: string): string[] {
    const rel = this.rel(this.realpath(abs));
    const names = this.#dirs.get(rel);
    if (!names) {
      if (this.entries.get(rel)?.mode === "160000") return [];
      throw fsError("ENOTDIR", "not a directory", abs);
    }
    return names;
  }
}
