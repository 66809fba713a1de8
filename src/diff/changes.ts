import * as path from "node:path";
import { RepoFs } from "../core/repo-fs.ts";
import type { ReadSet } from "../flux/reads.ts";

/** One path that differs between the two sides; a path ending in `/` stands for a whole folder. */
export interface Change {
  path: string;
  status: "added" | "deleted" | "modified";
}

/**
 * The differences between two trees, asked the questions a build asked (see ReadSet): a build whose answers are
 * all the same on both sides produces the same objects, so the other side need not build it again.
 */
export class ChangeSet {
  readonly changes: readonly Change[];
  readonly #paths = new Set<string>();
  readonly #folders: string[] = [];
  /** Folders whose listing differs (an entry appeared or went away somewhere below), and so may their kind. */
  readonly #listings = new Set<string>();

  constructor(changes: readonly Change[]) {
    this.changes = changes;
    for (const c of changes) {
      if (c.path.endsWith("/")) this.#folders.push(c.path);
      else this.#paths.add(c.path);
      if (c.status === "modified") continue;
      for (let d = parent(c.path); d !== undefined; d = parent(d)) this.#listings.add(d);
    }
  }

  get empty(): boolean {
    return this.changes.length === 0;
  }

  /** Whether a file differs (its content, or whether it exists). */
  changed(rel: string): boolean {
    return this.#paths.has(rel) || this.#folders.some((f) => rel.startsWith(f));
  }

  /** Whether any answer to the queries of `reads` differs between the sides. */
  stale(reads: ReadSet): boolean {
    for (const p of reads.paths) if (this.changed(p) || this.#listings.has(p)) return true;
    for (const d of reads.lists) if (this.#listings.has(d) || this.changed(`${d}/`)) return true;
    return false;
  }

  /** Changes no build records: `.sourceignore` files decide what every build sees. */
  get global(): boolean {
    return this.changes.some((c) => path.posix.basename(c.path.replace(/\/$/, "")) === ".sourceignore");
  }
}

function parent(p: string): string | undefined {
  const trimmed = p.replace(/\/$/, "");
  if (trimmed === "." || trimmed === "") return undefined;
  const d = path.posix.dirname(trimmed);
  return d;
}

/** The changes between two folders, file by file (VCS folders left out). */
export function compareDirs(baseDir: string, headDir: string): Change[] {
  const a = new RepoFs(baseDir);
  const b = new RepoFs(headDir);
  const fa = listFiles(a);
  const fb = listFiles(b);
  const out: Change[] = [];
  for (const [rel, abs] of fa) {
    const other = fb.get(rel);
    if (other === undefined) out.push({ path: rel, status: "deleted" });
    else if (!a.readBytes(abs).equals(b.readBytes(other))) out.push({ path: rel, status: "modified" });
  }
  for (const rel of fb.keys()) if (!fa.has(rel)) out.push({ path: rel, status: "added" });
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

function listFiles(fs: RepoFs): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of fs.list(dir)) {
      const abs = path.join(dir, name);
      let kind: ReturnType<RepoFs["kind"]>;
      try {
        kind = fs.kind(abs);
      } catch {
        continue;
      }
      if (kind === "dir") {
        if (name !== ".git") walk(abs);
      } else if (kind === "file") out.set(fs.rel(abs), abs);
    }
  };
  walk(fs.root);
  return out;
}
