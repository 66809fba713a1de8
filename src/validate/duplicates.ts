import { deepClone, deepEqual, isMap, type ValueMap } from "../core/yaml/value.ts";
import type { CheckContext, CheckedObject } from "./context.ts";

export interface Duplicate {
  first: CheckedObject;
  again: CheckedObject;
  /**
   * The two differ at most in labels and annotations (the owner labels, `commonMetadata`): applying both only
   * flips metadata, while different content means one overwrites the other.
   */
  identical: boolean;
  /** `Kind namespace/name` for messages. */
  what: string;
}

const cache = new WeakMap<CheckContext, Duplicate[]>();

/**
 * Objects produced more than once in a cluster after rendering (group, kind, namespace unless cluster-scoped,
 * name), each later occurrence paired with the first.
 */
export function duplicates(ctx: CheckContext): Duplicate[] {
  const cached = cache.get(ctx);
  if (cached) return cached;
  const out: Duplicate[] = [];
  const first = new Map<string, CheckedObject>();
  for (const o of ctx.objects) {
    if (!o.kind || !o.name) continue;
    const apiVersion = typeof o.obj.apiVersion === "string" ? o.obj.apiVersion : "";
    const ns = ctx.clusterScoped(apiVersion, o.kind) ? "" : o.namespace;
    const id = `${o.ks.cluster}\0${o.group}\0${o.kind}\0${ns}\0${o.name}`;
    const prev = first.get(id);
    if (!prev) {
      first.set(id, o);
      continue;
    }
    out.push({
      first: prev,
      again: o,
      identical: deepEqual(withoutLabels(prev.obj), withoutLabels(o.obj)),
      what: `${o.kind} ${ns ? `${ns}/` : ""}${o.name}`,
    });
  }
  cache.set(ctx, out);
  return out;
}

function withoutLabels(obj: ValueMap): ValueMap {
  const copy = deepClone(obj);
  const md = copy.metadata;
  if (isMap(md)) {
    delete md.labels;
    delete md.annotations;
  }
  return copy;
}

/** "twice by Kustomization a/b" or "by Kustomizations a/b and c/d". */
export function producedBy(d: Duplicate): string {
  return d.first.ks === d.again.ks
    ? `twice by Kustomization ${d.again.ks.namespace}/${d.again.ks.name}`
    : `by Kustomizations ${d.first.ks.namespace}/${d.first.ks.name} and ${d.again.ks.namespace}/${d.again.ks.name}`;
}
