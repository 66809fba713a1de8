import { structuredPatch } from "diff";
import { emitYaml } from "../core/yaml/emit.ts";
import { deepClone, getPath, isMap, isSeq, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { groupOf, metaName, metaNamespace, str } from "../flux/objects.ts";
import type { RenderedKustomization, RepoRender } from "../flux/render.ts";

export type Status = "added" | "removed" | "changed";

/** One object that differs, with its unified diff (hunks only) of the YAML as `homeops build` prints it. */
export interface ObjectDiff {
  status: Status;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** `@@` hunks; empty when only masked secret data or SOPS metadata changed (see `note`). */
  diff: string;
  note?: string;
}

/** A Flux Kustomization some of whose objects differ (or which appeared or went away). */
export interface KustomizationDiff {
  cluster: string;
  namespace: string;
  name: string;
  path: string;
  status: Status;
  objects: ObjectDiff[];
  /** Why the objects are not the whole story (a side that cannot be built). */
  note?: string;
}

export interface CompareOptions {
  /** Only objects of these kinds (case-insensitive). */
  kinds?: readonly string[];
  showSecrets?: boolean;
  /** Label and annotation keys (a trailing `*` matches a prefix) left out on both sides. */
  ignoreMetadata?: readonly string[];
  /** Lines of context around each change. */
  context?: number;
}

/** `changed` from a Kustomization of one side to the other, matched on cluster, namespace and name. */
export function compareRenders(
  base: RepoRender,
  head: RepoRender,
  opts: CompareOptions = {},
): KustomizationDiff[] {
  const key = (k: RenderedKustomization) => `${k.cluster}\0${k.namespace}\0${k.name}`;
  const before = new Map(base.kustomizations.map((k) => [key(k), k]));
  const after = new Map(head.kustomizations.map((k) => [key(k), k]));
  const out: KustomizationDiff[] = [];
  const visit = (k: RenderedKustomization, status: Status, objects: ObjectDiff[], note?: string) => {
    if (objects.length === 0 && status === "changed" && !note) return;
    const d: KustomizationDiff = {
      cluster: k.cluster,
      namespace: k.namespace,
      name: k.name,
      path: k.path,
      status,
      objects,
    };
    if (note) d.note = note;
    out.push(d);
  };
  for (const [id, h] of after) {
    const b = before.get(id);
    // A Kustomization that fails to build is not applied at all: its objects are not removed from the cluster.
    if (h.failed) {
      if (!b?.failed) visit(h, b ? "changed" : "added", [], HEAD_FAILED);
      continue;
    }
    const note = b?.failed ? BASE_FAILED : undefined;
    visit(h, b ? "changed" : "added", compareObjects(b?.objects ?? [], h.objects, opts), note);
  }
  for (const [id, b] of before) if (!after.has(id)) visit(b, "removed", compareObjects(b.objects, [], opts));
  return out.sort(
    (x, y) => cmp(x.cluster, y.cluster) || cmp(x.namespace, y.namespace) || cmp(x.name, y.name),
  );
}

const HEAD_FAILED =
  "cannot be built on the head side (see the new problems): Flux would apply none of it and keep what it applied";
const BASE_FAILED =
  "could not be built on the base side: objects shown as added may already be in the cluster";

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Identity of an object in a Kustomization: API group (not version), kind, namespace, name. */
export function objectKey(o: ValueMap): string {
  return `${groupOf(o)}\0${str(o.kind)}\0${metaNamespace(o)}\0${metaName(o)}`;
}

function keyed(objects: readonly ValueMap[]): Map<string, ValueMap> {
  const m = new Map<string, ValueMap>();
  for (const o of objects) {
    let k = objectKey(o);
    // kustomize refuses duplicates; keep both anyway rather than lose one.
    for (let i = 2; m.has(k); i++) k = `${objectKey(o)}\0${i}`;
    m.set(k, o);
  }
  return m;
}

function compareObjects(
  base: readonly ValueMap[],
  head: readonly ValueMap[],
  opts: CompareOptions,
): ObjectDiff[] {
  const kinds = opts.kinds?.map((k) => k.toLowerCase());
  const wanted = (o: ValueMap) => !kinds || kinds.includes(str(o.kind).toLowerCase());
  const b = keyed(base.filter(wanted));
  const h = keyed(head.filter(wanted));
  const out: ObjectDiff[] = [];
  for (const [k, after] of h) {
    const before = b.get(k);
    // Builds taken over from the other side hand out the very same objects.
    if (before === after) continue;
    const d = objectDiff(before, after, opts);
    if (d) out.push(d);
  }
  for (const [k, before] of b) {
    if (h.has(k)) continue;
    const d = objectDiff(before, undefined, opts);
    if (d) out.push(d);
  }
  return out;
}

function objectDiff(
  before: ValueMap | undefined,
  after: ValueMap | undefined,
  opts: CompareOptions,
): ObjectDiff | undefined {
  const ignore = opts.ignoreMetadata ?? [];
  const b = before && (ignore.length > 0 ? stripMetadata(before, ignore) : before);
  const a = after && (ignore.length > 0 ? stripMetadata(after, ignore) : after);
  const bText = b ? emitYaml(b) : "";
  const aText = a ? emitYaml(a) : "";
  if (b && a && bText === aText) return undefined;
  const o = (a ?? b)!;
  let shownB = bText;
  let shownA = aText;
  let note: string | undefined;
  if (!opts.showSecrets && (isSecret(o) || isMap(o.sops))) {
    const [mb, ma] = maskPair(b, a);
    shownB = mb ? emitYaml(mb) : "";
    shownA = ma ? emitYaml(ma) : "";
    if (shownA === shownB) note = "encrypted or secret data changed (values masked)";
  }
  const out: ObjectDiff = {
    status: !b ? "added" : !a ? "removed" : "changed",
    apiVersion: str(o.apiVersion),
    kind: str(o.kind),
    namespace: metaNamespace(o),
    name: metaName(o),
    diff: shownA === shownB ? "" : unifiedDiff(shownB, shownA, opts.context ?? 3),
  };
  if (note) out.note = note;
  return out;
}

/** The hunks of a unified diff between two texts. */
export function unifiedDiff(before: string, after: string, context: number): string {
  const p = structuredPatch("base", "head", before, after, undefined, undefined, { context });
  const lines: string[] = [];
  for (const h of p.hunks) {
    lines.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    lines.push(...h.lines);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function range(start: number, count: number): string {
  // An empty side names the line before (as diff -u and git do).
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

function isSecret(o: ValueMap): boolean {
  return o.apiVersion === "v1" && o.kind === "Secret";
}

export const MASKED = "**MASKED**";
export const MASKED_CHANGED = "**MASKED** (changed)";

/**
 * Secrets of both sides with every value masked, the values that differ marked as changed on the head side; SOPS
 * metadata goes (as in `homeops build`), and so do the encrypted values of other SOPS-encrypted objects.
 */
function maskPair(
  before: ValueMap | undefined,
  after: ValueMap | undefined,
): [ValueMap | undefined, ValueMap | undefined] {
  const b = before && deepClone(before);
  const a = after && deepClone(after);
  if (b) delete b.sops;
  if (a) delete a.sops;
  const secret = (before && isSecret(before)) || (after && isSecret(after));
  if (secret) {
    for (const field of ["data", "stringData"]) {
      const mb = b?.[field];
      const ma = a?.[field];
      if (isMap(mb)) for (const k of Object.keys(mb)) mb[k] = MASKED;
      if (isMap(ma)) {
        for (const k of Object.keys(ma)) {
          const old = isMap(before?.[field]) ? (before[field] as ValueMap)[k] : undefined;
          ma[k] = b && old !== undefined && old !== ma[k] ? MASKED_CHANGED : MASKED;
        }
      }
    }
  }
  // SOPS values outside a Secret's data: mask every encrypted string the same way.
  if (b) maskEncrypted(b, undefined);
  if (a) maskEncrypted(a, b ? before : undefined);
  return [b, a];
}

function maskEncrypted(v: Value, other: Value | undefined): Value {
  if (isMap(v)) {
    for (const k of Object.keys(v)) v[k] = maskEncrypted(v[k]!, isMap(other) ? other[k] : undefined);
    return v;
  }
  if (isSeq(v)) {
    v.forEach((x, i) => {
      v[i] = maskEncrypted(x, isSeq(other) ? other[i] : undefined);
    });
    return v;
  }
  if (typeof v === "string" && v.startsWith("ENC[")) {
    return typeof other === "string" && other !== v ? MASKED_CHANGED : MASKED;
  }
  return v;
}

/** A copy without the labels and annotations named (on the object and on every embedded metadata, e.g. pod templates). */
export function stripMetadata(obj: ValueMap, keys: readonly string[]): ValueMap {
  const match = (k: string) => keys.some((p) => (p.endsWith("*") ? k.startsWith(p.slice(0, -1)) : k === p));
  const walk = (v: Value): Value => {
    if (isSeq(v)) return v.map(walk);
    if (!isMap(v)) return v;
    const out = newMap();
    for (const [k, x] of Object.entries(v)) {
      if (k === "metadata" && isMap(x)) {
        const md = newMap();
        for (const [mk, mv] of Object.entries(x)) {
          if ((mk === "labels" || mk === "annotations") && isMap(mv)) {
            const kept = newMap();
            for (const [lk, lv] of Object.entries(mv)) if (!match(lk)) kept[lk] = lv;
            if (Object.keys(kept).length > 0) md[mk] = kept;
          } else md[mk] = walk(mv);
        }
        out[k] = md;
      } else out[k] = walk(x);
    }
    return out;
  };
  return walk(obj) as ValueMap;
}

/** A HelmRelease chart version that differs between the sides. */
export interface ChartChange {
  cluster: string;
  namespace: string;
  name: string;
  chart: string;
  from: string;
  to: string;
}

/** The chart and version each HelmRelease installs (through `chart.spec`, or `chartRef` to an OCIRepository). */
export function chartChanges(base: RepoRender, head: RepoRender): ChartChange[] {
  const b = chartsOf(base);
  const h = chartsOf(head);
  const out: ChartChange[] = [];
  for (const id of new Set([...h.keys(), ...b.keys()])) {
    const x = b.get(id);
    const y = h.get(id);
    if (x && y && x.version === y.version && x.chart === y.chart) continue;
    const [cluster = "", namespace = "", name = ""] = id.split("\0");
    const chart = y?.chart && x?.chart && y.chart !== x.chart ? `${x.chart} → ${y.chart}` : (y ?? x)!.chart;
    out.push({ cluster, namespace, name, chart, from: x?.version ?? "", to: y?.version ?? "" });
  }
  return out.sort(
    (p, q) => cmp(p.cluster, q.cluster) || cmp(p.namespace, q.namespace) || cmp(p.name, q.name),
  );
}

function chartsOf(r: RepoRender): Map<string, { chart: string; version: string }> {
  const repos = new Map<string, ValueMap>();
  const releases: { cluster: string; hr: ValueMap }[] = [];
  for (const k of r.kustomizations) {
    for (const o of k.objects) {
      const g = groupOf(o);
      if (g === "source.toolkit.fluxcd.io" && o.kind === "OCIRepository")
        repos.set(`${k.cluster}\0${metaNamespace(o)}\0${metaName(o)}`, o);
      if (g === "helm.toolkit.fluxcd.io" && o.kind === "HelmRelease")
        releases.push({ cluster: k.cluster, hr: o });
    }
  }
  const out = new Map<string, { chart: string; version: string }>();
  for (const { cluster, hr } of releases) {
    const ns = metaNamespace(hr);
    const spec = getPath(hr, ["spec", "chart", "spec"]);
    const ref = getPath(hr, ["spec", "chartRef"]);
    let chart = "";
    let version = "";
    if (isMap(spec)) {
      chart = str(spec.chart);
      version = str(spec.version) || String(spec.version ?? "");
    } else if (isMap(ref)) {
      const src = repos.get(`${cluster}\0${str(ref.namespace) || ns}\0${str(ref.name)}`);
      chart =
        str(getPath(src, ["spec", "url"])).replace(/^oci:\/\//, "") || `${str(ref.kind)}/${str(ref.name)}`;
      const r = getPath(src, ["spec", "ref"]);
      version = isMap(r) ? str(r.tag) || str(r.semver) || str(r.digest) : "";
    } else continue;
    out.set(`${cluster}\0${ns}\0${metaName(hr)}`, { chart, version });
  }
  return out;
}

/** An image whose tag (or digest) differs in an object present on both sides. */
export interface ImageChange {
  /** `Kind namespace/name` of the object, with the field that holds the image. */
  object: string;
  image: string;
  from: string;
  to: string;
}

/** Image references of changed objects: `image: repo:tag` strings and `{repository, tag}` maps (Helm values). */
export function imageChanges(
  base: RepoRender,
  head: RepoRender,
  diffs: readonly KustomizationDiff[],
): ImageChange[] {
  const find = (r: RepoRender, k: KustomizationDiff, o: ObjectDiff): ValueMap | undefined => {
    const ks = r.kustomizations.find(
      (x) => x.cluster === k.cluster && x.namespace === k.namespace && x.name === k.name,
    );
    return ks?.objects.find(
      (x) =>
        str(x.kind) === o.kind &&
        metaNamespace(x) === o.namespace &&
        metaName(x) === o.name &&
        str(x.apiVersion) === o.apiVersion,
    );
  };
  const out: ImageChange[] = [];
  const seen = new Set<string>();
  for (const k of diffs) {
    for (const o of k.objects) {
      if (o.status !== "changed") continue;
      const b = find(base, k, o);
      const h = find(head, k, o);
      if (!b || !h) continue;
      const before = imagesOf(b);
      for (const [at, img] of imagesOf(h)) {
        const old = before.get(at);
        if (!old || (old.repo === img.repo && old.tag === img.tag)) continue;
        const object = `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
        const image = old.repo === img.repo ? img.repo : `${old.repo} → ${img.repo}`;
        const row = { object, image, from: old.tag, to: img.tag };
        const id = JSON.stringify(row);
        if (!seen.has(id)) {
          seen.add(id);
          out.push(row);
        }
      }
    }
  }
  return out;
}

function imagesOf(obj: ValueMap): Map<string, { repo: string; tag: string }> {
  const out = new Map<string, { repo: string; tag: string }>();
  const walk = (v: Value, at: string): void => {
    if (isSeq(v)) {
      v.forEach((x, i) => {
        walk(x, `${at}[${i}]`);
      });
    }
    if (!isMap(v)) return;
    const repo = v.repository;
    if (typeof repo === "string" && (v.tag !== undefined || typeof v.digest === "string")) {
      const registry = typeof v.registry === "string" && v.registry ? `${v.registry}/` : "";
      const tag = [v.tag === undefined || v.tag === null ? "" : String(v.tag), str(v.digest)]
        .filter(Boolean)
        .join("@");
      out.set(at, { repo: `${registry}${repo}`, tag });
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === "image" && typeof x === "string") {
        const m = /^(.*?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]+))?$/.exec(x);
        if (m?.[1]) out.set(`${at}.image`, { repo: m[1], tag: [m[2], m[3]].filter(Boolean).join("@") });
      } else walk(x, `${at}.${k}`);
    }
  };
  walk(obj, "");
  return out;
}
