import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execArgv, execArgvBytes, which } from "../core/exec.ts";
import type { Change } from "./changes.ts";
import { GitTreeFs, type TreeEntry } from "./git-tree-fs.ts";

/** A usage or environment problem of `homeops diff` (a missing ref, no git): exit status 2. */
export class DiffError extends Error {}

/**
 * The Git repository holding `dir`: its Git directory, its top level (none when bare: then only revisions can be
 * compared) and `dir`'s path inside it ("" or "sub/dir/").
 */
export interface GitRepo {
  git: string;
  gitDir: string;
  top: string | undefined;
  prefix: string;
}

export function openGitRepo(dir: string): GitRepo {
  const git = which("git");
  if (!git) throw new DiffError("git is not installed; compare two folders with --base-dir and --head-dir");
  // One call answers for a work tree; a bare repository fails at --show-toplevel after printing the rest.
  const r = execArgv(git, [
    "-C",
    dir,
    "rev-parse",
    "--absolute-git-dir",
    "--is-bare-repository",
    "--show-toplevel",
    "--show-prefix",
  ]);
  const [gitDir = "", bare = "", top = "", prefix = ""] = r.stdout.split("\n");
  if (bare === "true") return { git, gitDir, top: undefined, prefix: "" };
  if (r.status !== 0) throw new DiffError(`${dir} is not inside a Git repository: ${r.stderr.trim()}`);
  return { git, gitDir, top, prefix };
}

function run(repo: GitRepo, args: string[], env?: NodeJS.ProcessEnv): string {
  const where = repo.top ? ["-C", repo.top] : [`--git-dir=${repo.gitDir}`];
  const r = execArgv(repo.git, [...where, ...args], env ? { env: { ...process.env, ...env } } : {});
  if (r.error) throw new DiffError(`git ${args[0]}: ${r.error.message}`);
  if (r.status !== 0) throw new DiffError(`git ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The commit a revision names, or undefined when it names none. */
export function resolveCommit(repo: GitRepo, rev: string): string | undefined {
  const r = execArgv(repo.git, [
    `--git-dir=${repo.gitDir}`,
    "rev-parse",
    "--verify",
    "--quiet",
    `${rev}^{commit}`,
  ]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The default base: `origin/main` when it exists, else `main`. */
export function defaultBase(repo: GitRepo): string {
  for (const rev of ["origin/main", "main"]) if (resolveCommit(repo, rev)) return rev;
  throw new DiffError("neither origin/main nor main exists; name the base revision");
}

/**
 * A revision's files checked out in a temporary folder (through a private index: the work tree and index stay
 * untouched). `homeops diff` reads revisions with readTree; this real checkout is what scripts/diff-history.ts
 * checks it against.
 */
export interface ExtractedTree {
  /** The folder that stands for the repository directory being diffed (the Git top level plus the prefix). */
  root: string;
  cleanup: () => void;
}

export function extractTree(repo: GitRepo, commit: string): ExtractedTree {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-diff-"));
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const index = path.join(tmp, "index");
    const tree = path.join(tmp, "tree");
    fs.mkdirSync(tree, { recursive: true });
    // A private index and a work tree of its own: the repository's index and work tree are never touched.
    const own = { ...repo, top: undefined };
    const env = { GIT_INDEX_FILE: index };
    run(own, ["read-tree", commit], env);
    run(own, [`--work-tree=${tree}`, "checkout-index", "--all", "--force"], env);
    return { root: path.join(tree, repo.prefix), cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** A revision's tree below the diffed directory, read from Git objects as the render asks (nothing on disk). */
export function readTree(repo: GitRepo, commit: string, opts: { all?: boolean } = {}): GitTreeFs {
  const entries = new Map<string, TreeEntry>();
  const out = run(repo, ["ls-tree", "-r", "-z", "--full-tree", commit]);
  for (const line of out.split("\0")) {
    if (!line) continue;
    const tab = line.indexOf("\t");
    const [mode = "", , oid = ""] = line.slice(0, tab).split(" ");
    const p = line.slice(tab + 1);
    if (!p.startsWith(repo.prefix)) continue;
    entries.set(p.slice(repo.prefix.length), { mode, oid });
  }
  // Blobs one by one while few are asked for (the base side of an incremental diff), then all at once; `all`
  // (a side rendered in full) reads them at once from the start.
  const blobs = new Map<string, Buffer>();
  let misses = opts.all ? LAZY_BLOBS : 0;
  const blob = (oid: string): Buffer => {
    let b = blobs.get(oid);
    if (b) return b;
    if (++misses > LAZY_BLOBS) {
      for (const [k, v] of catBlobs(repo, [...new Set([...entries.values()].map((e) => e.oid))]))
        blobs.set(k, v);
      b = blobs.get(oid);
    }
    if (!b) {
      const r = execArgvBytes(repo.git, [`--git-dir=${repo.gitDir}`, "cat-file", "blob", oid]);
      if (r.status !== 0) throw new DiffError(`git cat-file blob ${oid} failed: ${r.stderr.trim()}`);
      b = r.stdout;
      blobs.set(oid, b);
    }
    return b;
  };
  return new GitTreeFs(`/homeops-git/${commit}`, entries, blob);
}

const LAZY_BLOBS = 8;

/** Many blobs in one `git cat-file --batch` (submodule commits are skipped: they are not in this repository). */
function catBlobs(repo: GitRepo, oids: readonly string[]): Map<string, Buffer> {
  const r = execArgvBytes(repo.git, [`--git-dir=${repo.gitDir}`, "cat-file", "--batch"], {
    input: `${oids.join("\n")}\n`,
  });
  if (r.status !== 0) throw new DiffError(`git cat-file --batch failed: ${r.stderr.trim()}`);
  const out = new Map<string, Buffer>();
  const buf = r.stdout;
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(10, at);
    if (nl < 0) break;
    const [oid = "", type = "", size = ""] = buf.subarray(at, nl).toString("utf8").split(" ");
    if (type === "missing" || size === "") {
      at = nl + 1;
      continue;
    }
    const n = Number(size);
    if (type === "blob") out.set(oid, buf.subarray(nl + 1, nl + 1 + n));
    at = nl + 1 + n + 1;
  }
  return out;
}

/** The paths that differ between two trees read by readTree. */
export function treeChanges(base: GitTreeFs, head: GitTreeFs): Change[] {
  const out: Change[] = [];
  for (const [p, e] of base.entries) {
    const h = head.entries.get(p);
    if (!h) out.push({ path: p, status: "deleted" });
    else if (h.oid !== e.oid || h.mode !== e.mode) out.push({ path: p, status: "modified" });
  }
  for (const p of head.entries.keys()) if (!base.entries.has(p)) out.push({ path: p, status: "added" });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The paths that differ between `base` and `head` (a commit, or undefined for the work tree with its uncommitted,
 * untracked and ignored files), relative to the diffed directory.
 */
export function changedPaths(repo: GitRepo, base: string, head: string | undefined): Change[] {
  if (!head && !repo.top) throw new DiffError("a bare repository has no work tree: name the head revision");
  const args = ["diff", "--name-status", "--no-renames", "--no-ext-diff", "-z", base];
  if (head) args.push(head);
  const out: Change[] = [];
  const fields = run(repo, args).split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i]!;
    const p = fields[i + 1]!;
    out.push({ path: p, status: status === "A" ? "added" : status === "D" ? "deleted" : "modified" });
  }
  if (!head) {
    // Files Git does not track are in the work tree the head side renders; whole folders come as `dir/`.
    for (const p of run(repo, [
      "ls-files",
      "--others",
      "--directory",
      "--no-empty-directory",
      "-z",
      "--full-name",
    ])
      .split("\0")
      .filter(Boolean)) {
      out.push({ path: p, status: "added" });
    }
  }
  const inside = repo.prefix;
  return out
    .filter((c) => c.path.startsWith(inside))
    .map((c) => ({ ...c, path: c.path.slice(inside.length) }))
    .filter((c) => c.path !== "");
}
