import * as path from "node:path";
import type { Diagnostics, Position } from "../core/diagnostics.ts";
import { EscapeError, joinName, type RepoFs } from "../core/repo-fs.ts";
import { type LoadResult, loadYaml } from "../core/yaml/load.ts";
import { getPath, isMap, newMap, type ValueMap } from "../core/yaml/value.ts";
import {
  type FluxKustomization,
  groupOf,
  isFluxKustomization,
  metaName,
  metaNamespace,
  readFluxKustomization,
  str,
} from "./objects.ts";

/** Where Flux starts on a cluster: the root Kustomization and the Git source that is this repository. */
export interface EntryPoint {
  /** The cluster's display name: the path the root Kustomization builds. */
  cluster: string;
  root: FluxKustomization;
  /** The source the root reads, which is this repository. */
  source: {
    kind: string;
    namespace: string;
    name: string;
    url: string;
    ignore?: string;
    /** Absolute directory the source's paths are relative to (for an OCI sync: where it was pushed from). */
    root?: string;
  };
  via:
    | "FluxInstance"
    | "flux-instance HelmRelease"
    | "flux-instance values"
    | "bootstrap manifest"
    | "cluster directory"
    | "--path";
}

/** A YAML document of the repository with where it came from. */
export interface RepoDoc {
  file: string;
  line: number;
  column: number;
  obj: ValueMap;
}

/** The kinds discovery and bootstrap variables need; everything else is dropped right after parsing. */
export const DISCOVERY_KINDS: ReadonlySet<string> = new Set([
  "FluxInstance",
  "HelmRelease",
  "Kustomization",
  "GitRepository",
  "ConfigMap",
  "Secret",
]);

const SKIP_DIRS = new Set([".git", "node_modules", ".github", ".vscode", ".idea"]);

/** Every mapping document of every .yaml/.yml file under `dir` (sorted walk), skipping VCS and CI folders. */
export function scanRepoDocs(
  fs: RepoFs,
  dir: string,
  accept: (abs: string, isDir: boolean) => boolean,
  parse: (abs: string) => LoadResult = (abs) => loadYaml(fs.readText(abs), fs.rel(abs)),
  /** The documents of a file known from a render of another revision (undefined: read it). */
  known?: (rel: string) => RepoDoc[] | undefined,
  /** Where files and folders that cannot be read (a symlink leading out of the repository, a loop) are reported. */
  problems?: Diagnostics,
): RepoDoc[] {
  const out: RepoDoc[] = [];
  const unreadable = (abs: string, e: unknown): void => {
    problems?.warning(
      "FLX033",
      e instanceof EscapeError
        ? `${fs.rel(abs)} is a symlink leading out of the repository; Flux's source has nothing there`
        : `cannot read ${fs.rel(abs)}: ${e instanceof Error ? e.message : String(e)}`,
      { file: fs.rel(abs) },
      "Replace the symlink with the file itself, or add the path to .sourceignore.",
    );
  };
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = fs.list(d);
    } catch (e) {
      unreadable(d, e);
      return;
    }
    for (const name of names) {
      const abs = joinName(d, name);
      const kind = fs.kind(abs);
      if (kind === "dir") {
        // Hidden folders (.archive, .github, …) hold no cluster configuration.
        if (!SKIP_DIRS.has(name) && !name.startsWith(".") && accept(abs, true)) walk(abs);
      } else if (kind === "file" && /\.ya?ml$/.test(name) && accept(abs, false)) {
        const same = known?.(fs.rel(abs));
        if (same) {
          out.push(...same);
          continue;
        }
        let text: string;
        try {
          text = fs.readText(abs);
        } catch (e) {
          unreadable(abs, e);
          continue;
        }
        // Cheap filter: only documents that can matter for discovery are parsed here.
        if (
          !/kind:\s*(FluxInstance|HelmRelease|Kustomization|GitRepository|ConfigMap|Secret)\b/.test(text) &&
          !/^instance:/m.test(text)
        ) {
          continue;
        }
        if (!mayHoldDiscoveryDoc(text)) continue;
        const loaded = parse(abs);
        for (const doc of loaded.docs) {
          if (!isMap(doc.value)) continue;
          const kind = str(doc.value.kind);
          if (!DISCOVERY_KINDS.has(kind) && !(kind === "" && isMap(doc.value.instance))) continue;
          out.push({ file: fs.rel(abs), line: doc.line, column: doc.column, obj: doc.value });
        }
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * A finer filter, for files such as CRD bundles whose schemas mention `kind: Kustomization`: false only when
 * every document has exactly one top-level `kind:` with a plain name that discovery does not want (or is
 * empty). Anything unusual (no top-level kind, quoted keys, tags, anchors) answers true, so the file is parsed.
 */
export function mayHoldDiscoveryDoc(text: string): boolean {
  if (/^instance:/m.test(text)) return true;
  // One pass over the lines that matter (document markers, top-level `kind:`), not a split into documents
  // and a search of each: CRD bundles are megabytes.
  let docStart = 0;
  let kinds = 0;
  let kind = "";
  /** Whether the document that ends at `end` may matter. */
  const mayMatter = (end: number): boolean => {
    if (kinds === 0) return HAS_CONTENT.test(text.slice(docStart, end));
    if (kinds > 1) return true;
    const value = kind
      .replace(/[ \t]+#.*$/, "")
      .trim()
      .replace(/^(["'])([A-Za-z0-9]+)\1$/, "$2");
    return !/^[A-Za-z0-9]+$/.test(value) || DISCOVERY_KINDS.has(value);
  };
  for (const m of text.matchAll(MARKER_OR_KIND)) {
    if (m[1] === undefined) {
      if (mayMatter(m.index)) return true;
      docStart = m.index + m[0].length;
      kinds = 0;
    } else {
      kinds++;
      kind = m[1];
    }
  }
  return mayMatter(text.length);
}
/** A document marker line, or a top-level `kind:` line (group 1: what follows the colon). */
const MARKER_OR_KIND = /^(?:(?:---|\.\.\.)(?:[ \t].*)?|kind:(.*))$/gm;
/** A line that is neither blank nor a comment. */
const HAS_CONTENT = /^[ \t]*[^\s#]/m;

function at(d: RepoDoc): Position {
  return { file: d.file, line: d.line, column: d.column };
}

/** A root Kustomization as bootstrap creates it: `name` in `namespace`, reading the GitRepository of that name. */
function rootKustomization(
  name: string,
  namespace: string,
  buildPath: string,
  sourceKind: string,
  origin: Position,
): FluxKustomization {
  const obj = newMap();
  obj.apiVersion = "kustomize.toolkit.fluxcd.io/v1";
  obj.kind = "Kustomization";
  const md = newMap();
  md.name = name;
  md.namespace = namespace;
  obj.metadata = md;
  const spec = newMap();
  spec.interval = "10m";
  spec.path = buildPath;
  spec.prune = true;
  const ref = newMap();
  ref.kind = sourceKind;
  ref.name = name;
  spec.sourceRef = ref;
  obj.spec = spec;
  return readFluxKustomization(obj, origin, namespace);
}

/**
 * Flux Operator's FluxInstance `spec.sync` creates a Kustomization and a source in `namespace`, both named
 * `sync.name`, or after the namespace when that is unset.
 */
function syncEntry(namespace: string, sync: ValueMap, d: RepoDoc, via: EntryPoint["via"]): EntryPoint {
  const name = str(sync.name) || namespace;
  const root = rootKustomization(
    name,
    namespace,
    str(sync.path) || ".",
    str(sync.kind) || "GitRepository",
    at(d),
  );
  return {
    cluster: cleanPath(root.path),
    root,
    source: { kind: root.sourceRef.kind, namespace, name, url: str(sync.url) },
    via,
  };
}

/**
 * Finds where Flux starts, in the layouts home-ops repositories use: FluxInstance objects (Flux Operator), a
 * FluxInstance defined in the values of a `flux-instance` HelmRelease, bootstrap manifests holding a GitRepository
 * and the Kustomization that reads it (`flux-system/gotk-sync.yaml`, `flux/config/cluster.yaml`), and
 * `clusters/<name>/` directories whose bootstrap files are placeholders. Entries that build the same path are one.
 */
export function findEntryPoints(fs: RepoFs, docs: readonly RepoDoc[], diags: Diagnostics): EntryPoint[] {
  const found: EntryPoint[] = [];
  for (const d of docs) {
    const o = d.obj;
    if (o.kind === "FluxInstance" && groupOf(o) === "fluxcd.controlplane.io") {
      const sync = getPath(o, ["spec", "sync"]);
      if (!isMap(sync)) continue;
      found.push(syncEntry(metaNamespace(o) || "flux-system", sync, d, "FluxInstance"));
    } else if (
      o.kind === "HelmRelease" &&
      groupOf(o) === "helm.toolkit.fluxcd.io" &&
      isFluxInstanceRelease(o)
    ) {
      const sync = getPath(o, ["spec", "values", "instance", "sync"]);
      if (!isMap(sync)) continue;
      const ns = str(getPath(o, ["spec", "targetNamespace"])) || metaNamespace(o) || "flux-system";
      found.push(syncEntry(ns, sync, d, "flux-instance HelmRelease"));
    } else if (o.kind === undefined && isMap(getPath(o, ["instance", "sync"]))) {
      // A values file of the flux-instance chart (fed to its HelmRelease through valuesFrom).
      const sync = getPath(o, ["instance", "sync"]) as ValueMap;
      if (typeof sync.path !== "string") continue;
      found.push(syncEntry("flux-system", sync, d, "flux-instance values"));
    }
  }
  // Bootstrap manifests: a Kustomization whose GitRepository is defined in the same file.
  const byFile = new Map<string, RepoDoc[]>();
  for (const d of docs) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  for (const [, fileDocs] of byFile) {
    // Bootstrap applies these by hand, so they always name their namespace; an app's own GitRepository for
    // another project (in a namespace its kustomization sets) is not an entry point.
    const repos = fileDocs.filter(
      (d) =>
        d.obj.kind === "GitRepository" &&
        groupOf(d.obj) === "source.toolkit.fluxcd.io" &&
        metaNamespace(d.obj) === "flux-system",
    );
    if (repos.length === 0) continue;
    for (const d of fileDocs) {
      if (!isFluxKustomization(d.obj)) continue;
      const ks = readFluxKustomization(d.obj, at(d));
      const repo = repos.find(
        (r) =>
          metaName(r.obj) === ks.sourceRef.name &&
          (metaNamespace(r.obj) || "flux-system") === ks.sourceRef.namespace,
      );
      if (!repo || ks.sourceRef.kind !== "GitRepository") continue;
      const ignore = getPath(repo.obj, ["spec", "ignore"]);
      found.push({
        cluster: cleanPath(ks.path),
        root: ks,
        source: {
          kind: "GitRepository",
          namespace: ks.sourceRef.namespace,
          name: ks.sourceRef.name,
          url: str(getPath(repo.obj, ["spec", "url"])),
          ...(typeof ignore === "string" ? { ignore } : {}),
        },
        via: "bootstrap manifest",
      });
    }
  }
  // clusters/<name>/flux-system/ with placeholder bootstrap files (the Flux reference layout).
  const clustersDir = path.join(fs.root, "clusters");
  if (fs.kind(clustersDir) === "dir") {
    for (const name of fs.list(clustersDir)) {
      const dir = path.join(clustersDir, name);
      if (fs.kind(path.join(dir, "flux-system")) !== "dir") continue;
      const rel = fs.rel(dir);
      if (found.some((e) => cleanPath(e.root.path) === rel)) continue;
      const root = rootKustomization("flux-system", "flux-system", `./${rel}`, "GitRepository", {
        file: rel,
        line: 0,
        column: 0,
      });
      found.push({
        cluster: rel,
        root,
        source: { kind: "GitRepository", namespace: "flux-system", name: "flux-system", url: "" },
        via: "cluster directory",
      });
    }
  }
  // An OCI sync reads an artifact pushed from some folder of this repository (`flux push artifact --path`): the
  // folder below which its path exists is taken as that artifact's root.
  for (const e of found) {
    if (e.source.kind !== "OCIRepository") continue;
    const base = ociRoot(fs, cleanPath(e.root.path));
    if (base === undefined) continue;
    e.source.root = base;
    e.cluster = fs.rel(path.join(base, cleanPath(e.root.path)));
    diags.info(
      "FLX023",
      `the ${e.via} syncs OCIRepository ${e.source.url || e.source.name}; its artifact is assumed to be built from ${fs.rel(base)}/`,
      e.root.origin,
      "Render with --path to start elsewhere.",
    );
  }
  // A bootstrap manifest syncs this repository: when other entry points name its URL, one naming another URL
  // (a vendored example, an archived app that pulls a third-party repo) is not an entry point.
  const known = found
    .filter((e) => e.via !== "bootstrap manifest" && e.source.url !== "")
    .map((e) => e.source.url);
  if (known.length > 0) {
    for (let i = found.length - 1; i >= 0; i--) {
      const e = found[i]!;
      if (
        e.via === "bootstrap manifest" &&
        e.source.url &&
        !known.some((u) => sameRepoUrl(u, e.source.url))
      ) {
        found.splice(i, 1);
      }
    }
  }
  // One entry per built path; FluxInstance entries win over a placeholder directory.
  const unique = new Map<string, EntryPoint>();
  for (const e of found) {
    const key = `${cleanPath(e.root.path)}`;
    if (!unique.has(key)) unique.set(key, e);
  }
  if (unique.size === 0) {
    diags.warning(
      "FLX001",
      "no Flux entry point found (no FluxInstance, flux-instance HelmRelease, bootstrap GitRepository + Kustomization, or clusters/<name>/flux-system)",
      { file: "." },
      "Name the directory Flux starts from with --path.",
    );
  }
  return [...unique.values()].sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
}

/** The repository folder (itself, or one or two levels down) holding `rel` as a directory. */
function ociRoot(fs: RepoFs, rel: string): string | undefined {
  const candidates = [fs.root];
  for (const a of fs.list(fs.root)) {
    const d1 = path.join(fs.root, a);
    if (a.startsWith(".") || fs.kind(d1) !== "dir") continue;
    candidates.push(d1);
    for (const b of fs.list(d1)) {
      const d2 = path.join(d1, b);
      if (!b.startsWith(".") && fs.kind(d2) === "dir") candidates.push(d2);
    }
  }
  return candidates.find((c) => fs.kind(path.join(c, rel)) === "dir");
}

function isFluxInstanceRelease(o: ValueMap): boolean {
  const chart = str(getPath(o, ["spec", "chart", "spec", "chart"]));
  const ref = str(getPath(o, ["spec", "chartRef", "name"]));
  return chart === "flux-instance" || ref === "flux-instance" || metaName(o) === "flux-instance";
}

/** `./a/b/` → `a/b`; "" and "." → ".". */
export function cleanPath(p: string): string {
  const parts = p.split("/").filter((s) => s !== "" && s !== ".");
  return parts.length === 0 ? "." : parts.join("/");
}

/** The entry named by `--path`: a root Kustomization `flux-system` building that directory of this repo. */
export function entryFromPath(rel: string): EntryPoint {
  const where = cleanPath(rel);
  return {
    cluster: where,
    root: rootKustomization("flux-system", "flux-system", `./${where}`, "GitRepository", {
      file: where,
      line: 0,
      column: 0,
    }),
    source: { kind: "GitRepository", namespace: "flux-system", name: "flux-system", url: "" },
    via: "--path",
  };
}

/** Git URLs name the same repository when host and path agree (scheme, `git@`, `.git` and case aside). */
export function sameRepoUrl(a: string, b: string): boolean {
  const norm = (u: string) =>
    u
      .trim()
      .toLowerCase()
      .replace(/^(ssh|https?|git):\/\//, "")
      .replace(/^[^@/]+@/, "")
      .replace(/:(?!\d)/, "/")
      .replace(/\.git$/, "")
      .replace(/\/+$/, "");
  return norm(a) === norm(b);
}
