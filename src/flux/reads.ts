import type { Diagnostics } from "../core/diagnostics.ts";
import { type EntryKind, RepoFs } from "../core/repo-fs.ts";
import type { LoadResult } from "../core/yaml/load.ts";
import { KustomizeEngine } from "../kustomize/build.ts";
import type { TransformerConfig } from "../kustomize/transformer-config.ts";

/**
 * What one Kustomization build asked the file system (repo-relative): the paths whose content, kind or link target
 * it read, and the directories it listed. A build is a function of those answers, so a build of another revision
 * of the repository where none of them changed gives the same result (what `homeops diff` relies on).
 */
export interface ReadSet {
  paths: string[];
  lists: string[];
}

/** Collects the queries of the build running now. */
class ReadLog {
  paths: Set<string> | undefined;
  lists: Set<string> | undefined;

  start(): void {
    this.paths = new Set();
    this.lists = new Set();
  }

  stop(rel: (abs: string) => string): ReadSet {
    const out = {
      paths: [...(this.paths ?? [])].map(rel).sort(),
      lists: [...(this.lists ?? [])].map(rel).sort(),
    };
    this.paths = undefined;
    this.lists = undefined;
    return out;
  }
}

/** A RepoFs that logs every query made while a build runs, answered by another (whose caches hide nothing). */
export class TrackingFs extends RepoFs {
  readonly log = new ReadLog();
  readonly #inner: RepoFs;

  constructor(inner: RepoFs) {
    super(inner.root);
    this.#inner = inner;
  }

  override realpath(abs: string): string {
    this.log.paths?.add(abs);
    return this.#inner.realpath(abs);
  }

  override kind(abs: string): EntryKind {
    this.log.paths?.add(abs);
    return this.#inner.kind(abs);
  }

  override readText(abs: string): string {
    this.log.paths?.add(abs);
    return this.#inner.readText(abs);
  }

  override readBytes(abs: string): Buffer {
    this.log.paths?.add(abs);
    return this.#inner.readBytes(abs);
  }

  override list(abs: string): string[] {
    this.log.lists?.add(abs);
    return this.#inner.list(abs);
  }

  /** Runs `f` and returns what it read. */
  track<T>(f: () => T): { value: T; reads: ReadSet } {
    this.log.start();
    try {
      const value = f();
      return { value, reads: this.log.stop((abs) => this.rel(abs)) };
    } finally {
      this.log.paths = undefined;
      this.log.lists = undefined;
    }
  }
}

/** An engine whose parse caches still log the file they stand for, so a cached read counts for every build. */
export class TrackingEngine extends KustomizeEngine {
  readonly #log: ReadLog;

  constructor(fs: TrackingFs) {
    super(fs);
    this.#log = fs.log;
  }

  override parse(abs: string): LoadResult {
    this.#log.paths?.add(abs);
    return super.parse(abs);
  }

  override parseResources(abs: string): LoadResult {
    this.#log.paths?.add(abs);
    return super.parseResources(abs);
  }

  override transformerConfigs(
    abs: string,
    diags: Diagnostics,
    make: (d: Diagnostics) => TransformerConfig[],
  ): TransformerConfig[] {
    this.#log.paths?.add(abs);
    return super.transformerConfigs(abs, diags, make);
  }
}

/**
 * An engine for another revision of the repository that takes the parse of every file the revisions share from
 * the engine of the first render: only files that changed (or that a symlink leads to) are read and parsed again.
 */
export class SharingEngine extends KustomizeEngine {
  readonly #other: KustomizeEngine;
  readonly #changed: (rel: string) => boolean;

  constructor(fs: RepoFs, other: KustomizeEngine, changed: (rel: string) => boolean) {
    super(fs);
    this.#other = other;
    this.#changed = changed;
  }

  /** The same file in the other revision, when its content is the same there. */
  #there(abs: string): string | undefined {
    const rel = this.fs.rel(abs);
    let real: string;
    try {
      real = this.fs.realpath(abs);
    } catch {
      return undefined;
    }
    if (real !== abs || this.#changed(rel)) return undefined;
    return this.#other.fs.resolve(rel);
  }

  override parse(abs: string): LoadResult {
    const there = this.#there(abs);
    return there ? this.#other.parse(there) : super.parse(abs);
  }

  override parseResources(abs: string): LoadResult {
    const there = this.#there(abs);
    return there ? this.#other.parseResources(there) : super.parseResources(abs);
  }
}
