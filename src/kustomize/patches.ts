import type { Diagnostics, Position } from "../core/diagnostics.ts";
import { formatGoJsonNumber } from "../core/yaml/go-json.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { deepClone, isMap, newMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import type { TransformContext } from "./context.ts";
import { applyJson6902, decodeJson6902Text } from "./patch/json6902.ts";
import { applyStrategicMerge } from "./patch/smp.ts";
import { idOf, idString } from "./resid.ts";
import type { ResMap } from "./resmap.ts";
import type { Resource } from "./resource.ts";
import { storePreviousId } from "./resource.ts";
import { parseSelector, selectorMatches } from "./selector.ts";

export type ParsedPatch = { kind: "smp"; docs: ValueMap[] } | { kind: "json"; ops: Value[] };

/**
 * Decides what a patch text is, as kustomize's PatchTransformer does. It reads the text twice: as resources
 * (every non-empty document an object with a kind and a metadata.name) and as JSON 6902 (JSON when it starts
 * with `[`, else the first YAML document read as YAML 1.1: a list of operation objects). Exactly one reading
 * must work. `only` forces the JSON reading (the legacy patchesJson6902 field) or the strategic-merge one.
 */
export function parsePatchText(
  text: string,
  source: string,
  file: string,
  at: Position,
  diags: Diagnostics,
  only?: "smp" | "json",
): ParsedPatch | undefined {
  const loaded = only === "json" ? undefined : loadYaml(text, file);
  // A text whose first document is a mapping is no list of operations, whichever YAML version reads it (1.1 and
  // 1.2 differ in scalars, not in structure): the costly YAML 1.1 reading is skipped.
  const first = loaded?.docs[0];
  const notJson = first !== undefined && first.index === 0 && isMap(first.value);
  const json = only === "smp" || notJson ? undefined : readJsonPatch(text);
  if (only === "json") {
    if (!json?.ok) {
      diags.error(
        "KUS040",
        `${source} is not a list of JSON 6902 operations: ${json?.error ?? "empty"}`,
        at,
        JSON_HINT,
      );
      return undefined;
    }
    if (json.ops.length === 0) {
      diags.error("KUS040", `${source} appears to be empty`, at);
      return undefined;
    }
    return { kind: "json", ops: json.ops };
  }
  if (!loaded) return undefined;
  const syntaxErrors = loaded.diagnostics.filter((d) => d.severity === "error");
  const docs = loaded.docs.map((d) => d.value).filter((v) => !isEmptyDoc(v));
  const smpOk =
    syntaxErrors.length === 0 &&
    docs.every((d) => isMap(d) && typeof d.kind === "string" && d.kind !== "" && hasName(d));
  if (smpOk && json?.ok) {
    diags.error("KUS040", `${source} illegally qualifies as both an SM and JSON patch`, at, JSON_HINT);
    return undefined;
  }
  if (json?.ok) return { kind: "json", ops: json.ops };
  if (smpOk && docs.length > 0) return { kind: "smp", docs: docs.map((d) => deepClone(d as ValueMap)) };
  diags.addAll(syntaxErrors);
  const why =
    docs.length === 0
      ? "it is empty"
      : docs.some((d) => isMap(d) && !hasName(d))
        ? "a strategic-merge patch needs apiVersion, kind and metadata.name"
        : "it is neither an object with kind and metadata.name nor a list of operations";
  diags.error("KUS040", `unable to parse SM or JSON patch from ${source}: ${why}`, at, JSON_HINT);
  return undefined;
}

const JSON_HINT =
  "A strategic-merge patch is a partial object (apiVersion, kind, metadata.name); a JSON patch is a list of `op`s.";

function isEmptyDoc(v: Value): boolean {
  return v === null || (isMap(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
}

/** kustomize's jsonPatchFromBytes + DecodePatch: a list whose every element is an object. */
function readJsonPatch(text: string): { ok: true; ops: Value[] } | { ok: false; error: string } {
  const decoded = decodeJson6902Text(text);
  if (!decoded.ok) return decoded;
  if (!Array.isArray(decoded.ops)) return { ok: false, error: "not a list of operations" };
  if (!decoded.ops.every((op) => isMap(op))) return { ok: false, error: "every operation must be an object" };
  return { ok: true, ops: decoded.ops };
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
    normalizeAnnotations(r.obj);
  }
}

/**
 * After a JSON patch kustomize writes the annotations back as a string map (its internal annotations ride along):
 * scalars become their text (`null` too), anything else is dropped, and an empty map disappears.
 */
function normalizeAnnotations(obj: ValueMap): void {
  const md = obj.metadata;
  if (!isMap(md) || !Object.hasOwn(md, "annotations")) return;
  const ann = md.annotations;
  const out = newMap();
  if (isMap(ann)) {
    for (const [k, v] of Object.entries(ann)) {
      if (typeof v === "string") out[k] = v;
      else if (v === null) out[k] = "null";
      else if (typeof v === "boolean" || typeof v === "bigint") out[k] = String(v);
      else if (typeof v === "number") out[k] = formatGoJsonNumber(v);
    }
  }
  if (Object.keys(out).length === 0) delete md.annotations;
  else md.annotations = out;
}
