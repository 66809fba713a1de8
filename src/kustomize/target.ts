import * as path from "node:path";
import type { Diagnostics, Position } from "../core/diagnostics.ts";
import { EscapeError, type RepoFs } from "../core/repo-fs.ts";
import { KUSTOMIZATION_FILE_NAMES } from "./kustomization.ts";

export type LoadRestrictor = "rootOnly" | "none";

/**
 * A kustomization root as kustomize's FileLoader sees it: its real directory, the load restrictor and the chain
 * of roots that led here (for cycle detection).
 */
export interface Root {
  /** Real (symlink-resolved) absolute directory. */
  dir: string;
  restrictor: LoadRestrictor;
  referrer: Root | undefined;
}

export type FileRead = { ok: true; abs: string; text: string } | { ok: false };

/**
 * Reads a file named relative to a root, enforcing the load restrictor (rootOnly: the file must lie in or below
 * the root) and the repository boundary. Problems become diagnostics at `at`.
 */
export function readRootFile(
  fs: RepoFs,
  root: Root,
  p: string,
  at: Position,
  diags: Diagnostics,
  what: string,
): FileRead {
  let abs: string;
  try {
    abs = fs.resolve(p, root.dir);
  } catch (e) {
    if (e instanceof EscapeError) {
      diags.error(
        "KUS014",
        `${what} '${p}' is outside the repository root`,
        at,
        "Keep every file inside the repository.",
      );
      return { ok: false };
    }
    throw e;
  }
  const kind = fs.kind(abs);
  if (kind === "broken") {
    try {
      fs.realpath(abs);
    } catch (e) {
      reportRealpathError(e, p, at, diags, what);
      return { ok: false };
    }
  }
  if (kind !== "file") {
    diags.error(
      "KUS010",
      kind === "missing" ? `${what} '${p}' does not exist` : `${what} '${p}' is not a file`,
      at,
      `Looked for ${fs.rel(abs)}.`,
    );
    return { ok: false };
  }
  let real: string;
  try {
    real = fs.realpath(abs);
  } catch (e) {
    reportRealpathError(e, p, at, diags, what);
    return { ok: false };
  }
  if (root.restrictor === "rootOnly" && !within(root.dir, path.dirname(real))) {
    diags.error(
      "KUS012",
      `security; file '${p}' is not in or below '${fs.rel(root.dir)}'`,
      at,
      "kustomize's default load restrictor (rootOnly) forbids it; move the file, or build with --load-restrictor none as Flux does.",
    );
    return { ok: false };
  }
  return { ok: true, abs, text: fs.readText(abs) };
}

export function reportRealpathError(
  e: unknown,
  p: string,
  at: Position,
  diags: Diagnostics,
  what: string,
): void {
  const code = (e as NodeJS.ErrnoException).code;
  if (e instanceof EscapeError) {
    diags.error(
      "KUS014",
      `${what} '${p}' resolves outside the repository root`,
      at,
      "A symlink points outside the repository.",
    );
  } else if (code === "ELOOP") {
    diags.error(
      "KUS013",
      `${what} '${p}' is a symlink loop`,
      at,
      "Fix the symlinks so they end at a real file.",
    );
  } else {
    diags.error("KUS010", `${what} '${p}' cannot be read: ${(e as Error).message}`, at);
  }
}

/** True when `child` is `parent` or below it. */
export function within(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith("/") ? parent : `${parent}/`);
}

/** kustomize's errIfArgEqualOrHigher: a base may not be a visited root or one of its ancestors. */
export function cycleRoot(root: Root | undefined, candidate: string): Root | undefined {
  for (let r = root; r; r = r.referrer) if (within(candidate, r.dir)) return r;
  return undefined;
}

/** The kustomization file of a directory, or a diagnostic (none, or several). */
export function findKustomizationFile(
  fs: RepoFs,
  dir: string,
  at: Position,
  /** Undefined: a directory without one is fine (the caller makes one); several are still an error. */
  diags: Diagnostics | undefined,
  severalDiags?: Diagnostics,
): string | undefined {
  const names = new Set(fs.list(dir));
  const found = KUSTOMIZATION_FILE_NAMES.filter((n) => names.has(n) && fs.kind(path.join(dir, n)) === "file");
  if (found.length === 0) {
    diags?.error(
      "KUS001",
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${fs.rel(dir)}'`,
      at,
      "Add a kustomization.yaml listing the directory's manifests, or point at a file instead.",
    );
    return undefined;
  }
  if (found.length > 1) {
    (diags ?? severalDiags)?.error(
      "KUS002",
      `found multiple kustomization files under: ${fs.rel(dir)}`,
      at,
      `Keep one of ${found.join(", ")}.`,
    );
    return undefined;
  }
  return path.join(dir, found[0]!);
}
