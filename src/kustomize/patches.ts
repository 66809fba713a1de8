import type { Diagnostics, Position } from "../core/diagnostics.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { deepClone, isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import type { TransformContext } from "./context.ts";
import { applyJson6902 } from "./patch/json6902.ts";
import { applyStrategicMerge } from "./patch/smp.ts";
import { idOf, idString } from "./resid.ts";
import type { ResMap } from "./resmap.ts";
import type { Resource } from "./resource.ts";
import { storePreviousId } from "./resource.ts";
import { parseSelector, selectorMatches } from "./selector.ts";

export type ParsedPatch = { kind: "smp"; docs: ValueMap[] } | { kind: "json"; ops: Value[] };

/**
 * Decides what a patch text is, as kustomize's PatchTransformer does: strategic merge when every document is an
 * object with a kind and a metadata.name, JSON 6902 when it is a list of operations (JSON, or YAML converted to
 * JSON). Exactly one reading must work.
 */
export function parsePatchText(
  text: string,
  source: string,
  file: string,
  at: Position,
  diags: Diagnostics,
  only?: "smp" | "json",
): ParsedPatch | undefined {
  const loaded = loadYaml(text, file);
  const syntaxErrors = loaded.diagnostics.filter((d) => d.severity === "error");
  const docs = loaded.docs.map((d) => d.value).filter((v) => v !== null);
  const smpOk =
    syntaxErrors.length === 0 &&
    docs.length > 0 &&
    docs.every((d) => isMap(d) && typeof d.kind === "string" && d.kind !== "" && hasName(d));
  const jsonOk =
    syntaxErrors.length === 0 &&
    docs.length === 1 &&
    Array.isArray(docs[0]) &&
    (docs[0] as Value[]).every((op) => isMap(op));
  if (only === "json" || (!smpOk && jsonOk)) {
    if (!jsonOk) {
      diags.addAll(syntaxErrors);
      diags.error(
        "KUS040",
        `${source} is not a list of JSON 6902 operations`,
        at,
        "Write `- op: replace` entries.",
      );
      return undefined;
    }
    if ((docs[0] as Value[]).length === 0) {
      diags.error("KUS040", `${source} appears to be empty`, at);
      return undefined;
    }
    return { kind: "json", ops: deepClone(docs[0] as Value[]) };
  }
  if (smpOk) return { kind: "smp", docs: docs.map((d) => deepClone(d as ValueMap)) };
  diags.addAll(syntaxErrors);
  const why =
    docs.length === 0
      ? "it is empty"
      : docs.some((d) => isMap(d) && !hasName(d))
        ? "a strategic-merge patch needs apiVersion, kind and metadata.name"
        : "it is neither an object with kind and metadata.name nor a list of operations";
  diags.error(
    "KUS040",
    `unable to parse SM or JSON patch from ${source}: ${why}`,
    at,
    "A strategic-merge patch is a partial object (apiVersion, kind, metadata.name); a JSON patch is a list of `op`s.",
  );
  return undefined;
}

function hasName(d: Value): boolean {
  if (!isMap(d)) return false;
  if (typeof d.kind === "string" && d.kind.endsWith("List")) return true;
  const md = d.metadata;
  return isMap(md) && typeof md.name === "string" && md.name !== "";
}

/**
 * A strategic-merge patch on its target(s): with a selector, every selected object (the patch takes each
 * target's apiVersion); without one, the single object whose id (any it has had) equals the patch's id.
 */
export function applyStrategicMergeToResources(
  resources: ResMap,
  patch: ValueMap,
  target: ValueMap | undefined,
  options: Record<string, Value>,
  ctx: TransformContext,
): void {
  const allowNameChange = options.allowNameChange === true;
  const allowKindChange = options.allowKindChange === true;
  let selected: Resource[];
  if (target) {
    const sel = parseSelector(target, ctx);
    if (!sel) return;
    selected = resources.list.filter((r) => selectorMatches(sel, r));
  } else {
    const id = idOf(patch);
    const found = resources.byAnyId(id);
    if (found.length !== 1) {
      ctx.diags.error(
        "KUS041",
        `${found.length === 0 ? "no" : "multiple"} resource${found.length === 0 ? "" : "s"} match${found.length === 0 ? "es" : ""} strategic merge patch ${idString(id)}`,
        ctx.at,
        found.length === 0
          ? "The patch's apiVersion, kind, name and namespace must name an object of the build; or give the patch a target."
          : "Give the patch a target that selects one object.",
      );
      return;
    }
    selected = found;
  }
  for (const r of selected) {
    const p = target ? { ...patch, apiVersion: r.obj.apiVersion ?? null } : patch;
    if (allowNameChange || allowKindChange) storePreviousId(r);
    const before = idOf(r.obj);
    const out = applyStrategicMerge(r.obj, p as ValueMap, { allowNameChange, allowKindChange });
    if (!out.ok) {
      ctx.diags.error("KUS042", `strategic merge patch failed on ${idString(before)}: ${out.error}`, ctx.at);
      continue;
    }
    if (out.result === null) {
      resources.remove(r);
      continue;
    }
    r.obj = out.result;
  }
}

/** JSON 6902 operations on every object the target selects. */
export function applyJson6902ToSelected(
  resources: ResMap,
  ops: Value[],
  target: ValueMap,
  ctx: TransformContext,
  storePrevious: boolean,
): void {
  const sel = parseSelector(target, ctx);
  if (!sel) return;
  for (const r of resources.list.filter((x) => selectorMatches(sel, x))) {
    if (storePrevious) storePreviousId(r);
    const out = applyJson6902(r.obj, ops);
    if (!out.ok) {
      ctx.diags.error("KUS043", `JSON patch failed on ${idString(idOf(r.obj))}: ${out.error}`, ctx.at);
      continue;
    }
    r.obj = out.result;
  }
}
