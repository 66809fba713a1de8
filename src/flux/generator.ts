import * as path from "node:path";
import type { Diagnostic, Diagnostics, Position } from "../core/diagnostics.ts";
import { diagnostic } from "../core/diagnostics.ts";
import { EscapeError, type RepoFs } from "../core/repo-fs.ts";
import { type LoadResult, loadYaml } from "../core/yaml/load.ts";
import { deepClone, isMap, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import type { BuildOptions } from "../kustomize/build.ts";

/**
 * kustomize-controller's generator (fluxcd/pkg `kustomize/kustomize_generator.go`, pkg/kustomize v1.39.0 as pinned
 * by kustomize-controller v1.9.x), in memory: finds or synthesizes the kustomization of `spec.path` and merges the
 * Flux spec fields into it. The result is what Flux writes back to disk before running kustomize.
 */

export const KUSTOMIZATION_FILE_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;
const KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1";

/** kustypes.Kustomization's JSON fields (kustomize api v0.21.1); Flux's round trip drops everything else. */
const KUSTOMIZATION_FIELDS = [
  "apiVersion",
  "kind",
  "metadata",
  "openapi",
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "labels",
  "commonAnnotations",
  "patchesStrategicMerge",
  "patchesJson6902",
  "patches",
  "images",
  "imageTags",
  "replacements",
  "replicas",
  "vars",
  "sortOptions",
  "resources",
  "components",
  "crds",
  "bases",
  "configMapGenerator",
  "secretGenerator",
  "helmGlobals",
  "helmCharts",
  "helmChartInflationGenerator",
  "generatorOptions",
  "configurations",
  "generators",
  "transformers",
  "validators",
  "inventory",
  "buildMetadata",
] as const;
const FIELD_BY_LOWER = new Map<string, string>(KUSTOMIZATION_FIELDS.map((f) => [f.toLowerCase(), f]));

/** kustomize.Selector's fields, in kustypes.Selector's order. */
const SELECTOR_FIELDS = [
  "group",
  "version",
  "kind",
  "name",
  "namespace",
  "labelSelector",
  "annotationSelector",
] as const;

export interface GenerateInput {
  fs: RepoFs;
  /** Absolute directory of `spec.path`. */
  dir: string;
  /** The Flux Kustomization's `spec`. */
  spec: Value | undefined;
  /** The directory's parsed kustomization file, or undefined when it has none. */
  existing: ValueMap | undefined;
  /** Where the Flux Kustomization is written, for problems in its spec. */
  at?: Partial<Position>;
  /** Position of a path inside the spec (e.g. from LoadedDoc.positionOf with a `spec` prefix). */
  specPositionOf?: (p: readonly (string | number)[]) => { line: number; column: number } | undefined;
  /**
   * Entries the source artifact does not contain (source-ignore's `excluded`). The controller's generator uses no
   * ignore filter of its own: it walks the artifact, which source-controller has already filtered. Without this
   * the scan sees the working tree as is.
   */
  excluded?: (abs: string) => boolean;
  /**
   * How the scan's check parses a manifest: the build's cache (KustomizeEngine.parseResources), so each file is
   * parsed once. Default: loadYaml of its text.
   */
  parse?: (abs: string) => LoadResult;
  /**
   * Also merge `spec.patchesStrategicMerge`/`spec.patchesJson6902`. The generator honours them, but they are not
   * fields of kustomize.toolkit.fluxcd.io/v1 (the only version the v1.9 CRD serves), so the API server prunes them
   * and the controller never sees them; off by default, and then reported.
   */
  legacyPatchFields?: boolean;
}

export interface GenerateResult {
  /** The effective kustomization (what Flux writes), for `overrideTop`. */
  kustomization: ValueMap;
  /** Flux's CreatedAction: the directory had no kustomization file. */
  created: boolean;
  /** The resources found by the scan (root-relative), when created. */
  scanned: string[];
  diagnostics: Diagnostic[];
  /** False when Flux would fail the reconciliation at this step. */
  ok: boolean;
}

export function generateKustomization(input: GenerateInput): GenerateResult {
  const g = new Generation(input);
  return g.run();
}

/**
 * The generator as an engine hook. Problems go to `diags`; when the generator fails, Flux stops before kustomize,
 * and so does the build (the hook returns undefined).
 */
export function generatorOverrideTop(
  fs: RepoFs,
  spec: Value | undefined,
  diags: Diagnostics,
  opts: Omit<GenerateInput, "fs" | "dir" | "spec" | "existing"> = {},
): NonNullable<BuildOptions["overrideTop"]> {
  return (existing, dir) => {
    const r = generateKustomization({ ...opts, fs, dir, spec, existing });
    diags.addAll(r.diagnostics);
    return r.ok ? r.kustomization : undefined;
  };
}

class Generation {
  readonly diags: Diagnostic[] = [];
  readonly fs: RepoFs;
  readonly dir: string;
  readonly spec: ValueMap;

  constructor(readonly input: GenerateInput) {
    this.fs = input.fs;
    this.dir = path.resolve(input.dir);
    this.spec = isMap(input.spec) ? input.spec : newMap();
  }

  get failed(): boolean {
    return this.diags.some((d) => d.severity === "error");
  }

  specAt(p: readonly (string | number)[]): Partial<Position> {
    const pos = this.input.specPositionOf?.(p);
    const at: Partial<Position> = { ...this.input.at };
    if (pos) {
      at.line = pos.line;
      at.column = pos.column;
    }
    return at;
  }

  error(code: string, message: string, at: Partial<Position> | undefined, hint?: string): void {
    this.diags.push(diagnostic(code, "error", message, at, hint));
  }

  warning(code: string, message: string, at: Partial<Position> | undefined, hint?: string): void {
    this.diags.push(diagnostic(code, "warning", message, at, hint));
  }

  run(): GenerateResult {
    const created = this.input.existing === undefined;
    const scanned: string[] = [];
    const kus = created ? this.generate(scanned) : this.roundTrip(this.input.existing!);
    // An existing file without resources (only generators or components, say) gets originAnnotations so that
    // kustomize does not call it empty (fluxcd/pkg 7a73f41); it overrides the file's own buildMetadata.
    if (!created && !(Array.isArray(kus.resources) && kus.resources.length > 0)) {
      kus.buildMetadata = ["originAnnotations"];
    }
    this.mergeSpec(kus);
    return {
      kustomization: sortKeysDeep(kus) as ValueMap,
      created,
      scanned,
      diagnostics: this.diags,
      ok: !this.failed,
    };
  }

  /**
   * yaml.Unmarshal into kustypes.Kustomization and back: apiVersion/kind default to a v1beta1 Kustomization, unknown
   * fields vanish (Go's decoder matches names case-insensitively and is not strict here, unlike kustomize's), nulls
   * and empty values are dropped by omitempty.
   */
  roundTrip(existing: ValueMap): ValueMap {
    const kus = newMap();
    kus.apiVersion = KUSTOMIZATION_VERSION;
    kus.kind = "Kustomization";
    for (const key of Object.keys(existing)) {
      const field = KUSTOMIZATION_FIELDS.includes(key as never) ? key : FIELD_BY_LOWER.get(key.toLowerCase());
      if (!field) {
        this.warning(
          "FLX205",
          `field "${key}" of the kustomization is not a kustomize field; Flux silently drops it`,
          this.kustomizationAt(),
          "kustomize itself would reject the file; remove or fix the field.",
        );
        continue;
      }
      const v = existing[key] as Value;
      // Go leaves a field untouched for null; later duplicates (case variants) overwrite earlier ones.
      if (v === null) continue;
      kus[field] = deepClone(v);
    }
    for (const k of Object.keys(kus)) if (isEmpty(kus[k] as Value)) delete kus[k];
    return kus;
  }

  kustomizationAt(): Partial<Position> {
    for (const n of KUSTOMIZATION_FILE_NAMES) {
      const abs = path.join(this.dir, n);
      try {
        if (this.fs.kind(abs) === "file") return { file: this.fs.rel(abs) };
      } catch {
        // Outside the root: no position.
      }
    }
    return { file: this.fs.rel(this.dir) };
  }

  /** findOrGenerateKustomization without a file: every usable manifest below the directory, as `./rel` paths. */
  generate(scanned: string[]): ValueMap {
    const kus = newMap();
    kus.apiVersion = KUSTOMIZATION_VERSION;
    kus.kind = "Kustomization";
    const files: string[] = [];
    this.scan(this.dir, files);
    if (this.failed) return kus;
    // strings.Replace(file, abs, ".", 1).
    const resources = files.map((f) => `.${f.slice(this.dir.length)}`);
    for (const f of files) scanned.push(this.fs.rel(f));
    // Without resources kustomize would report an empty kustomization; a namespace keeps it quiet.
    if (resources.length === 0) kus.namespace = "_placeholder";
    else kus.resources = resources;
    return kus;
  }

  exists(abs: string): boolean {
    return !this.input.excluded?.(abs);
  }

  /** scanManifests: filepath.Walk in lexical order; stops at the first problem, like the walk's error return. */
  scan(dir: string, out: string[]): void {
    let names: string[];
    try {
      names = this.fs.list(dir);
    } catch (e) {
      this.error("FLX202", `failed to walk ${this.fs.rel(dir)}: ${errText(e)}`, { file: this.fs.rel(dir) });
      return;
    }
    for (const name of names) {
      if (this.failed) return;
      const abs = path.join(dir, name);
      if (!this.exists(abs)) continue;
      const link = isLink(this.fs, dir, abs);
      if (link === "escapes") {
        // The secure filesystem checks every walked path, whatever its name.
        this.error(
          "FLX202",
          `walk: path '${this.fs.rel(abs)}' is a symlink that leads outside the source root`,
          { file: this.fs.rel(abs) },
          "Flux refuses to generate a kustomization from a tree with such a link.",
        );
        return;
      }
      const kind = this.fs.kind(abs);
      // Walk uses Lstat: a symlinked directory is a file to it and is neither descended nor listed.
      if (kind === "dir" && !link) {
        if (this.hasKustomization(abs)) {
          out.push(abs);
          continue;
        }
        this.scan(abs, out);
        continue;
      }
      // filepath.Ext: from the last dot, so ".yaml" and ".sops.yaml" count; case-sensitive.
      const dot = name.lastIndexOf(".");
      const ext = dot >= 0 ? name.slice(dot) : "";
      if (ext !== ".yaml" && ext !== ".yml") continue;
      this.checkManifest(abs);
      if (this.failed) return;
      out.push(abs);
    }
  }

  /** `fs.Exists(kpath) && !fs.IsDir(kpath)` for each recognised name (os.Stat: links are followed). */
  hasKustomization(dir: string): boolean {
    return KUSTOMIZATION_FILE_NAMES.some((n) => {
      const abs = path.join(dir, n);
      if (!this.exists(abs)) return false;
      const k = this.fs.kind(abs);
      return k === "file" || k === "other";
    });
  }

  /** rf.SliceFromBytes must accept the file; a Helm values.yaml fails with "missing Resource metadata". */
  checkManifest(abs: string): void {
    const rel = this.fs.rel(abs);
    const fail = (why: string, line?: number, column?: number) => {
      const at: Partial<Position> = { file: rel };
      if (line !== undefined) at.line = line;
      if (column !== undefined) at.column = column;
      this.error(
        "FLX201",
        `failed to decode Kubernetes YAML from ${rel}: ${why}`,
        at,
        "Flux includes every .yaml/.yml file of a directory without kustomization.yaml. Add a kustomization.yaml listing the manifests, or exclude the file with a .sourceignore.",
      );
    };
    let text: string;
    try {
      text = this.fs.readText(abs);
    } catch (e) {
      fail(errText(e));
      return;
    }
    const loaded = this.input.parse ? this.input.parse(abs) : loadYaml(text, rel);
    const yamlError = loaded.diagnostics.find((d) => d.severity === "error");
    if (yamlError) {
      fail(yamlError.message, yamlError.line, yamlError.column);
      return;
    }
    for (const doc of loaded.docs) {
      const why = manifestProblem(doc.value);
      if (why) {
        fail(why, doc.line, doc.column);
        return;
      }
    }
  }

  mergeSpec(kus: ValueMap): void {
    for (const [field, target] of [
      ["targetNamespace", "namespace"],
      ["namePrefix", "namePrefix"],
      ["nameSuffix", "nameSuffix"],
    ] as const) {
      const v = this.specString(field);
      if (v !== undefined && v !== "") kus[target] = v;
    }
    this.mergePatches(kus);
    this.mergeComponents(kus);
    this.mergeLegacyPatches(kus);
    this.mergeImages(kus);
    const bm = this.specStringList("buildMetadata");
    if (bm && bm.length > 0) kus.buildMetadata = bm;
  }

  specString(field: string): string | undefined {
    const v = this.spec[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") {
      this.error("FLX200", `spec.${field} must be a string`, this.specAt([field]));
      return undefined;
    }
    return v;
  }

  specStringList(field: string): string[] | undefined {
    const v = this.spec[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.error("FLX200", `spec.${field} must be a list of strings`, this.specAt([field]));
      return undefined;
    }
    return v as string[];
  }

  specMapList(field: string): { value: ValueMap; index: number }[] {
    const v = this.spec[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.error("FLX200", `spec.${field} must be a list`, this.specAt([field]));
      return [];
    }
    const out: { value: ValueMap; index: number }[] = [];
    v.forEach((item, index) => {
      if (!isMap(item)) {
        this.error("FLX200", `spec.${field}[${index}] must be a mapping`, this.specAt([field, index]));
        return;
      }
      out.push({ value: item, index });
    });
    return out;
  }

  /** A kustomize.Selector → kustypes.Selector, empty fields dropped (an empty `target: {}` stays and selects all). */
  selector(v: Value | undefined, where: (string | number)[]): ValueMap | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isMap(v)) {
      this.error("FLX200", `spec.${where.join(".")} must be a mapping`, this.specAt(where));
      return undefined;
    }
    const out = newMap();
    for (const f of SELECTOR_FIELDS) {
      const x = v[f];
      if (x === undefined || x === null || x === "") continue;
      if (typeof x !== "string") {
        this.error("FLX200", `spec.${where.join(".")}.${f} must be a string`, this.specAt([...where, f]));
        continue;
      }
      out[f] = x;
    }
    return out;
  }

  /** spec.patches are appended after the file's own, so they run after them in the same PatchTransformer stage. */
  mergePatches(kus: ValueMap): void {
    const list = this.specMapList("patches");
    if (list.length === 0) return;
    const patches = Array.isArray(kus.patches) ? kus.patches : [];
    for (const { value, index } of list) {
      const entry = newMap();
      const p = value.patch;
      if (p !== undefined && p !== null && typeof p !== "string") {
        this.error(
          "FLX200",
          `spec.patches[${index}].patch must be a string`,
          this.specAt(["patches", index]),
        );
      } else if (typeof p === "string" && p !== "") {
        entry.patch = p;
      }
      const target = this.selector(value.target, ["patches", index, "target"]);
      if (target) entry.target = target;
      patches.push(entry);
    }
    kus.patches = patches;
  }

  /** Local relative paths only; a missing one is dropped only with ignoreMissingComponents (else kustomize fails). */
  mergeComponents(kus: ValueMap): void {
    const comps = this.specStringList("components");
    if (!comps || comps.length === 0) return;
    const ignoreMissing = this.spec.ignoreMissingComponents === true;
    const out = Array.isArray(kus.components) ? kus.components : [];
    comps.forEach((c, i) => {
      if (this.failed) return;
      if (!isLocalRelativePath(c)) {
        this.error(
          "FLX203",
          `component path '${c}' must be local and relative`,
          this.specAt(["components", i]),
          "spec.components are resolved against spec.path inside the source; remote or absolute ones are refused.",
        );
        return;
      }
      if (ignoreMissing && !this.componentExists(c)) return;
      out.push(c);
    });
    if (out.length > 0) kus.components = out;
  }

  componentExists(c: string): boolean {
    try {
      const abs = this.fs.resolve(path.join(this.dir, c));
      return this.exists(abs) && this.fs.kind(abs) !== "missing" && this.fs.kind(abs) !== "broken";
    } catch (e) {
      // The secure filesystem answers "does not exist" outside the root.
      if (e instanceof EscapeError) return false;
      return false;
    }
  }

  mergeLegacyPatches(kus: ValueMap): void {
    for (const field of ["patchesStrategicMerge", "patchesJson6902"] as const) {
      if (this.spec[field] === undefined) continue;
      if (!this.input.legacyPatchFields) {
        this.warning(
          "FLX204",
          `spec.${field} is not a field of kustomize.toolkit.fluxcd.io/v1 and is ignored`,
          this.specAt([field]),
          "Move the patch to spec.patches.",
        );
        continue;
      }
      const list = this.specMapList(field);
      const out = Array.isArray(kus[field]) ? (kus[field] as Value[]) : [];
      for (const { value, index } of list) {
        if (field === "patchesStrategicMerge") {
          // apiextensionsv1.JSON: the object as JSON text, which kustomize then reads as an inline patch.
          out.push(JSON.stringify(sortKeysDeep(value)));
          continue;
        }
        const ops = value.patch;
        const opsOut: Value[] = [];
        if (Array.isArray(ops)) {
          for (const op of ops) {
            if (!isMap(op)) continue;
            const o = newMap();
            o.op = typeof op.op === "string" ? op.op : "";
            o.path = typeof op.path === "string" ? op.path : "";
            if (typeof op.from === "string" && op.from !== "") o.from = op.from;
            if (op.value !== undefined && op.value !== null) o.value = sortKeysDeep(op.value);
            opsOut.push(o);
          }
        }
        const entry = newMap();
        entry.patch = JSON.stringify(opsOut, jsonReplacer);
        entry.target = this.selector(value.target ?? newMap(), [field, index, "target"]) ?? newMap();
        out.push(entry);
      }
      if (out.length > 0) kus[field] = out;
    }
  }

  /**
   * Merged by name into the file's `images` (first entry with that name): newName only when set, newTag and digest
   * as one unit (setting either replaces both). Unknown names are appended.
   */
  mergeImages(kus: ValueMap): void {
    const list = this.specMapList("images");
    if (list.length === 0) return;
    const images = Array.isArray(kus.images) ? kus.images : [];
    for (const { value, index } of list) {
      const img: Record<"name" | "newName" | "newTag" | "digest", string> = {
        name: "",
        newName: "",
        newTag: "",
        digest: "",
      };
      for (const f of ["name", "newName", "newTag", "digest"] as const) {
        const x = value[f];
        if (x === undefined || x === null) continue;
        if (typeof x !== "string") {
          this.error(
            "FLX200",
            `spec.images[${index}].${f} must be a string`,
            this.specAt(["images", index, f]),
          );
          continue;
        }
        img[f] = x;
      }
      const existing = images.find(
        (e) => isMap(e) && (typeof e.name === "string" ? e.name : "") === img.name,
      );
      if (isMap(existing)) {
        if (img.newName !== "") existing.newName = img.newName;
        if (img.newTag !== "" || img.digest !== "") {
          setOrDelete(existing, "newTag", img.newTag);
          setOrDelete(existing, "digest", img.digest);
        }
      } else {
        const e = newMap();
        for (const f of ["name", "newName", "newTag", "digest"] as const) if (img[f] !== "") e[f] = img[f];
        images.push(e);
      }
    }
    kus.images = images;
  }
}

function setOrDelete(m: ValueMap, k: string, v: string): void {
  if (v === "") delete m[k];
  else m[k] = v;
}

function isEmpty(v: Value): boolean {
  if (v === null || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

function jsonReplacer(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? Number(v) : v;
}

/** sigs.k8s.io/yaml marshals through JSON and yaml.v2: every mapping comes out with sorted keys. */
export function sortKeysDeep(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (isMap(v)) {
    const out = newMap();
    for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep(v[k] as Value);
    return out;
  }
  return v;
}

/** kustomize.IsLocalRelativePath (Flux's copy of kustomize's repospec check, with file:// treated as a path). */
export function isLocalRelativePath(p: string): boolean {
  for (const prefix of [
    "git::",
    "gh:",
    "ssh://",
    "https://",
    "http://",
    "git@",
    "github.com:",
    "github.com/",
  ]) {
    if (prefix.length < p.length && p.slice(0, prefix.length).toLowerCase() === prefix) return false;
  }
  const lower = p.toLowerCase();
  const trimmed = lower.startsWith("file://") ? lower.slice("file://".length) : lower;
  return !(p.startsWith("/") || trimmed.startsWith("/"));
}

/**
 * Why kustomize's resource factory rejects a document (kyaml GetMeta/GetValidatedMetadata, dropBadNodes), in its
 * words; undefined when the document is fine or empty.
 */
export function manifestProblem(v: Value): string | undefined {
  if (v === null || (isMap(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0)) {
    return undefined;
  }
  if (!isMap(v)) return "missing Resource metadata";
  const present = (x: Value | undefined) =>
    x !== undefined &&
    x !== null &&
    !(Array.isArray(x) && x.length === 0) &&
    !(isMap(x) && Object.keys(x).length === 0);
  const md = isMap(v.metadata) ? v.metadata : undefined;
  const scalar = (x: Value | undefined) => (present(x) && !isMap(x) && !Array.isArray(x) ? String(x) : "");
  const apiVersion = scalar(v.apiVersion);
  const kind = scalar(v.kind);
  const name = scalar(md?.name);
  const namespace = scalar(md?.namespace);
  const labels = md && isMap(md.labels) ? md.labels : undefined;
  const annotations = md && isMap(md.annotations) ? md.annotations : undefined;
  const hasMeta =
    present(v.apiVersion) ||
    present(v.kind) ||
    (md !== undefined &&
      (present(md.name) || present(md.namespace) || present(md.labels) || present(md.annotations)));
  if (!hasMeta) return "missing Resource metadata";
  const goMap = (m: ValueMap | undefined) =>
    `map[${Object.keys(m ?? {})
      .sort()
      .map((k) => `${k}:${scalar(m?.[k])}`)
      .join(" ")}]`;
  const shown = `{{${apiVersion} ${kind}} {{${name} ${namespace}} ${goMap(labels)} ${goMap(annotations)}}}`;
  if (kind === "") return `missing kind in object ${shown}`;
  if (kind.endsWith("List")) {
    const items = v.items;
    if (items !== undefined && items !== null && !Array.isArray(items)) {
      return `expected array in ${kind}/items`;
    }
    if (Array.isArray(items)) {
      for (const item of items) {
        const p = manifestProblem(item);
        if (p) return p;
      }
    }
    return undefined;
  }
  if (name === "") return `missing metadata.name in object ${shown}`;
  const nil = nilEntry(v, []);
  if (nil) return `empty item at ${nil} in object ${kind}/${name}`;
  return undefined;
}

function nilEntry(v: Value, trail: string[]): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as Value;
      if (x === null) return [...trail, String(i)].join(".");
      const r = typeof x === "object" ? nilEntry(x, [...trail, String(i)]) : undefined;
      if (r) return r;
    }
  } else if (isMap(v)) {
    for (const k of Object.keys(v)) {
      const x = v[k] as Value;
      const r = x !== null && typeof x === "object" ? nilEntry(x, [...trail, k]) : undefined;
      if (r) return r;
    }
  }
  return undefined;
}

/** false: a plain entry; true: a symlink inside the root; "escapes": a symlink leading outside (or dangling). */
function isLink(fs: RepoFs, dir: string, abs: string): boolean | "escapes" {
  let real: string;
  try {
    real = fs.realpath(abs);
  } catch (e) {
    if (e instanceof EscapeError) return "escapes";
    // Dangling: Lstat sees a link, ReadFile will fail later if its name looks like YAML.
    return true;
  }
  try {
    return real !== path.join(fs.realpath(dir), path.basename(abs));
  } catch {
    return true;
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
