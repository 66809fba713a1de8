import * as path from "node:path";
import type { Diagnostic } from "../core/diagnostics.ts";
import type { RepoFs } from "../core/repo-fs.ts";
import { newRenderRecord, type RenderReuse, type RepoRender, renderRepository } from "../flux/render.ts";
import { type Change, ChangeSet, compareDirs } from "./changes.ts";
import {
  type ChartChange,
  chartChanges,
  compareRenders,
  type ImageChange,
  imageChanges,
  type KustomizationDiff,
} from "./compare.ts";
import {
  changedPaths,
  DiffError,
  defaultBase,
  openGitRepo,
  readTree,
  resolveCommit,
  treeChanges,
} from "./git.ts";

export interface DiffOptions {
  /** The repository directory (default: the current directory). */
  repo?: string;
  /** Git revisions; base defaults to origin/main (else main), head to the work tree with its uncommitted changes. */
  base?: string;
  head?: string;
  /** Two folders to compare instead of Git revisions. */
  baseDir?: string;
  headDir?: string;
  /** Render from this repo-relative directory instead of discovering entry points. */
  path?: string;
  kinds?: readonly string[];
  showSecrets?: boolean;
  ignoreMetadata?: readonly string[];
  strictSubstitute?: boolean;
  context?: number;
  /** Render only the Kustomizations whose inputs changed on the base side (default); false renders both in full. */
  incremental?: boolean;
}

export interface DiffSummary {
  kustomizations: number;
  changed: number;
  added: number;
  removed: number;
}

export interface DiffResult {
  base: string;
  head: string;
  kustomizations: KustomizationDiff[];
  summary: DiffSummary;
  charts: ChartChange[];
  images: ImageChange[];
  /** Warnings and errors the head side reports and the base side does not. */
  newDiagnostics: Diagnostic[];
  /** Files that differ between the sides. */
  changes: Change[];
  stats: {
    /** Base-side Kustomization builds made and taken over from the head side. */
    baseBuilt: number;
    baseReused: number;
    ms: { prepare: number; head: number; base: number; compare: number };
  };
}

/**
 * What Flux would apply differently: renders the head side in full, then the base side reusing every build whose
 * inputs (the files, listings and existence checks it made, its spec and variables) are the same, and compares the
 * objects of each Flux Kustomization. Throws DiffError for usage and environment problems.
 */
export function diffRepository(opts: DiffOptions = {}): DiffResult {
  const t0 = performance.now();
  const sides = prepare(opts);
  const t1 = performance.now();
  const set = new ChangeSet(sides.changes);
  const renderOpts = {
    showSecrets: true,
    strictSubstitute: opts.strictSubstitute ?? true,
    ...(opts.path ? { path: opts.path } : {}),
  };
  const incremental = opts.incremental !== false && !set.global;
  const record = newRenderRecord();
  const headOpts = { ...renderOpts, ...(sides.headFs ? { files: sides.headFs } : {}) };
  const head = renderRepository(sides.headRoot, incremental ? { ...headOpts, record } : headOpts);
  const t2 = performance.now();
  const reuse: RenderReuse = {
    from: record,
    changed: (rel) => set.changed(rel),
    stale: (reads) => set.stale(reads),
    reused: 0,
    built: 0,
  };
  const baseOpts = { ...renderOpts, ...(sides.baseFs ? { files: sides.baseFs } : {}) };
  const base = renderRepository(sides.baseRoot, incremental ? { ...baseOpts, reuse } : baseOpts);
  const t3 = performance.now();
  const result = compare(base, head, opts);
  const t4 = performance.now();
  return {
    base: sides.baseLabel,
    head: sides.headLabel,
    ...result,
    changes: sides.changes,
    stats: {
      baseBuilt: incremental ? reuse.built : base.kustomizations.length,
      baseReused: reuse.reused,
      ms: { prepare: t1 - t0, head: t2 - t1, base: t3 - t2, compare: t4 - t3 },
    },
  };
}

/** Compares two renders (made with showSecrets: masking happens here, after the comparison). */
export function compare(
  base: RepoRender,
  head: RepoRender,
  opts: Pick<DiffOptions, "kinds" | "showSecrets" | "ignoreMetadata" | "context"> = {},
): Pick<DiffResult, "kustomizations" | "summary" | "charts" | "images" | "newDiagnostics"> {
  const kustomizations = compareRenders(base, head, {
    ...(opts.kinds ? { kinds: opts.kinds } : {}),
    showSecrets: opts.showSecrets === true,
    ...(opts.ignoreMetadata ? { ignoreMetadata: opts.ignoreMetadata } : {}),
    context: opts.context ?? 3,
  });
  const summary: DiffSummary = { kustomizations: kustomizations.length, changed: 0, added: 0, removed: 0 };
  for (const k of kustomizations) for (const o of k.objects) summary[o.status]++;
  const kinds = opts.kinds?.map((k) => k.toLowerCase());
  const charts = !kinds || kinds.includes("helmrelease") ? chartChanges(base, head) : [];
  return {
    kustomizations,
    summary,
    charts,
    images: imageChanges(base, head, kustomizations),
    newDiagnostics: newProblems(base.diagnostics, head.diagnostics),
  };
}

/** Head-side warnings and errors without a counterpart (same code, file and message) on the base side. */
function newProblems(base: readonly Diagnostic[], head: readonly Diagnostic[]): Diagnostic[] {
  const id = (d: Diagnostic) => `${d.severity}\0${d.code}\0${d.file ?? ""}\0${d.message}`;
  const left = new Map<string, number>();
  for (const d of base) left.set(id(d), (left.get(id(d)) ?? 0) + 1);
  const out: Diagnostic[] = [];
  for (const d of head) {
    if (d.severity === "info") continue;
    const n = left.get(id(d)) ?? 0;
    if (n > 0) left.set(id(d), n - 1);
    else out.push(d);
  }
  return out;
}

interface Sides {
  baseRoot: string;
  headRoot: string;
  /** How to read a side that is a Git revision (else the disk at its root). */
  baseFs?: RepoFs;
  headFs?: RepoFs;
  baseLabel: string;
  headLabel: string;
  changes: Change[];
}

function prepare(opts: DiffOptions): Sides {
  if (opts.baseDir !== undefined || opts.headDir !== undefined) {
    if (opts.baseDir === undefined || opts.headDir === undefined)
      throw new DiffError("--base-dir and --head-dir go together");
    if (opts.base !== undefined || opts.head !== undefined)
      throw new DiffError("compare either two revisions or two folders (--base-dir/--head-dir), not both");
    const baseRoot = path.resolve(opts.baseDir);
    const headRoot = path.resolve(opts.headDir);
    return {
      baseRoot,
      headRoot,
      baseLabel: opts.baseDir,
      headLabel: opts.headDir,
      changes: compareDirs(baseRoot, headRoot),
    };
  }
  const dir = path.resolve(opts.repo ?? ".");
  const repo = openGitRepo(dir);
  const baseRev = opts.base ?? defaultBase(repo);
  const base = resolveCommit(repo, baseRev);
  if (!base) throw new DiffError(`unknown revision '${baseRev}'`);
  let head: string | undefined;
  if (opts.head !== undefined) {
    head = resolveCommit(repo, opts.head);
    if (!head) throw new DiffError(`unknown revision '${opts.head}'`);
  }
  // The base side is read lazily when only what changed is rendered again.
  const baseFs = readTree(repo, base, { all: opts.incremental === false });
  const labels = { baseLabel: baseRev, headLabel: opts.head ?? "work tree" };
  if (head) {
    const headFs = readTree(repo, head, { all: true });
    const changes = treeChanges(baseFs, headFs);
    return { baseRoot: baseFs.root, headRoot: headFs.root, baseFs, headFs, changes, ...labels };
  }
  return {
    baseRoot: baseFs.root,
    headRoot: dir,
    baseFs,
    changes: changedPaths(repo, base, undefined),
    ...labels,
  };
}
