import { type Diagnostic, Diagnostics, type Position } from "../core/diagnostics.ts";
import { EscapeError, RepoFs } from "../core/repo-fs.ts";
import { goJsonMarshal } from "../core/yaml/go-json.ts";
import { deepClone, getPath, isFrozenWrite, isMap, newMap, type ValueMap } from "../core/yaml/value.ts";
import { KustomizeEngine } from "../kustomize/build.ts";
import {
  type ArtifactSpec,
  isArtifactGenerator,
  type MaterializedArtifact,
  materializeArtifact,
  readArtifactGenerator,
} from "./artifact.ts";
import {
  cleanPath,
  type EntryPoint,
  entryFromPath,
  findEntryPoints,
  type RepoDoc,
  sameRepoUrl,
  scanRepoDocs,
} from "./entry-points.ts";
import { generatorOverrideTop } from "./generator.ts";
import {
  type FluxKustomization,
  groupOf,
  isFluxKustomization,
  ksKey,
  metaName,
  metaNamespace,
  readFluxKustomization,
  type SourceRef,
  sourceKey,
  str,
} from "./objects.ts";
import { isLiveOnly, ksVariables, postBuild, type VarSource } from "./post-build.ts";
import { type ReadSet, SharingEngine, TrackingEngine, TrackingFs } from "./reads.ts";
import { maskSecret } from "./secrets.ts";
import { makeSourceFilter, type SourceFilter } from "./source-ignore.ts";

export interface RenderOptions {
  /** Render from this repo-relative directory instead of discovering entry points. */
  path?: string;
  /** Print secret values instead of masking them. */
  showSecrets?: boolean;
  /** Strict substitution (an unset variable without default is an error): current Flux's default. */
  strictSubstitute?: boolean;
  /** Keep materialized artifacts on disk until `RepoRender.cleanup()` (for tools that rebuild them). */
  keepArtifacts?: boolean;
  /** Read the repository through this instead of the disk at `repoRoot` (e.g. a Git revision). */
  files?: RepoFs;
  /** Filled with this render's discovery documents and Kustomization builds (with what each read), for `reuse`. */
  record?: RenderRecord;
  /** A render of another revision of the same repository (its `record`), whose builds are taken over when nothing they read changed. */
  reuse?: RenderReuse;
  /** SOPS decryption as kustomize-controller does it (src/sops/flux.ts); without it encrypted values stay as written. */
  decryption?: SecretDecryption;
}

/** Decrypts generator inputs (through the file access it returns) and built objects, before post-build. */
export interface SecretDecryption {
  repoFs(root: string): RepoFs;
  decryptObject(obj: ValueMap, origin: Position, diags: Diagnostics): ValueMap;
}

/** What a render leaves for a render of another revision: see RenderOptions.record. */
export interface RenderRecord {
  /** Discovery documents by repo-relative file (files without any are absent). */
  docs: Map<string, RepoDoc[]>;
  /** Builds of this repository's own paths, keyed on everything but the files they read (spec, variables, …). */
  builds: Map<string, BuiltKustomization>;
  /** The engine, whose parsed files the other render shares where they did not change. */
  engine?: KustomizeEngine;
}

export interface RenderReuse {
  from: RenderRecord;
  /** Whether a repo-relative file differs between the two revisions (added, removed or modified). */
  changed: (file: string) => boolean;
  /** Whether anything a build asked the file system is answered differently in this revision. */
  stale: (reads: ReadSet) => boolean;
  /** Counted by the render: builds taken over, builds made. */
  reused: number;
  built: number;
}

export function newRenderRecord(): RenderRecord {
  return { docs: new Map(), builds: new Map() };
}

export interface RenderedKustomization {
  cluster: string;
  namespace: string;
  name: string;
  path: string;
  sourceRef: SourceRef;
  dependsOn: { namespace: string; name: string }[];
  /** The Kustomization's spec as rendered (after its parent's patches and substitution). */
  spec: ValueMap;
  objects: ValueMap[];
  /** Where each object (same index) came from: its document in a repository file, or the file generating it. */
  objectOrigins: Position[];
  origin: Position;
  /** Files the build read (repo-relative), for change detection. */
  files: string[];
  /** Absolute directory `path` is relative to: the repository, or a materialized artifact. */
  sourceRoot: string;
  /** The post-build variables it was rendered with (never printed: they may hold secrets). */
  variables: Record<string, string> | undefined;
  /** Its build or post-build reported an error: Flux would apply none of it (objects may be missing here). */
  failed: boolean;
}

export interface RenderedHelmRelease {
  cluster: string;
  namespace: string;
  name: string;
  kustomization: string;
  chart: ValueMap;
  source: { kind: string; namespace: string; name: string; url?: string; type?: string; found: boolean };
}

export interface RepoRender {
  clusters: { name: string; via: EntryPoint["via"] }[];
  kustomizations: RenderedKustomization[];
  helmReleases: RenderedHelmRelease[];
  diagnostics: Diagnostic[];
  /** Removes kept artifacts (see RenderOptions.keepArtifacts). */
  cleanup?: () => void;
}

const MAX_ROUNDS = 6;

/**
 * Renders a repository as Flux would apply it: from each entry point, build the root Kustomization's path, find
 * the Flux Kustomizations in its output and build theirs, recursively, with Flux's generator, spec overrides and
 * post-build substitution. `substituteFrom` objects are looked up across the whole cascade (and in bootstrap files
 * nothing builds), repeating the render until the variables stop changing.
 */
export function renderRepository(repoRoot: string, opts: RenderOptions = {}): RepoRender {
  const base = opts.files ?? (opts.decryption ? opts.decryption.repoFs(repoRoot) : new RepoFs(repoRoot));
  const fs = opts.record ? new TrackingFs(base) : base;
  const prior = opts.reuse?.from.engine;
  const engine =
    fs instanceof TrackingFs
      ? new TrackingEngine(fs)
      : prior && opts.reuse
        ? new SharingEngine(fs, prior, opts.reuse.changed)
        : new KustomizeEngine(fs);
  if (opts.record) opts.record.engine = engine;
  const scanDiags = new Diagnostics();
  const reuse = opts.reuse;
  // Discovery parses through the engine's cache: the builds that follow reuse every file it read.
  const docs = scanRepoDocs(
    fs,
    fs.root,
    () => true,
    (abs) => engine.parseResources(abs),
    reuse ? (rel) => (reuse.changed(rel) ? undefined : (reuse.from.docs.get(rel) ?? [])) : undefined,
    scanDiags,
  );
  if (opts.record) {
    for (const d of docs) opts.record.docs.set(d.file, [...(opts.record.docs.get(d.file) ?? []), d]);
  }
  const entries = opts.path ? [entryFromPath(opts.path)] : findEntryPoints(fs, docs, scanDiags);
  const dec = opts.decryption;
  const bootstrapVars = varSourcesFromDocs(
    dec
      ? docs.map((d) => ({
          ...d,
          obj: dec.decryptObject(d.obj, { file: d.file, line: 0, column: 0 }, scanDiags),
        }))
      : docs,
  );
  const out: RepoRender = { clusters: [], kustomizations: [], helmReleases: [], diagnostics: [] };
  const all = new Diagnostics();
  all.addAll(scanDiags.items);
  const store = new ArtifactStore(fs, opts.keepArtifacts === true);
  let rendered: ClusterRender[];
  try {
    rendered = entries.map((e) =>
      renderCluster(
        fs,
        engine,
        e,
        makeSourceFilter(fs, fs.root, e.source.ignore),
        bootstrapVars,
        opts,
        store,
      ),
    );
  } finally {
    if (!opts.keepArtifacts) store.cleanup();
  }
  // A cluster whose root another cluster also reaches is part of that one (e.g. a bootstrap Kustomization that
  // the cascade re-applies); keep the outermost.
  const inner = new Set<number>();
  rendered.forEach((r, i) => {
    const rootKey = ksKey(entries[i]!.root);
    rendered.forEach((o, j) => {
      if (
        i !== j &&
        !inner.has(j) &&
        o.kustomizations.slice(1).some((k) => ksKey(k) === rootKey && k.path === r.kustomizations[0]?.path)
      ) {
        inner.add(i);
      }
    });
  });
  rendered.forEach((r, i) => {
    if (inner.has(i)) return;
    out.clusters.push({ name: entries[i]!.cluster, via: entries[i]!.via });
    out.kustomizations.push(...r.kustomizations);
    out.helmReleases.push(...r.helmReleases);
    all.addAll(r.diagnostics);
  });
  out.diagnostics = all.items;
  if (opts.keepArtifacts) out.cleanup = () => store.cleanup();
  return out;
}

interface ClusterRender {
  kustomizations: RenderedKustomization[];
  helmReleases: RenderedHelmRelease[];
  diagnostics: Diagnostic[];
}

function renderCluster(
  fs: RepoFs,
  engine: KustomizeEngine,
  entry: EntryPoint,
  filter: SourceFilter,
  bootstrapVars: Map<string, VarSource>,
  opts: RenderOptions,
  store: ArtifactStore,
): ClusterRender {
  let vars = new Map<string, VarSource>();
  // Later passes only rebuild Kustomizations whose spec or variables changed.
  const memo = new Map<string, BuiltKustomization>();
  let last: ClusterRender & { vars: Map<string, VarSource> } = {
    kustomizations: [],
    helmReleases: [],
    diagnostics: [],
    vars,
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    last = renderOnce(fs, engine, entry, filter, vars, bootstrapVars, opts, store, memo);
    if (sameVars(last.vars, vars)) break;
    vars = last.vars;
  }
  return last;
}

/** One pass over the cascade with the variable sources found by the previous pass. */
function renderOnce(
  fs: RepoFs,
  engine: KustomizeEngine,
  entry: EntryPoint,
  filter: SourceFilter,
  knownVars: Map<string, VarSource>,
  bootstrapVars: Map<string, VarSource>,
  opts: RenderOptions,
  store: ArtifactStore,
  memo: Map<string, BuiltKustomization>,
): ClusterRender & { vars: Map<string, VarSource> } {
  const diags = new Diagnostics();
  const found = new Map<string, VarSource>();
  const results: RenderedKustomization[] = [];
  const helmReleases: RenderedHelmRelease[] = [];
  const sources = new Map<string, ValueMap>();
  const seen = new Map<string, FluxKustomization>();
  const queue: FluxKustomization[] = [entry.root];
  const thisRepo = sourceKey({
    kind: entry.source.kind,
    namespace: entry.source.namespace,
    name: entry.source.name,
  });
  const pending: { hr: ValueMap; ks: string }[] = [];
  const artifacts = new Map<string, ArtifactSpec>();
  const deferred: FluxKustomization[] = [];
  for (;;) {
    if (queue.length === 0) {
      // Kustomizations reading an artifact no generator has declared yet wait until everything else is rendered.
      const ready = deferred.filter((k) => artifacts.has(sourceKey(k.sourceRef)));
      if (ready.length === 0) break;
      for (const k of ready) deferred.splice(deferred.indexOf(k), 1);
      queue.push(...ready);
    }
    const ks = queue.shift()!;
    if (
      ks.sourceRef.kind === "ExternalArtifact" &&
      !artifacts.has(sourceKey(ks.sourceRef)) &&
      !seen.has(ksKey(ks))
    ) {
      deferred.push(ks);
      continue;
    }
    const key = ksKey(ks);
    const before = seen.get(key);
    if (before) {
      if (cleanPath(before.path) !== cleanPath(ks.path)) {
        diags.error(
          "FLX010",
          `Kustomization ${key} is defined twice with different paths ('${before.path}' and '${ks.path}')`,
          ks.origin,
          `The other definition is at ${before.origin.file}:${before.origin.line}.`,
        );
      }
      continue;
    }
    seen.set(key, ks);
    let target: BuildTarget;
    if (ks.sourceRef.kind === "ExternalArtifact") {
      const spec = artifacts.get(sourceKey(ks.sourceRef))!;
      const art = store.get(
        spec,
        (alias) => aliasRoot(fs, spec, alias, thisRepo, sources, entry),
        filter,
        diags,
      );
      if (!art) continue;
      const dir = sourceDir(art.fs, ks, art.fs.root, diags);
      if (dir === undefined) continue;
      target = {
        fs: art.fs,
        engine: art.engine,
        dir,
        base: art.fs.root,
        toRepo: art.toRepo,
        scope: `artifact ${art.fs.root}`,
      };
    } else {
      const found = resolveSourceDir(fs, ks, thisRepo, sources, entry, diags);
      if (found === undefined) continue;
      target = {
        fs,
        engine,
        dir: found.dir,
        base: found.base,
        excluded: filter.excluded,
        toRepo: (rel) => rel,
        scope: `repo ${entry.source.ignore ?? ""}`,
      };
    }
    const variables = ksVariables(ks, knownVars, bootstrapVars, diags, externalSecretsOf(knownVars));
    const made = buildKustomization({ ks, key, target, variables, repoFs: fs, opts }, memo);
    diags.addAll(made.diagnostics);
    const objects: ValueMap[] = [];
    for (const r of made.objects) {
      const obj = r.obj;
      objects.push(obj);
      const origin = r.origin;
      if (isFluxKustomization(obj)) queue.push(readFluxKustomization(obj, origin, "default"));
      collectVarSource(obj, found);
      collectExternalSecret(obj, found);
      if (isSource(obj))
        sources.set(
          sourceKey({ kind: str(obj.kind), namespace: metaNamespace(obj) || "default", name: metaName(obj) }),
          obj,
        );
      if (isArtifactGenerator(obj)) {
        for (const a of readArtifactGenerator(
          obj,
          origin,
          diags,
          undefined,
          metaNamespace(obj) || "default",
        )) {
          artifacts.set(sourceKey({ kind: "ExternalArtifact", namespace: a.namespace, name: a.name }), a);
        }
      }
      if (obj.kind === "HelmRelease" && groupOf(obj) === "helm.toolkit.fluxcd.io")
        pending.push({ hr: obj, ks: key });
    }
    results.push({
      cluster: entry.cluster,
      namespace: ks.namespace,
      name: ks.name,
      path: ks.path,
      sourceRef: ks.sourceRef,
      dependsOn: ks.dependsOn,
      spec: ks.spec,
      objects,
      objectOrigins: made.objects.map((o) => o.at),
      origin: ks.origin,
      files: made.files,
      sourceRoot: target.base,
      variables,
      failed: made.diagnostics.some((d) => d.severity === "error"),
    });
  }
  for (const k of deferred) {
    diags.warning(
      "FLX022",
      `Kustomization ${ksKey(k)} reads ExternalArtifact ${k.sourceRef.namespace}/${k.sourceRef.name}, which no ArtifactGenerator of this repository produces; it is not rendered`,
      k.origin,
      "Define the ArtifactGenerator in the repository, or fix the sourceRef name.",
    );
  }
  for (const p of pending) helmReleases.push(describeHelmRelease(p.hr, p.ks, entry.cluster, sources));
  if (!opts.showSecrets) for (const r of results) r.objects = r.objects.map((o) => maskSecret(o));
  return { kustomizations: results, helmReleases, diagnostics: diags.items, vars: found };
}

function isSource(obj: ValueMap): boolean {
  const g = groupOf(obj);
  return g === "source.toolkit.fluxcd.io" || g === "source.extensions.fluxcd.io";
}

/** The directory a Kustomization builds, or undefined after reporting why it cannot be read here. */
function resolveSourceDir(
  fs: RepoFs,
  ks: FluxKustomization,
  thisRepo: string,
  sources: Map<string, ValueMap>,
  entry: EntryPoint,
  diags: Diagnostics,
): { dir: string; base: string } | undefined {
  const key = sourceKey(ks.sourceRef);
  let base: string | undefined;
  if (key === thisRepo) base = entry.source.root ?? fs.root;
  else if (ks.sourceRef.kind === "GitRepository") {
    const src = sources.get(key);
    const url = str(getPath(src, ["spec", "url"]));
    if (src && entry.source.url && sameRepoUrl(url, entry.source.url)) base = fs.root;
    else {
      diags.warning(
        "FLX020",
        `Kustomization ${ksKey(ks)} reads GitRepository ${ks.sourceRef.namespace}/${ks.sourceRef.name}${url ? ` (${url})` : ""}, which is not this repository; it is not rendered`,
        ks.origin,
        src
          ? "Render that repository separately."
          : "No GitRepository of that name is defined in the rendered cascade.",
      );
      return undefined;
    }
  } else {
    diags.warning(
      "FLX021",
      `Kustomization ${ksKey(ks)} reads ${ks.sourceRef.kind} ${ks.sourceRef.namespace}/${ks.sourceRef.name}, which lives outside this repository; it is not rendered`,
      ks.origin,
      "Only sources that are this Git repository can be rendered offline.",
    );
    return undefined;
  }
  const dir = sourceDir(fs, ks, base, diags);
  return dir === undefined ? undefined : { dir, base };
}

/** `spec.path` inside a source root (securejoin: `..` cannot leave it), or undefined after reporting it missing. */
function sourceDir(fs: RepoFs, ks: FluxKustomization, base: string, diags: Diagnostics): string | undefined {
  let dir: string;
  try {
    dir = fs.resolve(cleanPath(ks.path), base);
  } catch (e) {
    if (!(e instanceof EscapeError)) throw e;
    dir = base;
  }
  if (fs.kind(dir) !== "dir") {
    diags.error(
      "FLX012",
      `kustomization path not found: '${ks.path}' (Kustomization ${ksKey(ks)})`,
      ks.origin,
      "spec.path is relative to the root of the source; fix the path.",
    );
    return undefined;
  }
  return dir;
}

/**
 * ExternalSecrets (external-secrets.io) create Secrets in the cluster: remembered under `ExternalSecret:Secret/ns/name`
 * so a substituteFrom that names their target can say where its values come from.
 */
function collectExternalSecret(obj: ValueMap, into: Map<string, VarSource>): void {
  if (obj.kind !== "ExternalSecret" || groupOf(obj) !== "external-secrets.io") return;
  const ns = metaNamespace(obj) || "default";
  const target = str(getPath(obj, ["spec", "target", "name"])) || metaName(obj);
  into.set(`ExternalSecret:Secret/${ns}/${target}`, {
    values: {},
    unknown: [],
    encrypted: false,
    file: `ExternalSecret ${ns}/${metaName(obj)}`,
  });
}

function externalSecretsOf(vars: Map<string, VarSource>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of vars)
    if (k.startsWith("ExternalSecret:")) m.set(k.slice("ExternalSecret:".length), v.file ?? "");
  return m;
}

/** ConfigMaps and Secrets of the cascade, by `Kind/namespace/name`. */
function collectVarSource(obj: ValueMap, into: Map<string, VarSource>): void {
  if (obj.apiVersion !== "v1" || (obj.kind !== "ConfigMap" && obj.kind !== "Secret")) return;
  const v = varSourceOf(obj);
  into.set(`${obj.kind}/${metaNamespace(obj) || "default"}/${metaName(obj)}`, v);
}

function varSourcesFromDocs(docs: readonly RepoDoc[]): Map<string, VarSource> {
  const m = new Map<string, VarSource>();
  for (const d of docs) {
    if (d.obj.apiVersion !== "v1" || (d.obj.kind !== "ConfigMap" && d.obj.kind !== "Secret")) continue;
    const v = varSourceOf(d.obj);
    v.file = d.file;
    m.set(`${d.obj.kind}/${metaNamespace(d.obj) || "flux-system"}/${metaName(d.obj)}`, v);
  }
  return m;
}

/** The variables an object offers: ConfigMap data, Secret data (base64) and stringData; SOPS values are unknown. */
export function varSourceOf(obj: ValueMap): VarSource {
  const values: Record<string, string> = {};
  const encrypted = isMap(obj.sops);
  const unknown: string[] = [];
  for (const field of ["data", "stringData"] as const) {
    const m = obj[field];
    if (!isMap(m)) continue;
    for (const [k, v] of Object.entries(m)) {
      if (encrypted && typeof v === "string" && v.startsWith("ENC[")) {
        unknown.push(k);
        continue;
      }
      const text = typeof v === "string" ? v : v === null ? "" : String(v);
      values[k] =
        obj.kind === "Secret" && field === "data" ? Buffer.from(text, "base64").toString("utf8") : text;
    }
  }
  return { values, unknown, encrypted };
}

function sameVars(a: Map<string, VarSource>, b: Map<string, VarSource>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || v.unknown.join() !== w.unknown.join() || !sameValues(v.values, w.values)) return false;
  }
  return true;
}

/** Key by key: the objects can be large (dashboards in ConfigMaps), and are compared on every pass. */
function sameValues(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

function describeHelmRelease(
  hr: ValueMap,
  ks: string,
  cluster: string,
  sources: Map<string, ValueMap>,
): RenderedHelmRelease {
  const ns = metaNamespace(hr) || "default";
  const chartRef = getPath(hr, ["spec", "chartRef"]);
  const chartSpec = getPath(hr, ["spec", "chart", "spec"]);
  let chart: ValueMap = newMap();
  let ref: ValueMap | undefined;
  if (isMap(chartRef)) {
    chart = deepClone(chartRef);
    ref = chartRef;
  } else if (isMap(chartSpec)) {
    chart = deepClone(chartSpec);
    ref = isMap(chartSpec.sourceRef) ? chartSpec.sourceRef : undefined;
  }
  const kind = str(ref?.kind);
  const name = str(ref?.name);
  const namespace = str(ref?.namespace) || ns;
  const src = sources.get(sourceKey({ kind, namespace, name }));
  const source: RenderedHelmRelease["source"] = { kind, namespace, name, found: src !== undefined };
  const url = str(getPath(src, ["spec", "url"]));
  if (url) source.url = url;
  const type = str(getPath(src, ["spec", "type"]));
  if (type) source.type = type;
  return { cluster, namespace: ns, name: metaName(hr), kustomization: ks, chart, source };
}

/** Where one Kustomization is built: this repository, or an artifact materialized from it. */
interface BuildTarget {
  fs: RepoFs;
  engine: KustomizeEngine;
  dir: string;
  /** The source's root: `spec.path` is relative to it. */
  base: string;
  excluded?: (abs: string) => boolean;
  /** Maps a path relative to `fs` back to the repository. */
  toRepo: (rel: string) => string;
  /** What besides the directory decides what a build sees (the source's ignore rules, an artifact's copy). */
  scope: string;
}

/** The root of an ArtifactGenerator source alias when that source is this repository. */
function aliasRoot(
  fs: RepoFs,
  spec: ArtifactSpec,
  alias: string,
  thisRepo: string,
  sources: Map<string, ValueMap>,
  entry: EntryPoint,
): string | undefined {
  const src = spec.sources[alias];
  if (!src) return undefined;
  const key = sourceKey({ kind: src.kind, namespace: src.namespace, name: src.name });
  if (key === thisRepo) return entry.source.root ?? fs.root;
  if (src.kind !== "GitRepository") return undefined;
  const url = str(getPath(sources.get(key), ["spec", "url"]));
  return url && entry.source.url && sameRepoUrl(url, entry.source.url) ? fs.root : undefined;
}

/** A diagnostic from inside an artifact, pointed back at the repository file it was copied from. */
function relocate(d: Diagnostic, toRepo: (rel: string) => string): Diagnostic {
  return d.file === undefined ? d : { ...d, file: toRepo(d.file) };
}

interface BuiltArtifact {
  fs: RepoFs;
  engine: KustomizeEngine;
  toRepo: (rel: string) => string;
}

/** Artifacts materialized once per render, in memory or in temporary directories removed at the end. */
class ArtifactStore {
  readonly #made = new Map<string, { built: BuiltArtifact | undefined; diagnostics: Diagnostic[] }>();
  readonly #cleanups: MaterializedArtifact[] = [];

  /** `onDisk`: write artifacts to temporary directories (for tools that run other programs on them). */
  constructor(
    readonly fs: RepoFs,
    readonly onDisk: boolean,
  ) {}

  get(
    spec: ArtifactSpec,
    sourceRoot: (alias: string) => string | undefined,
    filter: SourceFilter,
    diags: Diagnostics,
  ): BuiltArtifact | undefined {
    // Clusters may declare artifacts of the same name with different copies: the content is the key.
    const key = JSON.stringify([spec.namespace, spec.name, spec.copy, spec.sources]);
    let made = this.#made.get(key);
    if (!made) {
      const m = materializeArtifact(this.fs, spec, sourceRoot, {
        excluded: filter.excluded,
        inMemory: !this.onDisk,
      });
      let built: BuiltArtifact | undefined;
      if (m.dir !== undefined) {
        this.#cleanups.push(m);
        const afs = m.fs ?? new RepoFs(m.dir);
        built = { fs: afs, engine: new KustomizeEngine(afs), toRepo: (rel) => m.toRepoPath(rel) ?? rel };
      }
      made = { built, diagnostics: m.diagnostics };
      this.#made.set(key, made);
    }
    // Every render pass reports what building the artifact found.
    diags.addAll(made.diagnostics);
    return made.built;
  }

  cleanup(): void {
    for (const m of this.#cleanups) m.cleanup();
  }
}

/** One Kustomization built and post-processed, with everything it reported (and, when recorded, what it read). */
export interface BuiltKustomization {
  /** `origin` as the build saw it, `at` the same place in the repository (objects of artifacts are copies). */
  objects: { obj: ValueMap; origin: Position; at: Position }[];
  diagnostics: Diagnostic[];
  files: string[];
  reads?: ReadSet;
}

/** What the build of one Flux Kustomization needs. */
interface BuildJob {
  ks: FluxKustomization;
  key: string;
  target: BuildTarget;
  variables: Record<string, string> | undefined;
  repoFs: RepoFs;
  opts: RenderOptions;
}

/** kustomize build with Flux's generator, then post-build on every object; memoized on spec and variables. */
function buildKustomization(job: BuildJob, memo: Map<string, BuiltKustomization>): BuiltKustomization {
  const { ks, key, target, variables, repoFs, opts } = job;
  // Repository paths are keyed relative to the root, so a render of another revision can look its builds up.
  const where =
    target.fs === repoFs
      ? `${target.scope}\0${repoFs.rel(target.dir)}`
      : `${target.scope}\0${target.fs.root}\0${target.dir}`;
  const defined = `${ks.origin.file}:${ks.origin.line}:${ks.origin.column}`;
  const memoKey = `${key}\0${where}\0${defined}\0${goJsonMarshal(ks.spec)}\0${variables ? `${isLiveOnly(variables)}\0${goJsonMarshal(variables as ValueMap)}` : "-"}`;
  let hit = memo.get(memoKey);
  const reuse = opts.reuse;
  if (!hit && reuse && target.fs === repoFs) {
    const prior = reuse.from.builds.get(memoKey);
    if (prior?.reads && !reuse.stale(prior.reads)) {
      hit = prior;
      memo.set(memoKey, prior);
      reuse.reused++;
    }
  }
  if (hit) return hit;
  if (reuse) reuse.built++;
  const once = (share: boolean): BuiltKustomization => {
    const built = buildKustomizationOnce(job, share);
    if (built.reads) opts.record?.builds.set(memoKey, built);
    memo.set(memoKey, built);
    return built;
  };
  try {
    return once(true);
  } catch (e) {
    // Something changed a frozen part of a parsed file (a patch on a CRD's schema): build again with copies.
    if (!isFrozenWrite(e)) throw e;
    return once(false);
  }
}

/** One build of buildKustomization; `share`: resources share the frozen parts of parsed files. */
function buildKustomizationOnce(job: BuildJob, share: boolean): BuiltKustomization {
  const { ks, key, target, variables, repoFs, opts } = job;
  const diags = new Diagnostics();
  const run = () =>
    target.engine.build(target.dir, {
      loadRestrictor: "none",
      reorder: "none",
      share,
      overrideTop: generatorOverrideTop(target.fs, ks.spec, diags, {
        at: ks.origin,
        parse: (abs) => target.engine.parseResources(abs),
        ...(target.excluded ? { excluded: target.excluded } : {}),
      }),
    });
  let reads: ReadSet | undefined;
  let built: ReturnType<typeof run>;
  if (opts.record && target.fs === repoFs && repoFs instanceof TrackingFs) {
    const t = repoFs.track(run);
    built = t.value;
    reads = t.reads;
  } else {
    built = run();
  }
  diags.addAll(
    target.fs === repoFs ? built.diagnostics : built.diagnostics.map((d) => relocate(d, target.toRepo)),
  );
  // The generator's errors (Flux stops there) and kustomize's.
  const buildErrors = diags.items.filter((d) => d.severity === "error");
  if (buildErrors.length > 0) {
    diags.error(
      "FLX011",
      `Kustomization ${key} cannot be built (${buildErrors.length} error${buildErrors.length === 1 ? "" : "s"} above)`,
      ks.origin,
    );
  }
  const objects: BuiltKustomization["objects"] = [];
  for (const r of built.resources) {
    const input = opts.decryption ? opts.decryption.decryptObject(r.obj, r.origin, diags) : r.obj;
    const obj = postBuild(input, ks, variables, opts, diags, r.origin);
    if (obj) {
      const at = target.fs === repoFs ? r.origin : { ...r.origin, file: target.toRepo(r.origin.file) };
      objects.push({ obj, origin: r.origin, at });
    }
  }
  const result: BuiltKustomization = {
    objects,
    diagnostics: diags.items,
    files: built.files.map((f) => target.toRepo(target.fs.rel(f))),
  };
  if (reads) result.reads = reads;
  return result;
}
