import * as path from "node:path";
import { type Diagnostic, Diagnostics, type Position } from "../core/diagnostics.ts";
import { EscapeError, type RepoFs } from "../core/repo-fs.ts";
import { type LoadedDoc, type LoadResult, loadYaml } from "../core/yaml/load.ts";
import { deepClone, isMap, newMap, share, type Value, type ValueMap } from "../core/yaml/value.ts";
import {
  KUSTOMIZATION_FILE_NAMES,
  type Kustomization,
  listEntries,
  parseKustomization,
  stringEntries,
} from "./kustomization.ts";
import { isRemoteTarget } from "./remote.ts";
import type { Resource } from "./resource.ts";
import { resourcesFromDocs } from "./resources-from-docs.ts";
import { legacySort } from "./sort.ts";
import {
  type Accumulator,
  finishBuild,
  loadConfigurations,
  newAccumulator,
  runGenerators,
  runTransformers,
} from "./steps.ts";
import {
  cycleRoot,
  findKustomizationFile,
  type LoadRestrictor,
  type Root,
  reportRealpathError,
} from "./target.ts";
import { mergeTransformerConfig as mergeConfigs, type TransformerConfig } from "./transformer-config.ts";
import { mergeVars, readVars } from "./vars.ts";

export interface BuildOptions {
  /** kustomize's default is rootOnly; Flux builds with none. */
  loadRestrictor?: LoadRestrictor;
  /** kustomize's default is legacy; Flux leaves resources in input order (none). */
  reorder?: "legacy" | "none";
  /**
   * Rewrites the top-level kustomization before it is used (Flux's generator merges its spec fields in, or
   * writes one when the directory has none). Gets the parsed file, or undefined when the directory has none.
   */
  /**
   * Replaces the top kustomization (Flux's generator); undefined when it failed and reported why, which ends
   * the build without a word of kustomize's own.
   */
  overrideTop?: (existing: ValueMap | undefined, dir: string) => ValueMap | undefined;
  /**
   * Resources share the large, frozen parts of parsed files (see `largeParts`) instead of copying them.
   * The caller must run the build again without it when a TypeError from a frozen object (`isFrozenWrite`)
   * comes out, and must not change the objects it gets in place.
   */
  share?: boolean;
}

export interface BuildResult {
  resources: Resource[];
  diagnostics: Diagnostic[];
  /** Every file the build read (absolute), for change detection. */
  files: string[];
}

/** A loaded kustomization with the root it was loaded from. */
export interface Target {
  k: Kustomization;
  root: Root;
  /** Root-relative kustomization file, for diagnostics. */
  relFile: string;
  /** Path from the top kustomization's directory (kustomize's origin path), "" at the top. */
  originPath: string;
  /** The kustomization's file name (kustomization.yaml, .yml or Kustomization). */
  fileName: string;
}

/**
 * kustomize, in-process. One engine can build many directories; parsed files are cached between builds
 * (resources are deep-copied out of the cache, so builds share no objects but the frozen ones `share` allows).
 */
export class KustomizeEngine {
  readonly fs: RepoFs;
  readonly #parsed = new Map<string, LoadResult>();
  readonly #resources = new Map<string, LoadResult>();
  /** Parsed patch texts (the same patch is often applied by many Kustomizations). */
  readonly patchCache = new Map<string, unknown>();
  readonly #configs = new Map<string, { configs: TransformerConfig[]; diagnostics: Diagnostic[] }>();

  constructor(fs: RepoFs) {
    this.fs = fs;
  }

  /** Parses a YAML file once per engine. */
  parse(abs: string): LoadResult {
    let r = this.#parsed.get(abs);
    if (!r) {
      r = loadYaml(this.fs.readText(abs), this.fs.rel(abs));
      this.#parsed.set(abs, r);
    }
    return r;
  }

  /**
   * Parses a resource file once per engine, keeping only values and document positions: resource files are most
   * of a repository's bytes, and their syntax trees are not needed once decoded.
   */
  parseResources(abs: string): LoadResult {
    let r = this.#resources.get(abs);
    if (!r) {
      // Kustomization files are read both ways (by discovery as resources, by builds as targets): one parse
      // serves both caches unless parts of it get frozen, which must stay out of `parse`'s results.
      const parsed = this.#parsed.get(abs);
      let full = parsed ?? loadYaml(this.fs.readText(abs), this.fs.rel(abs));
      let parts = full.docs.flatMap((d) => largeParts(d.value));
      if (parts.length > 0 && full === parsed) {
        full = loadYaml(this.fs.readText(abs), this.fs.rel(abs));
        parts = full.docs.flatMap((d) => largeParts(d.value));
      }
      for (const part of parts) share(part, full.printable === true);
      if (parts.length === 0) this.#parsed.set(abs, full);
      r = {
        diagnostics: full.diagnostics,
        docs: full.docs.map((d) => ({
          value: d.value,
          index: d.index,
          line: d.line,
          column: d.column,
          positionOf: () => undefined,
          ...(d.nullItem === undefined ? {} : { nullItem: d.nullItem }),
        })),
      };
      this.#resources.set(abs, r);
    }
    return r;
  }

  /**
   * The transformer configs of a `configurations:` file, made once per engine: the same objects every time let
   * config merges be cached. Its problems are replayed into every build that reads it.
   */
  transformerConfigs(
    abs: string,
    diags: Diagnostics,
    make: (d: Diagnostics) => TransformerConfig[],
  ): TransformerConfig[] {
    let c = this.#configs.get(abs);
    if (!c) {
      const d = new Diagnostics();
      c = { configs: make(d), diagnostics: d.items };
      this.#configs.set(abs, c);
    }
    diags.addAll(c.diagnostics);
    return c.configs;
  }

  build(dir: string, opts: BuildOptions = {}): BuildResult {
    const run = new BuildRun(this, opts);
    return run.build(dir);
  }
}

/**
 * The parts of a parsed object that builds may share frozen instead of copying (see `share`): the schemas of a
 * CustomResourceDefinition and the data of a ConfigMap, the bulk of a repository's bytes that kustomize's
 * transformers never touch (a patch or a replacement that does makes its build run again with copies).
 */
export function largeParts(v: Value): (ValueMap | Value[])[] {
  if (!isMap(v)) return [];
  const spec = v.spec;
  if (v.kind === "CustomResourceDefinition" && isMap(spec)) {
    const parts: (ValueMap | Value[])[] = [];
    for (const f of ["versions", "validation"]) {
      const part = spec[f];
      if (typeof part === "object" && part !== null) parts.push(part);
    }
    return parts;
  }
  if (v.kind === "ConfigMap" && isMap(v.data)) return [v.data];
  return [];
}

/** State of one build: diagnostics and the files read. */
export class BuildRun {
  readonly diags = new Diagnostics();
  readonly files = new Set<string>();
  readonly engine: KustomizeEngine;
  readonly opts: Required<Omit<BuildOptions, "overrideTop">>;
  readonly overrideTop: BuildOptions["overrideTop"];
  /** Whether objects carry kustomize's `config.kubernetes.io/origin` annotation (buildMetadata: originAnnotations). */
  origins = false;

  constructor(engine: KustomizeEngine, opts: BuildOptions) {
    this.engine = engine;
    this.opts = {
      loadRestrictor: opts.loadRestrictor ?? "rootOnly",
      reorder: opts.reorder ?? "legacy",
      share: opts.share ?? false,
    };
    this.overrideTop = opts.overrideTop;
  }

  get fs(): RepoFs {
    return this.engine.fs;
  }

  build(dirArg: string): BuildResult {
    const at: Position = { file: this.fs.rel(path.resolve(dirArg)), line: 0, column: 0 };
    const target = this.loadTarget(path.resolve(dirArg), undefined, at, this.overrideTop);
    // Only the top kustomization's buildMetadata counts: kustomize hands it down to every base.
    const meta = target?.k.fields.buildMetadata;
    this.origins = Array.isArray(meta) && meta.includes("originAnnotations");
    let resources: Resource[] = [];
    if (target) {
      const ra = this.accumulateTarget(target, newAccumulator());
      if (ra) {
        finishBuild(this, target, ra);
        if (!this.origins) for (const r of ra.resources.list) removeAnnotation(r.obj, ORIGIN_ANNOTATION);
        resources = ra.resources.list;
        const sort = target.k.fields.sortOptions;
        if (isMap(sort)) resources = this.applySortOptions(target, sort, resources);
        else if (this.opts.reorder === "legacy") resources = legacySort(resources);
      }
    }
    return {
      resources: this.diags.hasErrors ? [] : resources,
      diagnostics: this.diags.items,
      files: [...this.files].sort(),
    };
  }

  applySortOptions(target: Target, sort: Record<string, Value>, resources: Resource[]): Resource[] {
    const order = sort.order;
    const legacy = sort.legacySortOptions;
    const at = target.k.at.sortOptions ?? target.k.docAt;
    if (order !== "legacy" && order !== "fifo") {
      this.diags.error("KUS003", "the field 'sortOptions.order' must be one of [fifo, legacy]", at);
      return resources;
    }
    if (order === "fifo") {
      if (legacy !== undefined && legacy !== null) {
        this.diags.error(
          "KUS003",
          "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
          at,
        );
      }
      return resources;
    }
    if (isMap(legacy)) {
      const first = Array.isArray(legacy.orderFirst) ? legacy.orderFirst.map(String) : [];
      const last = Array.isArray(legacy.orderLast) ? legacy.orderLast.map(String) : [];
      return legacySort(resources, first, last);
    }
    return legacySort(resources);
  }

  /** Loads the kustomization of `dir` as a new root below `referrer`. */
  loadTarget(
    dir: string,
    referrer: Root | undefined,
    at: Position,
    override?: BuildOptions["overrideTop"],
  ): Target | undefined {
    let real: string;
    try {
      real = this.fs.realpath(dir);
    } catch (e) {
      reportRealpathError(e, this.fs.rel(dir), at, this.diags, "directory");
      return undefined;
    }
    const cyc = cycleRoot(referrer, real);
    if (cyc) {
      this.diags.error(
        "KUS013",
        `cycle detected: candidate root '${this.fs.rel(real)}' contains visited root '${this.fs.rel(cyc.dir)}'`,
        at,
        "A kustomization may not include itself or one of its parent directories.",
      );
      return undefined;
    }
    const file = findKustomizationFile(this.fs, real, at, override ? undefined : this.diags, this.diags);
    if (!file && !override) return undefined;
    if (
      !file &&
      this.fs.list(real).filter((n) => (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(n)).length > 1
    ) {
      return undefined;
    }
    let doc: LoadedDoc | undefined;
    let relFile = this.fs.rel(path.join(real, "kustomization.yaml"));
    if (file) {
      this.files.add(file);
      relFile = this.fs.rel(file);
      const loaded = this.engine.parse(file);
      this.diags.addAll(loaded.diagnostics);
      if (loaded.diagnostics.some((d) => d.severity === "error")) return undefined;
      if (loaded.docs.length > 1) {
        this.diags.error("KUS003", "a kustomization file must hold a single YAML document", {
          file: relFile,
          line: loaded.docs[1]!.line,
          column: loaded.docs[1]!.column,
        });
        return undefined;
      }
      doc = loaded.docs[0];
    }
    if (override) {
      const existing = doc && isMap(doc.value) ? doc.value : undefined;
      const value = override(existing ? deepClone(existing) : undefined, real);
      if (value === undefined) return undefined;
      const base = doc;
      doc = {
        value,
        index: 0,
        line: base?.line ?? 0,
        column: base?.column ?? 0,
        positionOf: (p) => base?.positionOf(p),
      };
    }
    const k = parseKustomization(
      doc,
      real,
      file ?? path.join(real, "kustomization.yaml"),
      relFile,
      this.diags,
    );
    if (!k) return undefined;
    this.checkUnsupported(k);
    return {
      k,
      root: { dir: real, restrictor: this.opts.loadRestrictor, referrer },
      relFile,
      originPath: "",
      fileName: path.basename(file ?? "kustomization.yaml"),
    };
  }

  /** Fields that need programs or the network: reported, never silently skipped. */
  checkUnsupported(k: Kustomization): void {
    for (const f of ["helmCharts", "helmChartInflationGenerator"] as const) {
      if (Array.isArray(k.fields[f]) && (k.fields[f] as Value[]).length > 0) {
        this.diags.error(
          "KUS030",
          `${f} needs helm, which kustomize only runs with --enable-helm (Flux never does)`,
          k.at[f] ?? k.docAt,
          "Use a Flux HelmRelease for the chart instead of kustomize's helmCharts.",
        );
      }
    }
    // generators/transformers: builtin configs run (plugins.ts reports the others); validators always run programs.
    if (Array.isArray(k.fields.validators) && (k.fields.validators as Value[]).length > 0) {
      this.diags.error(
        "KUS031",
        "validators plugins are not supported: they run external programs or KRM functions",
        k.at.validators ?? k.docAt,
        "Remove the validators or run them outside homeops.",
      );
    }
    if (Array.isArray(k.fields.crds) && (k.fields.crds as Value[]).length > 0) {
      this.diags.error(
        "KUS033",
        "crds (OpenAPI field specs from CRD files) are not supported yet",
        k.at.crds ?? k.docAt,
      );
    }
    if (isMap(k.fields.openapi)) {
      this.diags.error("KUS033", "custom openapi schemas are not supported yet", k.at.openapi ?? k.docAt);
    }
  }

  /** kusttarget.accumulateTarget. */
  accumulateTarget(t: Target, ra: Accumulator): Accumulator | undefined {
    this.accumulateResources(t, ra);
    loadConfigurations(this, t, ra);
    runGenerators(this, t, ra);
    for (const c of stringEntries(t.k, "components")) this.accumulateComponent(t, ra, c.value, c.at);
    runTransformers(this, t, ra);
    mergeVars(
      ra.vars,
      readVars(listEntries(t.k, "vars"), this.diags),
      ra.resources.list,
      ra.refVars,
      this.diags,
    );
    return ra;
  }

  accumulateResources(t: Target, ra: Accumulator): void {
    for (const entry of stringEntries(t.k, "resources")) {
      const p = entry.value;
      const at = entry.at;
      if (isRemoteTarget(p)) {
        this.diags.error(
          "KUS011",
          `remote resource '${p}' cannot be fetched offline`,
          at,
          "Vendor the manifests into the repository, or let Flux fetch them with a GitRepository/OCIRepository source.",
        );
        continue;
      }
      if (path.isAbsolute(p)) {
        this.diags.error("KUS010", `resource '${p}' must be a relative path`, at);
        continue;
      }
      let abs: string;
      try {
        abs = this.fs.resolve(p, t.root.dir);
      } catch (e) {
        if (!(e instanceof EscapeError)) throw e;
        this.diags.error(
          "KUS014",
          `resource '${p}' is outside the repository root`,
          at,
          "Keep every file inside the repository.",
        );
        continue;
      }
      const kind = this.fs.kind(abs);
      if (kind === "broken") this.reportBroken(abs, p, at, "resource");
      else if (kind === "file") this.accumulateFile(t, ra, p, abs, at);
      else if (kind === "dir") {
        const sub = this.loadTarget(abs, t.root, at);
        if (!sub) continue;
        sub.originPath = originJoin(t.originPath, p);
        if (sub.k.kind === "Component") {
          this.diags.error(
            "KUS015",
            `expected kind != 'Component' for path '${this.fs.rel(sub.root.dir)}'`,
            at,
            "List a Component under `components:`, not `resources:`.",
          );
          continue;
        }
        const subRa = this.accumulateTarget(sub, newAccumulator());
        if (subRa) this.mergeAccumulator(ra, subRa, at);
      } else {
        this.diags.error(
          "KUS010",
          `resource '${p}' does not exist`,
          at,
          `Looked for ${this.fs.rel(abs)}; fix the path or remove the entry.`,
        );
      }
    }
  }

  /** An entry that exists but cannot be followed: say why (a loop, a link out of the repository, permissions). */
  reportBroken(abs: string, p: string, at: Position, what: string): void {
    try {
      this.fs.realpath(abs);
      this.diags.error("KUS010", `${what} '${p}' cannot be read`, at);
    } catch (e) {
      reportRealpathError(e, p, at, this.diags, what);
    }
  }

  accumulateFile(t: Target, ra: Accumulator, p: string, abs: string, at: Position): void {
    let real: string;
    try {
      real = this.fs.realpath(abs);
    } catch (e) {
      reportRealpathError(e, p, at, this.diags, "resource");
      return;
    }
    if (t.root.restrictor === "rootOnly" && !realWithin(t.root.dir, path.dirname(real))) {
      this.diags.error(
        "KUS012",
        `security; file '${this.fs.rel(abs)}' is not in or below '${this.fs.rel(t.root.dir)}'`,
        at,
        "kustomize's default load restrictor (rootOnly) forbids it; list the directory as a base, or build with --load-restrictor none as Flux does.",
      );
      return;
    }
    this.files.add(abs);
    const loaded = this.engine.parseResources(abs);
    this.diags.addAll(loaded.diagnostics);
    if (loaded.diagnostics.some((d) => d.severity === "error")) return;
    const resources = resourcesFromDocs(loaded.docs, this.fs.rel(abs), this.diags, this.opts.share);
    if (!resources) return;
    const origin = this.origins ? `path: ${originJoin(t.originPath, p)}\n` : undefined;
    for (const r of resources) {
      r.loadedFrom = t.root.dir;
      if (origin) setAnnotation(r.obj, ORIGIN_ANNOTATION, origin);
      ra.resources.append(r, this.diags);
    }
  }

  accumulateComponent(t: Target, ra: Accumulator, p: string, at: Position): void {
    if (isRemoteTarget(p)) {
      this.diags.error(
        "KUS011",
        `remote component '${p}' cannot be fetched offline`,
        at,
        "Vendor the component.",
      );
      return;
    }
    let abs: string;
    try {
      abs = this.fs.resolve(p, t.root.dir);
    } catch (e) {
      if (!(e instanceof EscapeError)) throw e;
      this.diags.error("KUS014", `component '${p}' is outside the repository root`, at);
      return;
    }
    const kind = this.fs.kind(abs);
    if (kind === "broken") {
      this.reportBroken(abs, p, at, "component");
      return;
    }
    if (kind !== "dir") {
      this.diags.error(
        "KUS010",
        kind === "missing" ? `component '${p}' does not exist` : `component '${p}' must be a directory`,
        at,
        `Looked for ${this.fs.rel(abs)}.`,
      );
      return;
    }
    const sub = this.loadTarget(abs, t.root, at);
    if (!sub) return;
    sub.originPath = originJoin(t.originPath, p);
    if (sub.k.kind !== "Component") {
      this.diags.error(
        "KUS015",
        `expected kind 'Component' for path '${this.fs.rel(sub.root.dir)}' but got 'Kustomization'`,
        at,
        "Set `kind: Component` and `apiVersion: kustomize.config.k8s.io/v1alpha1` in the component, or list it under resources.",
      );
      return;
    }
    // Components work on the parent's accumulator directly.
    this.accumulateTarget(sub, ra);
  }

  mergeAccumulator(into: Accumulator, from: Accumulator, at: Position): void {
    for (const r of from.resources.list) into.resources.append(r, this.diags, at);
    into.config = mergeConfigs(into.config, from.config);
    for (const [r, names] of from.refVars) into.refVars.set(r, [...(into.refVars.get(r) ?? []), ...names]);
    mergeVars(into.vars, from.vars, [], into.refVars, this.diags);
  }
}

function realWithin(root: string, dir: string): boolean {
  return dir === root || dir.startsWith(`${root}/`);
}

export const ORIGIN_ANNOTATION = "config.kubernetes.io/origin";

/** filepath.Join of an origin path and a kustomization entry, as kustomize's Origin.Append does. */
export function originJoin(base: string, entry: string): string {
  const joined = path.posix.normalize(base === "" ? entry : `${base}/${entry}`);
  return joined.replace(/\/+$/, "") || ".";
}

export function setAnnotation(obj: ValueMap, key: string, value: string): void {
  let md = obj.metadata;
  if (!isMap(md)) {
    md = newMap();
    obj.metadata = md;
  }
  let ann = md.annotations;
  if (!isMap(ann)) {
    ann = newMap();
    md.annotations = ann;
  }
  ann[key] = value;
}

function removeAnnotation(obj: ValueMap, key: string): void {
  const md = obj.metadata;
  if (!isMap(md) || !isMap(md.annotations) || !Object.hasOwn(md.annotations, key)) return;
  delete md.annotations[key];
  if (Object.keys(md.annotations).length === 0) delete md.annotations;
}
