/**
 * A miniature `kustomize build` for the transformer fixtures: resources (files and nested kustomizations),
 * `configurations:`, literal-only configMapGenerator, then namespace, prefix, suffix, labels, commonLabels and
 * commonAnnotations per level, hash suffixes and the name-reference fix-up at the top. It exists so these
 * transformers can be compared with kubectl on their own, whatever state the real pipeline is in.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { Diagnostics } from "../../core/diagnostics.ts";
import { isMap, newMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import type { FieldSpec } from "../fieldspec.ts";
import { kustomizeHash } from "../generators/hash.ts";
import { currentId, makeResource, type Resource, storePreviousId } from "../resource.ts";
import {
  emptyTransformerConfig,
  loadTransformerConfig,
  makeTransformerConfig,
  mergeTransformerConfig,
  type TransformerConfig,
} from "../transformer-config.ts";
import { annotationsTransformer } from "./annotations.ts";
import { applyKustomizationLabels, type LabelEntry } from "./labels.ts";
import { fixNameReferences } from "./name-reference.ts";
import { namespaceTransformer } from "./namespace.ts";
import { prefixTransformer, suffixTransformer } from "./prefix-suffix.ts";

interface Acc {
  resources: Resource[];
  config: TransformerConfig;
}

export function loadDocs(file: string): Value[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => d.toJS() as Value)
    .filter((v) => v !== null);
}

export function miniBuild(dir: string): { resources: Resource[]; diags: Diagnostics } {
  const diags = new Diagnostics();
  const ctx: TransformContext = { diags, at: { file: join(dir, "kustomization.yaml"), line: 1, column: 1 } };
  const acc = accumulate(dir, ctx);
  for (const r of acc.resources) {
    if (!r.needsHashSuffix) continue;
    const h = kustomizeHash(r.obj);
    if (h === undefined) continue;
    storePreviousId(r);
    (r.obj.metadata as ValueMap).name = `${currentId(r).name}-${h}`;
  }
  fixNameReferences(acc.resources, acc.config, ctx);
  return { resources: acc.resources, diags };
}

function accumulate(dir: string, ctx: TransformContext): Acc {
  const kfile = join(dir, "kustomization.yaml");
  const k = (loadDocs(kfile)[0] ?? newMap()) as ValueMap;
  const at = { file: kfile, line: 1, column: 1 };
  const lctx: TransformContext = { diags: ctx.diags, at };
  const acc: Acc = { resources: [], config: emptyTransformerConfig() };
  for (const entry of strings(k.resources)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      const sub = accumulate(p, ctx);
      acc.resources.push(...sub.resources);
      acc.config = mergeTransformerConfig(acc.config, sub.config, lctx);
    } else {
      for (const doc of loadDocs(p)) acc.resources.push(makeResource(doc as ValueMap, { ...at, file: p }));
    }
  }
  const user = strings(k.configurations).map((c) => {
    const f = join(dir, c);
    return loadTransformerConfig(existsSync(f) ? (loadDocs(f)[0] ?? null) : null, lctx, f);
  });
  acc.config = mergeTransformerConfig(acc.config, makeTransformerConfig(user, lctx), lctx);

  for (const g of Array.isArray(k.configMapGenerator) ? k.configMapGenerator : []) {
    if (!isMap(g)) continue;
    const data = newMap();
    for (const lit of strings(g.literals)) {
      const i = lit.indexOf("=");
      data[lit.slice(0, i)] = lit.slice(i + 1);
    }
    const md = newMap();
    md.name = String(g.name);
    if (typeof g.namespace === "string") md.namespace = g.namespace;
    const obj = newMap();
    obj.apiVersion = "v1";
    obj.kind = "ConfigMap";
    obj.metadata = md;
    obj.data = data;
    const r = makeResource(obj, at);
    const opts = isMap(g.options) ? g.options : undefined;
    if (opts?.disableNameSuffixHash !== true) r.needsHashSuffix = true;
    acc.resources.push(r);
  }

  const res = acc.resources;
  if (typeof k.namespace === "string" && k.namespace !== "") {
    namespaceTransformer(res, { namespace: k.namespace, fieldSpecs: acc.config.namespace }, lctx);
  }
  if (typeof k.namePrefix === "string") prefixTransformer(res, k.namePrefix, acc.config.namePrefix, lctx);
  if (typeof k.nameSuffix === "string") suffixTransformer(res, k.nameSuffix, acc.config.nameSuffix, lctx);
  const labels: LabelEntry[] = (Array.isArray(k.labels) ? k.labels : []).filter(isMap).map((l) => {
    const e: LabelEntry = { pairs: stringRecord(l.pairs) };
    if (l.includeSelectors === true) e.includeSelectors = true;
    if (l.includeTemplates === true) e.includeTemplates = true;
    if (Array.isArray(l.fields)) e.fields = l.fields as unknown as FieldSpec[];
    return e;
  });
  applyKustomizationLabels(res, labels, stringRecord(k.commonLabels), acc.config, lctx);
  annotationsTransformer(res, stringRecord(k.commonAnnotations), acc.config.commonAnnotations, lctx);
  return acc;
}

function strings(v: Value | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function stringRecord(v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (isMap(v)) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

/** Objects keyed by kind/namespace/name, for order-independent comparison with kubectl's output. */
export function byId(objs: readonly Value[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const o of objs) {
    if (!isMap(o)) continue;
    const md = isMap(o.metadata) ? o.metadata : newMap();
    out[`${String(o.apiVersion)}/${String(o.kind)}/${String(md.namespace ?? "")}/${String(md.name)}`] = o;
  }
  return out;
}
