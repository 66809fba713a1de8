import * as nodeFs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Diagnostic, type Diagnostics, diagnostic, type Position } from "../core/diagnostics.ts";
import { type EntryKind, EscapeError, RepoFs } from "../core/repo-fs.ts";
import { emitYaml } from "../core/yaml/emit.ts";
import { isMap, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import {
  BadPatternError,
  doublestarMatch,
  doublestarMatchUnvalidated,
  doublestarValidate,
  type GlobFs,
  goFsGlob,
  validFsPath,
} from "./artifact-glob.ts";
import { UntarError, untarGz } from "./artifact-tar.ts";
import { groupOf, metaName, metaNamespace } from "./objects.ts";
import {
  defaultPatterns,
  type IgnorePattern,
  isSymlink,
  MatchResult,
  makeSourceFilter,
  matchPattern,
  vcsPatterns,
} from "./source-ignore.ts";
import { yamlToJson } from "./substitute-yaml.ts";

/**
 * What an ArtifactGenerator (source.extensions.fluxcd.io/v1beta1, fluxcd/source-watcher v2.2) puts into each
 * ExternalArtifact it produces, rebuilt offline from the sources that are this repository. Follows
 * internal/builder/builder.go: copy operations run in order into a staging tree named after the artifact,
 * `from` globs use Go's io/fs.Glob (so `**` is one segment) except for Extract, which uses doublestar,
 * excludes use doublestar.Match, Merge is Helm-style values merging through sigs.k8s.io/yaml, and the staging
 * tree is archived through the default source-ignore filter (so `*.png`, `.github/`, `.sops.yaml`, ... never
 * reach the artifact).
 */

export const AG_GROUP = "source.extensions.fluxcd.io";
export const EA_API_VERSION = "source.toolkit.fluxcd.io/v1";
const SOURCE_KINDS = ["Bucket", "GitRepository", "OCIRepository", "HelmChart", "ExternalArtifact"];
const STRATEGIES = ["Overwrite", "Merge", "Extract"] as const;
export type CopyStrategy = (typeof STRATEGIES)[number];

export interface CopyOp {
  from: string;
  to: string;
  exclude: string[];
  strategy: CopyStrategy;
}

export interface ArtifactSource {
  kind: string;
  name: string;
  namespace: string;
}

/** One ExternalArtifact a generator produces (pathPattern already expanded). */
export interface ArtifactSpec {
  generator: { namespace: string; name: string };
  /** The ExternalArtifact's name and namespace (the generator's namespace). */
  name: string;
  namespace: string;
  /** `@alias` as written, when set. */
  revision?: string;
  originRevision?: string;
  copy: CopyOp[];
  /** Every source of the generator by alias: the controller fetches them all before building anything. */
  sources: Record<string, ArtifactSource>;
  /** commonMetadata labels plus pathPattern captures (controller-owned labels left out). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  origin: Position;
}

/** How to reach the sources; `sourceRoot` answers only for sources that are this repository. */
export interface ArtifactContext {
  fs: RepoFs;
  sourceRoot: (alias: string) => string | undefined;
  /** Entries the GitRepository artifact lacks; default: its `.sourceignore` files and the default excludes. */
  excluded?: (abs: string) => boolean;
}

export interface MaterializedArtifact {
  /**
   * Where the artifact is: a fresh temporary directory, or with `inMemory` a path that exists only in `fs`;
   * undefined when the build failed.
   */
  dir: string | undefined;
  /** With `inMemory`: the artifact's files, read through this (nothing is written to disk). */
  fs?: RepoFs;
  /** Repository-relative path a file or directory of the artifact was copied from, for diagnostics. */
  toRepoPath(relInArtifact: string): string | undefined;
  cleanup(): void;
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------------------------------------------------
// Reading the generator

const ALIAS_RE = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;
const SOURCE_NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const FROM_RE = /^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)\/(.*)$/;
const TO_RE = /^@(artifact)\/(.*)$/;
const REV_RE = /^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CAPTURE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const runeLen = (s: string): number => Array.from(s).length;

export function isArtifactGenerator(obj: ValueMap): boolean {
  return obj.kind === "ArtifactGenerator" && groupOf(obj) === AG_GROUP;
}

interface GeneratorSpec {
  namespace: string;
  name: string;
  sources: SourceRefSpec[];
  pathPattern: string;
  artifacts: { name: string; revision: string; originRevision: string; copy: CopyOp[] }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface SourceRefSpec extends ArtifactSource {
  alias: string;
}

/**
 * The ExternalArtifacts an ArtifactGenerator object stands for. Schema violations (what the API server
 * rejects) and the controller's terminal validation errors yield none. A `spec.pathPattern` generator is
 * expanded against its source tree, which needs `ctx`.
 */
export function readArtifactGenerator(
  obj: ValueMap,
  origin: Position,
  diags: Diagnostics,
  ctx?: ArtifactContext,
  defaultNamespace = "flux-system",
): ArtifactSpec[] {
  const gen = parseGenerator(obj, origin, diags, defaultNamespace);
  if (!gen) return [];
  const where = `ArtifactGenerator ${gen.namespace}/${gen.name}`;
  const ann = isMap(obj.metadata) && isMap(obj.metadata.annotations) ? obj.metadata.annotations : undefined;
  const reconcile = ann?.["source.extensions.fluxcd.io/reconcile"];
  if (typeof reconcile === "string" && reconcile.toLowerCase() === "disabled") {
    diags.info(
      "FLX306",
      `${where} has reconciliation disabled; its artifacts are rendered from the current tree anyway`,
      origin,
    );
  }
  if (!validateGenerator(gen, where, origin, diags)) return [];
  const sources: Record<string, ArtifactSource> = Object.create(null);
  for (const s of gen.sources) sources[s.alias] = { kind: s.kind, name: s.name, namespace: s.namespace };
  const make = (a: GeneratorSpec["artifacts"][number], labels: Record<string, string>): ArtifactSpec => {
    const spec: ArtifactSpec = {
      generator: { namespace: gen.namespace, name: gen.name },
      name: a.name,
      namespace: gen.namespace,
      copy: a.copy,
      sources,
      labels: { ...gen.labels, ...labels },
      annotations: { ...gen.annotations },
      origin,
    };
    if (a.revision !== "") spec.revision = a.revision;
    if (a.originRevision !== "") spec.originRevision = a.originRevision;
    return spec;
  };
  if (gen.pathPattern === "") return gen.artifacts.map((a) => make(a, {}));
  if (!ctx) {
    diags.warning(
      "FLX305",
      `${where} uses spec.pathPattern, which needs the source tree to expand; not rendered`,
      origin,
    );
    return [];
  }
  const local = resolveSources(ctx, sources, where, origin);
  if (local.diagnostics.length > 0 || !local.trees) {
    diags.addAll(local.diagnostics);
    return [];
  }
  try {
    return expandPathPattern(gen, local.trees).map((r) => make(r.artifact, r.labels));
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    diags.error("FLX301", `${where}: failed to expand path pattern: ${e.message}`, origin);
    return [];
  }
}

function parseGenerator(
  obj: ValueMap,
  origin: Position,
  diags: Diagnostics,
  defaultNamespace: string,
): GeneratorSpec | undefined {
  const namespace = metaNamespace(obj) || defaultNamespace;
  const name = metaName(obj);
  const where = `ArtifactGenerator ${namespace}/${name}`;
  const errs: string[] = [];
  const str = (v: Value | undefined, at: string, required: boolean): string => {
    if (v === undefined || v === null) {
      if (required) errs.push(`${at}: Required value`);
      return "";
    }
    if (typeof v !== "string") {
      errs.push(`${at}: Invalid value: "${typeName(v)}": ${at} in body must be of type string`);
      return "";
    }
    return v;
  };
  const check = (v: string, at: string, re: RegExp | undefined, max: number | undefined, min = 0): void => {
    if (max !== undefined && runeLen(v) > max)
      errs.push(`${at}: Too long: may not be more than ${max} bytes`);
    if (runeLen(v) < min)
      errs.push(`${at}: Invalid value: "${v}": ${at} in body should be at least ${min} chars long`);
    else if (re && !re.test(v))
      errs.push(`${at}: Invalid value: "${v}": ${at} in body should match '${re.source}'`);
  };
  const list = (v: Value | undefined, at: string, min: number, max: number): Value[] => {
    if (v === undefined || v === null) {
      if (min > 0) errs.push(`${at}: Required value`);
      return [];
    }
    if (!Array.isArray(v)) {
      errs.push(`${at}: Invalid value: "${typeName(v)}": ${at} in body must be of type array`);
      return [];
    }
    if (v.length < min)
      errs.push(`${at}: Invalid value: ${v.length}: ${at} in body should have at least ${min} items`);
    if (v.length > max) errs.push(`${at}: Too many: ${v.length}: must have at most ${max} items`);
    return v;
  };
  const stringMap = (v: Value | undefined, at: string): Record<string, string> => {
    const out: Record<string, string> = {};
    if (v === undefined || v === null) return out;
    if (!isMap(v)) {
      errs.push(`${at}: Invalid value: "${typeName(v)}": ${at} in body must be of type object`);
      return out;
    }
    for (const [k, x] of Object.entries(v)) out[k] = str(x, `${at}.${k}`, true);
    return out;
  };

  const spec = obj.spec;
  if (!isMap(spec)) {
    diags.error(
      "FLX300",
      `${where}: spec: Required value`,
      origin,
      "An ArtifactGenerator needs spec.sources and spec.artifacts",
    );
    return undefined;
  }
  const sources: SourceRefSpec[] = [];
  list(spec.sources, "spec.sources", 1, 1000).forEach((s, i) => {
    const at = `spec.sources[${i}]`;
    if (!isMap(s)) {
      errs.push(`${at}: Invalid value: "${typeName(s)}": ${at} in body must be of type object`);
      return;
    }
    const alias = str(s.alias, `${at}.alias`, true);
    check(alias, `${at}.alias`, ALIAS_RE, 63);
    const name = str(s.name, `${at}.name`, true);
    check(name, `${at}.name`, SOURCE_NAME_RE, 253);
    const kind = str(s.kind, `${at}.kind`, true);
    if (s.kind !== undefined && typeof s.kind === "string" && !SOURCE_KINDS.includes(kind)) {
      errs.push(
        `${at}.kind: Unsupported value: "${kind}": supported values: ${SOURCE_KINDS.map((k) => `"${k}"`).join(", ")}`,
      );
    }
    let ns = str(s.namespace, `${at}.namespace`, false);
    if (s.namespace !== undefined && s.namespace !== null) check(ns, `${at}.namespace`, NAMESPACE_RE, 63, 1);
    if (ns === "") ns = namespace;
    sources.push({ alias, kind, name, namespace: ns });
  });
  const pathPattern = str(spec.pathPattern, "spec.pathPattern", false);
  if (pathPattern !== "") check(pathPattern, "spec.pathPattern", FROM_RE, 1024);
  const artifacts: GeneratorSpec["artifacts"] = [];
  list(spec.artifacts, "spec.artifacts", 1, 1000).forEach((a, i) => {
    const at = `spec.artifacts[${i}]`;
    if (!isMap(a)) {
      errs.push(`${at}: Invalid value: "${typeName(a)}": ${at} in body must be of type object`);
      return;
    }
    const name = str(a.name, `${at}.name`, true);
    check(name, `${at}.name`, undefined, 253, 1);
    const revision = str(a.revision, `${at}.revision`, false);
    if (revision !== "") check(revision, `${at}.revision`, REV_RE, 64);
    const originRevision = str(a.originRevision, `${at}.originRevision`, false);
    if (originRevision !== "") check(originRevision, `${at}.originRevision`, REV_RE, 64);
    const copy: CopyOp[] = [];
    list(a.copy, `${at}.copy`, 1, Number.POSITIVE_INFINITY).forEach((c, j) => {
      const cat = `${at}.copy[${j}]`;
      if (!isMap(c)) {
        errs.push(`${cat}: Invalid value: "${typeName(c)}": ${cat} in body must be of type object`);
        return;
      }
      const from = str(c.from, `${cat}.from`, true);
      check(from, `${cat}.from`, FROM_RE, 1024, 1);
      const to = str(c.to, `${cat}.to`, true);
      check(to, `${cat}.to`, TO_RE, 1024, 1);
      const exclude = list(c.exclude, `${cat}.exclude`, 0, 100).map((x, k) =>
        str(x, `${cat}.exclude[${k}]`, true),
      );
      const strategy = str(c.strategy, `${cat}.strategy`, false) || "Overwrite";
      if (!(STRATEGIES as readonly string[]).includes(strategy)) {
        errs.push(
          `${cat}.strategy: Unsupported value: "${strategy}": supported values: "Overwrite", "Merge", "Extract"`,
        );
      }
      copy.push({ from, to, exclude, strategy: strategy as CopyStrategy });
    });
    artifacts.push({ name, revision, originRevision, copy });
  });
  // CEL rule on the spec: without pathPattern every artifact name is an object name.
  if (pathPattern === "" && artifacts.some((a) => !DNS1123_SUBDOMAIN_RE.test(a.name))) {
    errs.push(
      'spec: Invalid value: "object": artifact names must be valid Kubernetes object names when pathPattern is not set',
    );
  }
  const cm = spec.commonMetadata;
  let labels: Record<string, string> = {};
  let annotations: Record<string, string> = {};
  if (cm !== undefined && cm !== null) {
    if (!isMap(cm))
      errs.push(
        `spec.commonMetadata: Invalid value: "${typeName(cm)}": spec.commonMetadata in body must be of type object`,
      );
    else {
      labels = stringMap(cm.labels, "spec.commonMetadata.labels");
      annotations = stringMap(cm.annotations, "spec.commonMetadata.annotations");
    }
  }
  if (errs.length > 0) {
    for (const e of errs) {
      diags.error(
        "FLX300",
        `${where} is rejected by the API server: ${e}`,
        origin,
        "Fix the field to match the ArtifactGenerator v1beta1 schema",
      );
    }
    return undefined;
  }
  return { namespace, name, sources, pathPattern, artifacts, labels, annotations };
}

function typeName(v: Value): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "number" || typeof v === "bigint")
    return Number.isInteger(Number(v)) ? "integer" : "number";
  return typeof v;
}

/** ArtifactGeneratorReconciler.validateSpec: terminal (Stalled) errors, nothing is built. */
function validateGenerator(gen: GeneratorSpec, where: string, origin: Position, diags: Diagnostics): boolean {
  const aliases = new Set<string>();
  const fail = (msg: string): false => {
    diags.error("FLX301", `${where} is stalled: ${msg}`, origin);
    return false;
  };
  for (const s of gen.sources) {
    if (aliases.has(s.alias)) return fail(`duplicate source alias '${s.alias}' found`);
    aliases.add(s.alias);
  }
  const names = new Set<string>();
  for (const a of gen.artifacts) {
    if (names.has(a.name)) return fail(`duplicate artifact name '${a.name}' found`);
    if (gen.pathPattern === "" && (a.name.length > 253 || !DNS1123_SUBDOMAIN_RE.test(a.name))) {
      return fail(`artifact name "${a.name}" is not a valid Kubernetes object name`);
    }
    if (a.revision !== "" && !aliases.has(a.revision.slice(1))) {
      return fail(`artifact ${a.name} revision source alias '${a.revision.slice(1)}' not found`);
    }
    names.add(a.name);
  }
  return true;
}

/** buildArtifactRequests for a generator with spec.pathPattern: one set of artifacts per matching directory. */
function expandPathPattern(
  gen: GeneratorSpec,
  trees: Map<string, Tree>,
): { artifact: GeneratorSpec["artifacts"][number]; labels: Record<string, string> }[] {
  const pp = gen.pathPattern;
  const slash = pp.indexOf("/");
  if (slash < 0 || !pp.startsWith("@")) throw new BuildError(`invalid pathPattern format: ${pp}`);
  const alias = pp.slice(1, slash);
  const patternStr = pp.slice(slash + 1);
  const tree = trees.get(alias);
  if (!tree) throw new BuildError(`pathPattern "${pp}": source alias ${alias} not found in local sources`);
  validateCaptures(pp, patternStr);
  const names: string[] = [];
  const escaped = patternStr.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
  const body = escaped.replace(/\\\{([a-zA-Z0-9_]+)\\\}/g, (_m, n: string) => {
    names.push(n);
    return `(?<${n}>[^/]+)`;
  });
  for (const n of names) {
    if (n.length > 63 || !QUALIFIED_NAME_RE.test(n)) {
      throw new BuildError(
        `pathPattern "${pp}": capture variable "${n}" is not a valid Kubernetes label key`,
      );
    }
  }
  const re = new RegExp(`^${body}$`, "u");
  const out: { artifact: GeneratorSpec["artifacts"][number]; labels: Record<string, string> }[] = [];
  const seen = new Map<string, string>();
  for (const rel of tree.walkDirs()) {
    const m = re.exec(rel);
    if (!m) continue;
    const raw: Record<string, string> = {};
    const norm: Record<string, string> = {};
    for (const n of names) {
      raw[n] = m.groups?.[n] ?? "";
      norm[n] = raw[n].toLowerCase();
      if (norm[n].length > 63 || !LABEL_VALUE_RE.test(norm[n])) {
        throw new BuildError(
          `pathPattern "${pp}": captured value "${norm[n]}" for variable "${n}" is not a valid Kubernetes label value`,
        );
      }
    }
    for (const a of gen.artifacts) {
      let rendered: GeneratorSpec["artifacts"][number];
      try {
        rendered = {
          ...a,
          name: renderTemplate(a.name, norm),
          copy: a.copy.map((c) => ({
            ...c,
            from: renderTemplate(c.from, raw),
            to: renderTemplate(c.to, raw),
          })),
        };
      } catch (e) {
        throw new BuildError(
          `pathPattern "${pp}": failed to render artifact ${a.name} for match ${rel}: ${(e as Error).message}`,
        );
      }
      if (rendered.name.length > 253 || !DNS1123_SUBDOMAIN_RE.test(rendered.name)) {
        throw new BuildError(
          `pathPattern "${pp}": rendered artifact name "${rendered.name}" is not a valid Kubernetes object name`,
        );
      }
      const prev = seen.get(rendered.name);
      if (prev !== undefined) {
        throw new BuildError(
          `pathPattern "${pp}": directories "${prev}" and "${rel}" both resolve to artifact name "${rendered.name}"`,
        );
      }
      seen.set(rendered.name, rel);
      out.push({ artifact: rendered, labels: norm });
    }
  }
  return out;
}

function validateCaptures(pp: string, s: string): void {
  const seen = new Set<string>();
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "{") {
      const end = s.indexOf("}", i + 1);
      if (end < 0)
        throw new BuildError(
          `pathPattern "${pp}": invalid capture starting at offset ${i}: missing closing brace`,
        );
      const name = s.slice(i + 1, end);
      if (name === "") throw new BuildError(`pathPattern "${pp}": empty capture variable`);
      if (!CAPTURE_NAME_RE.test(name)) {
        throw new BuildError(
          `pathPattern "${pp}": capture variable "${name}" must be a valid capture name matching [A-Za-z_][A-Za-z0-9_]*`,
        );
      }
      if (seen.has(name)) throw new BuildError(`pathPattern "${pp}": duplicate capture variable "${name}"`);
      seen.add(name);
      i = end;
    } else if (s[i] === "}") {
      throw new BuildError(
        `pathPattern "${pp}": invalid capture ending at offset ${i}: missing opening brace`,
      );
    }
  }
}

function renderTemplate(tmpl: string, data: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < tmpl.length; i++) {
    const c = tmpl[i]!;
    if (c === "{") {
      const end = tmpl.indexOf("}", i + 1);
      if (end < 0)
        throw new Error(
          `invalid template "${tmpl}": capture starting at offset ${i} is missing closing brace`,
        );
      const name = tmpl.slice(i + 1, end);
      if (name === "") throw new Error(`invalid template "${tmpl}": empty capture variable`);
      if (!CAPTURE_NAME_RE.test(name))
        throw new Error(
          `invalid template "${tmpl}": capture variable "${name}" must be a valid capture name`,
        );
      const v = data[name];
      if (v === undefined)
        throw new Error(
          `invalid template "${tmpl}": capture variable "${name}" is not defined by pathPattern`,
        );
      out += v;
      i = end;
    } else if (c === "}") {
      throw new Error(`invalid template "${tmpl}": capture ending at offset ${i} is missing opening brace`);
    } else out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// In-memory trees: a source as the controller unpacks it, and the staging directory being built.

interface FileNode {
  kind: "file";
  /** Repository-relative path the bytes come from. */
  origin?: string;
  /** Read lazily through RepoFs when `data` is absent. */
  abs?: string;
  data?: Buffer;
}
interface DirNode {
  kind: "dir";
  origin?: string;
}
type TreeNode = FileNode | DirNode;

/** A failed copy step; its message follows the controller's error text. */
class BuildError extends Error {}

const joinRel = (dir: string, name: string): string => (dir === "." ? name : `${dir}/${name}`);

/** Go filepath.Clean. */
function goClean(p: string): string {
  if (p === "") return ".";
  let c = path.posix.normalize(p);
  if (c.length > 1 && c.endsWith("/")) c = c.slice(0, -1);
  return c === "" ? "." : c;
}

/** Go filepath.Join. */
function goJoin(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== "");
  return nonEmpty.length === 0 ? "" : goClean(nonEmpty.join("/"));
}

/** Go filepath.Base. */
function goBase(p: string): string {
  if (p === "") return ".";
  const s = p.replace(/\/+$/, "");
  if (s === "") return "/";
  return s.slice(s.lastIndexOf("/") + 1);
}

const escapes = (c: string): boolean => c === ".." || c.startsWith("../") || c.startsWith("/");

class Tree implements GlobFs {
  readonly nodes = new Map<string, TreeNode>([[".", { kind: "dir" }]]);
  readonly #kids = new Map<string, Set<string>>([[".", new Set()]]);

  clone(): Tree {
    const t = new Tree();
    for (const [k, v] of this.nodes) t.nodes.set(k, { ...v });
    for (const [k, v] of this.#kids) t.#kids.set(k, new Set(v));
    return t;
  }

  /** Adds `rel` under an existing parent directory, replacing a file of that name. */
  put(rel: string, node: TreeNode): void {
    const parent = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : ".";
    this.#kids.get(parent)?.add(rel.slice(rel.lastIndexOf("/") + 1));
    this.nodes.set(rel, node);
    if (node.kind === "dir" && !this.#kids.has(rel)) this.#kids.set(rel, new Set());
  }

  /** Drops an (empty) entry again. */
  remove(rel: string): void {
    this.nodes.delete(rel);
    this.#kids.delete(rel);
    const parent = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : ".";
    this.#kids.get(parent)?.delete(rel.slice(rel.lastIndexOf("/") + 1));
  }

  children(dir: string): string[] {
    return [...(this.#kids.get(dir) ?? [])].sort(byteOrder);
  }

  exists(p: string): boolean {
    return validFsPath(p) && this.nodes.has(p);
  }

  readDir(p: string): string[] | undefined {
    if (!validFsPath(p) || this.nodes.get(p)?.kind !== "dir") return undefined;
    return this.children(p);
  }

  /** Every path below `dir` in fs.WalkDir order (lexical, depth first), without `dir` itself. */
  *walk(dir = "."): Generator<string> {
    for (const n of this.children(dir)) {
      const p = joinRel(dir, n);
      yield p;
      if (this.nodes.get(p)?.kind === "dir") yield* this.walk(p);
    }
  }

  *walkDirs(): Generator<string> {
    for (const p of this.walk()) if (this.nodes.get(p)?.kind === "dir") yield p;
  }

  /** os.Root.Stat on a cleaned relative path: the node, "missing", "notdir" (a file on the way) or "escape". */
  stat(p: string): TreeNode | "missing" | "notdir" | "escape" {
    if (escapes(p)) return "escape";
    if (p === ".") return this.nodes.get(".")!;
    const parts = p.split("/");
    let cur = ".";
    for (let i = 0; i < parts.length; i++) {
      cur = joinRel(cur, parts[i]!);
      const n = this.nodes.get(cur);
      if (!n) return "missing";
      if (i === parts.length - 1) return n;
      if (n.kind !== "dir") return "notdir";
    }
    return "missing";
  }

  /** builder.createDirRecursive: an existing file at `p` itself is let through (EEXIST), one above it fails. */
  mkdirAll(p: string, origin?: string): void {
    p = goClean(p);
    if (p === ".") return;
    if (escapes(p)) throw new BuildError(`mkdirat ${p}: path escapes from parent`);
    const parts = p.split("/");
    let cur = ".";
    for (let i = 0; i < parts.length; i++) {
      cur = joinRel(cur, parts[i]!);
      const n = this.nodes.get(cur);
      if (!n) {
        const d: DirNode = { kind: "dir" };
        if (i === parts.length - 1 && origin !== undefined) d.origin = origin;
        this.put(cur, d);
      } else if (n.kind === "file") {
        if (i === parts.length - 1) return;
        throw new BuildError(`mkdirat ${joinRel(cur, parts[i + 1]!)}: not a directory`);
      }
    }
  }

  /** os.MkdirAll: unlike createDirRecursive, a file at `p` itself is an error. */
  mkdirAllStrict(p: string): void {
    p = goClean(p);
    if (this.nodes.get(p)?.kind === "file") throw new BuildError(`mkdir ${p}: not a directory`);
    this.mkdirAll(p);
  }

  /** Root.Create / WriteFile: the parent must be a directory and `p` must not be one. */
  writeFile(p: string, node: FileNode): void {
    p = goClean(p);
    if (escapes(p) || p === ".") throw new BuildError(`openat ${p}: path escapes from parent`);
    const parent = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : ".";
    const ps = this.stat(parent);
    if (ps === "missing") throw new BuildError(`openat ${p}: no such file or directory`);
    if (typeof ps === "string" || ps.kind !== "dir") throw new BuildError(`openat ${p}: not a directory`);
    if (this.nodes.get(p)?.kind === "dir") throw new BuildError(`open ${p}: is a directory`);
    this.put(p, node);
  }
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** The GitRepository artifact as source-controller archives it: filtered files, no symlinks, parents implied. */
function loadSourceTree(fs: RepoFs, root: string, excluded: (abs: string) => boolean): Tree {
  const t = new Tree();
  const walk = (abs: string, rel: string): boolean => {
    let any = false;
    for (const name of fs.list(abs)) {
      const a = path.join(abs, name);
      const r = joinRel(rel, name);
      const kind = fs.kind(a);
      const out = excluded(a);
      if (kind === "dir" && !isSymlink(fs, a)) {
        // Archive walks into ignored directories (a `!pattern` can bring files back) but not into .git.
        if (out && name === ".git") continue;
        t.put(r, { kind: "dir", origin: fs.rel(a) });
        const inner = walk(a, r);
        if (out && !inner) t.remove(r);
        else any = true;
      } else if (kind === "file" && !out) {
        t.put(r, { kind: "file", abs: a, origin: fs.rel(a) });
        any = true;
      }
    }
    return any;
  };
  walk(root, ".");
  return t;
}

/** Source trees are read once per repository, root and filter (the default filter shares one key). */
const treeCache = new WeakMap<RepoFs, Map<string, Map<(abs: string) => boolean, Tree>>>();
const defaultFilterKey = (): boolean => false;

function sourceTree(fs: RepoFs, root: string, excluded: ((abs: string) => boolean) | undefined): Tree {
  let byRoot = treeCache.get(fs);
  if (!byRoot) {
    byRoot = new Map();
    treeCache.set(fs, byRoot);
  }
  let byFilter = byRoot.get(root);
  if (!byFilter) {
    byFilter = new Map();
    byRoot.set(root, byFilter);
  }
  const key = excluded ?? defaultFilterKey;
  let tree = byFilter.get(key);
  if (!tree) {
    tree = loadSourceTree(fs, root, excluded ?? makeSourceFilter(fs, root).excluded);
    byFilter.set(key, tree);
  }
  return tree;
}

/** observeSources + fetchSources: every source of the generator must be readable, or nothing is built. */
function resolveSources(
  ctx: ArtifactContext,
  sources: Record<string, ArtifactSource>,
  where: string,
  origin: Position,
): { trees?: Map<string, Tree>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const trees = new Map<string, Tree>();
  for (const [alias, src] of Object.entries(sources)) {
    const root = ctx.sourceRoot(alias);
    const desc = `${src.kind} ${src.namespace}/${src.name}`;
    if (root === undefined) {
      diagnostics.push(
        diagnostic(
          "FLX302",
          "warning",
          `${where}: source "${alias}" (${desc}) is not this repository; its artifacts are not rendered`,
          origin,
          "Only GitRepository sources that are the repository being rendered can be read offline",
        ),
      );
      continue;
    }
    try {
      const abs = path.resolve(root);
      trees.set(alias, sourceTree(ctx.fs, abs, ctx.excluded));
    } catch (e) {
      diagnostics.push(
        diagnostic(
          "FLX302",
          "warning",
          `${where}: source "${alias}" (${desc}) cannot be read: ${(e as Error).message}`,
          origin,
        ),
      );
    }
  }
  return diagnostics.length > 0 ? { diagnostics } : { trees, diagnostics };
}

// ---------------------------------------------------------------------------------------------------------
// Building one artifact

/**
 * Builds `spec` like ArtifactBuilder.Build into a fresh temporary directory. Failures (an unreadable source, a
 * copy operation that fails) are diagnostics and leave `dir` undefined, as the controller keeps no artifact.
 */
export function materializeArtifact(
  fs: RepoFs,
  spec: ArtifactSpec,
  sourceRoot: (alias: string) => string | undefined,
  opts?: { excluded?: (abs: string) => boolean; inMemory?: boolean },
): MaterializedArtifact {
  const where = `ArtifactGenerator ${spec.generator.namespace}/${spec.generator.name}`;
  const ctx: ArtifactContext = { fs, sourceRoot };
  if (opts?.excluded) ctx.excluded = opts.excluded;
  const local = resolveSources(ctx, spec.sources, where, spec.origin);
  const failed = (diagnostics: Diagnostic[]): MaterializedArtifact => ({
    dir: undefined,
    toRepoPath: () => undefined,
    cleanup: () => {},
    diagnostics,
  });
  if (!local.trees) return failed(local.diagnostics);
  const diagnostics: Diagnostic[] = [];
  const trees = new Map(local.trees);
  // The staging dir is <workspace>/<artifact name> next to <workspace>/<alias>: a shared name means the copies
  // land in that source's own directory, and the whole source ends up in the artifact.
  let staging = new Tree();
  const same = trees.get(spec.name);
  if (same) {
    staging = same.clone();
    trees.set(spec.name, staging);
    diagnostics.push(
      diagnostic(
        "FLX304",
        "warning",
        `${where}: artifact "${spec.name}" has the name of a source alias, so source-watcher stages it inside that source's directory and the whole source is included`,
        spec.origin,
        "Rename the artifact or the alias",
      ),
    );
  }
  const b = new Builder(fs, trees, staging);
  for (const op of spec.copy) {
    try {
      b.apply(op);
    } catch (e) {
      if (!(e instanceof BuildError)) throw e;
      diagnostics.push(
        diagnostic(
          "FLX303",
          "error",
          `${where}: artifact "${spec.name}" build failed: failed to apply copy operation from '${op.from}' to '${op.to}': ${e.message}`,
          spec.origin,
        ),
      );
      return failed(diagnostics);
    }
  }
  return writeOut(fs, spec, staging, diagnostics, opts?.inMemory === true);
}

class Builder {
  constructor(
    private readonly fs: RepoFs,
    private readonly sources: Map<string, Tree>,
    private readonly staging: Tree,
  ) {}

  apply(op: CopyOp): void {
    if (!op.from.startsWith("@"))
      throw new BuildError(`invalid copy source '${op.from}': source must start with '@'`);
    const slash = op.from.indexOf("/");
    if (slash < 0)
      throw new BuildError(`invalid copy source '${op.from}': source format must be '@alias/pattern'`);
    const alias = op.from.slice(1, slash);
    const srcPattern = op.from.slice(slash + 1);
    if (!op.to.startsWith("@artifact/")) {
      throw new BuildError(`invalid copy destination '${op.to}': destination must start with '@artifact/'`);
    }
    const destRel = op.to.slice("@artifact/".length);
    const src = this.sources.get(alias);
    if (!src) throw new BuildError(`source alias '${alias}' not found`);
    for (const p of op.exclude) {
      try {
        doublestarMatch(p, ".");
      } catch {
        throw new BuildError(`invalid exclude pattern '${p}'`);
      }
    }
    if (!/[*?[\]]/.test(srcPattern)) {
      this.single(op, src, srcPattern, destRel, op.to.endsWith("/"));
      return;
    }
    let matches: string[];
    try {
      matches = op.strategy === "Extract" ? doublestarGlob(src, srcPattern) : goFsGlob(src, srcPattern);
    } catch (e) {
      if (!(e instanceof BadPatternError)) throw e;
      throw new BuildError(`invalid glob pattern '${srcPattern}': syntax error in pattern`);
    }
    if (matches.length === 0)
      throw new BuildError(`no files match pattern '${srcPattern}' in source '${alias}'`);
    const base = selectionRoot(srcPattern);
    const kept = matches.filter((m) => m !== "." && m !== ".." && !shouldExcludePath(m, base, op.exclude));
    if (kept.length === 0) {
      throw new BuildError(`all files matching pattern '${srcPattern}' in source '${alias}' were excluded`);
    }
    for (const m of kept) {
      if (op.strategy === "Extract") {
        if (!isTarball(m)) continue;
        this.wrap(`failed to extract tarball '${m}' to '${destRel}'`, () => this.extract(src, m, destRel));
      } else {
        const dest = globDestination(srcPattern, m, destRel);
        this.wrap(`failed to copy file '${m}' to '${dest}'`, () => this.copy(op, src, m, dest, base));
      }
    }
  }

  private wrap(prefix: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      if (e instanceof BuildError) throw new BuildError(`${prefix}: ${e.message}`);
      throw e;
    }
  }

  /** applySingleSourceCopy: `cp`-like handling of a path without glob characters. */
  private single(op: CopyOp, src: Tree, pattern: string, destRel: string, destSlash: boolean): void {
    const srcPath = goClean(pattern);
    const st = src.stat(srcPath);
    if (st === "missing") throw new BuildError(`source '${srcPath}' does not exist`);
    if (st === "escape")
      throw new BuildError(`failed to stat source '${srcPath}': statat ${srcPath}: path escapes from parent`);
    if (st === "notdir")
      throw new BuildError(`failed to stat source '${srcPath}': statat ${srcPath}: not a directory`);
    if (st.kind === "dir") {
      if (op.strategy === "Extract") {
        throw new BuildError(`extract strategy is not supported for directories, got '${srcPath}'`);
      }
      // `cp -r dir dest`: the directory itself lands inside dest (for "@alias/" the source root's contents).
      this.copy(op, src, srcPath, goJoin(destRel, goBase(srcPath)), srcPath);
      return;
    }
    if (shouldExcludePath(srcPath, ".", op.exclude)) return;
    if (op.strategy === "Extract") {
      if (!isTarball(srcPath)) {
        throw new BuildError(`extract strategy requires tarball file (.tar.gz or .tgz), got '${srcPath}'`);
      }
      this.extract(src, srcPath, destRel);
      return;
    }
    let final: string;
    if (destSlash) final = goJoin(destRel, goBase(srcPath));
    else {
      const d = this.staging.stat(goClean(destRel));
      final = typeof d !== "string" && d.kind === "dir" ? goJoin(destRel, goBase(srcPath)) : destRel;
    }
    this.copy(op, src, srcPath, final, ".");
  }

  /** copyFileWithRoots: directories recursively (never merged), files merged or overwritten. */
  private copy(op: CopyOp, src: Tree, srcPath: string, destPath: string, excludeBase: string): void {
    const st = src.stat(srcPath);
    if (typeof st === "string") throw new BuildError(`statat ${srcPath}: no such file or directory`);
    if (st.kind === "dir") {
      this.copyDir(src, srcPath, destPath, op.exclude, excludeBase);
      return;
    }
    const dest = goClean(destPath);
    if (op.strategy === "Merge" && typeof this.staging.stat(dest) !== "string") {
      this.merge(srcPath, st, dest);
      return;
    }
    this.copyFile(st, destPath);
  }

  private copyFile(node: FileNode, destPath: string): void {
    const destDir = path.posix.dirname(goClean(destPath));
    if (destDir !== ".") this.staging.mkdirAll(destDir);
    const copy: FileNode = { kind: "file" };
    if (node.origin !== undefined) copy.origin = node.origin;
    if (node.abs !== undefined) copy.abs = node.abs;
    if (node.data !== undefined) copy.data = node.data;
    this.staging.writeFile(destPath, copy);
  }

  private copyDir(
    src: Tree,
    srcPath: string,
    destPath: string,
    exclude: readonly string[],
    base: string,
  ): void {
    this.staging.mkdirAll(destPath, (src.stat(srcPath) as DirNode).origin);
    const visit = (dir: string): void => {
      for (const name of src.children(dir)) {
        const p = joinRel(dir, name);
        const node = src.nodes.get(p);
        if (!node || shouldExcludePath(p, base, exclude)) continue;
        const rel = srcPath === "." ? p : p.slice(srcPath.length + 1);
        const dest = goJoin(destPath, rel);
        if (node.kind === "dir") {
          this.staging.mkdirAll(dest, node.origin);
          visit(p);
        } else this.copyFile(node, dest);
      }
    };
    visit(srcPath);
  }

  /** mergeFileWithRoots: Helm-style deep merge of all documents of both files, re-marshalled by sigs.k8s.io/yaml. */
  private merge(srcPath: string, node: FileNode, dest: string): void {
    const srcData = loadYaml(this.bytes(node), srcPath);
    const d = this.staging.stat(dest);
    if (typeof d === "string" || d.kind === "dir") {
      throw new BuildError(`error reading YAML document: read ${dest}: is a directory`);
    }
    const destData = loadYaml(this.bytes(d), dest);
    const merged: FileNode = {
      kind: "file",
      data: Buffer.from(emitYaml(mergeMaps(destData, srcData)), "utf8"),
    };
    const origin = node.origin ?? d.origin;
    if (origin !== undefined) merged.origin = origin;
    this.staging.writeFile(dest, merged);
  }

  private bytes(node: FileNode): Buffer {
    if (node.data) return node.data;
    if (node.abs === undefined) return Buffer.alloc(0);
    try {
      return this.fs.readBytes(node.abs);
    } catch (e) {
      throw new BuildError(`open ${node.origin ?? node.abs}: ${(e as Error).message}`);
    }
  }

  /** extractTarball: fluxcd/pkg/tar.Untar into <staging>/<dest>, straight on disk (no os.Root). */
  private extract(src: Tree, srcPath: string, destRel: string): void {
    const node = src.nodes.get(srcPath);
    if (!node) throw new BuildError(`failed to open tarball "${srcPath}": no such file or directory`);
    if (node.kind === "dir")
      throw new BuildError(`requires gzip-compressed body: read ${srcPath}: is a directory`);
    const destDir = goClean(destRel);
    this.staging.mkdirAllStrict(destDir);
    let entries: ReturnType<typeof untarGz>;
    try {
      entries = untarGz(this.bytes(node));
    } catch (e) {
      if (e instanceof UntarError) throw new BuildError(e.message);
      throw e;
    }
    for (const e of entries) {
      const target = goJoin(destDir, e.name);
      if (escapes(target)) throw new BuildError(`tar contained invalid name error "${e.name}"`);
      if (e.kind === "dir") this.staging.mkdirAllStrict(target);
      else {
        this.staging.mkdirAllStrict(path.posix.dirname(target));
        const f: FileNode = { kind: "file", data: e.data };
        if (node.origin !== undefined) f.origin = node.origin;
        this.staging.writeFile(target, f);
      }
    }
  }
}

/** doublestar.Glob, as the set and order of paths it yields: a lexical depth-first walk filtered by Match. */
function doublestarGlob(src: Tree, pattern: string): string[] {
  if (!doublestarValidate(pattern)) throw new BadPatternError();
  const out: string[] = [];
  if (doublestarMatchUnvalidated(pattern, ".")) out.push(".");
  for (const p of src.walk()) if (doublestarMatchUnvalidated(pattern, p)) out.push(p);
  return out;
}

function isTarball(p: string): boolean {
  const l = p.toLowerCase();
  return l.endsWith(".tar.gz") || l.endsWith(".tgz");
}

/** calculateGlobDestination: `dir/**` strips `dir/`; every other glob keeps the whole matched path. */
function globDestination(pattern: string, match: string, dest: string): string {
  if (pattern.endsWith("/**")) {
    const prefix = pattern.slice(0, -3);
    if (match.startsWith(`${prefix}/`)) return goJoin(dest, match.slice(prefix.length + 1));
  }
  return goJoin(dest, match);
}

/** sourceSelectionRoot: the literal directories before the first segment with glob characters. */
function selectionRoot(pattern: string): string {
  const parts: string[] = [];
  for (const part of goClean(pattern).split("/")) {
    if (/[*?[\]]/.test(part)) break;
    parts.push(part);
  }
  return parts.length === 0 ? "." : goJoin(...parts) || ".";
}

/** shouldExcludePath: excludes match the source-relative path or the path below the selection root. */
function shouldExcludePath(file: string, base: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  if (shouldExclude(file, patterns)) return true;
  const b = goClean(base);
  const f = goClean(file);
  let rel: string;
  if (b === "." || b === "") rel = f;
  else if (f === b) rel = ".";
  else if (f.startsWith(`${b}/`)) rel = f.slice(b.length + 1);
  else return false;
  if (rel === "." || rel === file) return false;
  return shouldExclude(rel, patterns);
}

function shouldExclude(file: string, patterns: readonly string[]): boolean {
  const base = goBase(file);
  for (const p of patterns) {
    if (doublestarMatchUnvalidated(p, file)) return true;
    if (!p.includes("/") && doublestarMatchUnvalidated(p, base)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// YAML merge

/** loadYAML: k8s YAMLReader documents, each sigs.k8s.io/yaml-unmarshalled into a map and merged in order. */
function loadYaml(bytes: Buffer, file: string): ValueMap {
  let out = newMap();
  for (const doc of splitYamlDocuments(bytes.toString("utf8"))) {
    if (typeof doc !== "string") throw new BuildError(`error reading YAML document: ${doc.error}`);
    const r = yamlToJson(doc);
    if (!r.ok) {
      const msg = r.error
        .replace(/^YAMLToJSON: /, "error converting YAML to JSON: ")
        .replace(/^UnmarshalJSON: /, "error unmarshaling JSON: while decoding JSON: ");
      throw new BuildError(`cannot unmarshal YAML document: ${msg} (${file})`);
    }
    out = mergeMaps(out, r.value);
  }
  return out;
}

/** k8s.io/apimachinery util/yaml YAMLReader: `---` lines split, only a comment may follow them. */
function splitYamlDocuments(text: string): (string | { error: string })[] {
  const docs: (string | { error: string })[] = [];
  const lines = text.split("\n");
  const last = lines.pop();
  let buf = "";
  const feed = (raw: string, eof: boolean): boolean => {
    // bufio.ReadLine drops the line end including a "\r" before "\n".
    const line = `${eof ? raw : raw.replace(/\r$/, "")}\n`;
    if (line.startsWith("---")) {
      const trimmed = line.slice(3).trim();
      if (trimmed.length > 0 && !trimmed.startsWith("#")) {
        docs.push({ error: `invalid Yaml document separator: ${trimmed}` });
        return false;
      }
      if (buf.length > 0) docs.push(buf);
      buf = "";
      return true;
    }
    buf += line;
    return true;
  };
  for (const l of lines) if (!feed(l, false)) return docs;
  if (last !== undefined && last !== "" && !feed(last, true)) return docs;
  if (buf.length > 0) docs.push(buf);
  return docs;
}

/** mergeMap: maps merge recursively, anything else (lists included) is replaced by the overlay. */
function mergeMaps(base: ValueMap, overlay: ValueMap): ValueMap {
  const out = newMap();
  for (const k of Object.keys(base)) out[k] = base[k] as Value;
  for (const k of Object.keys(overlay)) {
    const v = overlay[k] as Value;
    const bv = out[k];
    out[k] = isMap(v) && isMap(bv) ? mergeMaps(bv, v) : v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Archive and output

/**
 * Storage.Archive with SourceIgnoreFilter(nil, nil): the default VCS/extension/CI patterns are matched against
 * the absolute staging path (/tmp/ag-<n>/<artifact>/...), so an artifact named like `x.zip` loses everything.
 */
const ARCHIVE_PATTERNS: readonly IgnorePattern[] = [...vcsPatterns(), ...defaultPatterns()];

function archived(name: string, rel: string, isDir: boolean): boolean {
  const segs = ["", "tmp", "ag-0", name, ...rel.split("/")];
  for (let i = ARCHIVE_PATTERNS.length - 1; i >= 0; i--) {
    const r = matchPattern(ARCHIVE_PATTERNS[i]!, segs, isDir);
    if (r !== MatchResult.NoMatch) return r !== MatchResult.Exclude;
  }
  return true;
}

function writeOut(
  fs: RepoFs,
  spec: ArtifactSpec,
  staging: Tree,
  diagnostics: Diagnostic[],
  inMemory: boolean,
): MaterializedArtifact {
  const origins = new Map<string, string>();
  let dir: string;
  let cleanup = (): void => {};
  let memory: ArtifactFs | undefined;
  if (inMemory) {
    // A path nothing creates: the files live in `memory` only.
    dir = path.join(os.tmpdir(), `homeops-artifact-${process.pid}-${++artifactCount}`);
    const nodes = new Map<string, TreeNode>([[".", { kind: "dir" }]]);
    for (const rel of staging.walk()) {
      const node = staging.nodes.get(rel)!;
      if (!archived(spec.name, rel, node.kind === "dir")) continue;
      nodes.set(rel, node);
      if (node.origin !== undefined) origins.set(rel, node.origin);
    }
    memory = new ArtifactFs(dir, nodes, fs);
  } else {
    dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), "homeops-artifact-"));
    let cleaned = false;
    cleanup = (): void => {
      if (cleaned) return;
      cleaned = true;
      nodeFs.rmSync(dir, { recursive: true, force: true });
    };
  }
  try {
    for (const rel of memory ? [] : staging.walk()) {
      const node = staging.nodes.get(rel)!;
      if (!archived(spec.name, rel, node.kind === "dir")) continue;
      const abs = path.join(dir, ...rel.split("/"));
      if (node.kind === "dir") nodeFs.mkdirSync(abs, { recursive: true });
      else {
        nodeFs.mkdirSync(path.dirname(abs), { recursive: true });
        nodeFs.writeFileSync(
          abs,
          node.data ?? (node.abs !== undefined ? fs.readBytes(node.abs) : Buffer.alloc(0)),
        );
      }
      if (node.origin !== undefined) origins.set(rel, node.origin);
    }
  } catch (e) {
    cleanup();
    diagnostics.push(
      diagnostic(
        "FLX303",
        "error",
        `ArtifactGenerator ${spec.generator.namespace}/${spec.generator.name}: artifact "${spec.name}" build failed: failed to create artifact: ${(e as Error).message}`,
        spec.origin,
      ),
    );
    return { dir: undefined, toRepoPath: () => undefined, cleanup: () => {}, diagnostics };
  }
  /** A directory's source: its own, or one implied by an entry below it (directories made on the way). */
  const dirOrigin = (rel: string): string | undefined => {
    const hit = origins.get(rel);
    if (hit !== undefined) return hit;
    for (const [k, v] of origins) {
      if (rel !== "." && !k.startsWith(`${rel}/`)) continue;
      const rest = rel === "." ? k : k.slice(rel.length + 1);
      if (v === rest) return ".";
      if (v.endsWith(`/${rest}`)) return v.slice(0, -rest.length - 1);
    }
    return undefined;
  };
  const toRepoPath = (p: string): string | undefined => {
    let rel = path.isAbsolute(p) ? path.relative(dir, p) : p;
    rel = goClean(rel.split(path.sep).join("/"));
    if (escapes(rel)) return undefined;
    const own = origins.get(rel) ?? (staging.nodes.get(rel)?.kind === "file" ? undefined : dirOrigin(rel));
    if (own !== undefined || staging.nodes.has(rel)) return own;
    // Not in the artifact (a missing path in an error): below the nearest directory that maps back.
    for (let up = path.posix.dirname(rel); ; up = path.posix.dirname(up)) {
      const o = staging.nodes.get(up)?.kind === "dir" ? dirOrigin(up) : undefined;
      if (o !== undefined)
        return o === "." ? rel.slice(up.length + 1) : `${o}/${up === "." ? rel : rel.slice(up.length + 1)}`;
      if (up === ".") return undefined;
    }
  };
  return memory
    ? { dir, fs: memory, toRepoPath, cleanup, diagnostics }
    : { dir, toRepoPath, cleanup, diagnostics };
}

let artifactCount = 0;

/** An artifact kept in memory: the staging tree's files (bytes read from the repository on demand). */
class ArtifactFs extends RepoFs {
  readonly #nodes: ReadonlyMap<string, TreeNode>;
  readonly #kids = new Map<string, string[]>();
  readonly #text = new Map<string, string>();

  constructor(
    root: string,
    nodes: ReadonlyMap<string, TreeNode>,
    readonly source: RepoFs,
  ) {
    super(root);
    this.#nodes = nodes;
    for (const rel of nodes.keys()) {
      if (rel === ".") continue;
      const parent = rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : ".";
      let list = this.#kids.get(parent);
      if (!list) {
        list = [];
        this.#kids.set(parent, list);
      }
      list.push(rel.slice(rel.lastIndexOf("/") + 1));
    }
    for (const list of this.#kids.values()) list.sort(byteOrder);
  }

  #node(abs: string): TreeNode | undefined {
    if (!this.contains(abs)) throw new EscapeError(abs);
    return this.#nodes.get(this.rel(abs));
  }

  #missing(abs: string): Error {
    const e = new Error(`ENOENT: no such file or directory, open '${abs}'`) as NodeJS.ErrnoException;
    e.code = "ENOENT";
    return e;
  }

  override realpath(abs: string): string {
    if (this.#node(abs) === undefined) throw this.#missing(abs);
    return abs;
  }

  override kind(abs: string): EntryKind {
    return this.#node(abs)?.kind ?? "missing";
  }

  override readBytes(abs: string): Buffer {
    const node = this.#node(abs);
    if (node?.kind !== "file") throw this.#missing(abs);
    return node.data ?? (node.abs !== undefined ? this.source.readBytes(node.abs) : Buffer.alloc(0));
  }

  override readText(abs: string): string {
    let text = this.#text.get(abs);
    if (text === undefined) {
      text = this.readBytes(abs).toString("utf8");
      this.#text.set(abs, text);
    }
    return text;
  }

  override list(abs: string): string[] {
    const node = this.#node(abs);
    if (node?.kind !== "dir") throw this.#missing(abs);
    return this.#kids.get(this.rel(abs)) ?? [];
  }
}
