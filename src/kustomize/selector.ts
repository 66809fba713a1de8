/**
 * kustomize's types.Selector: which resources a patch target, a replacement's select/reject or a Flux patch
 * target picks. group/version/kind/name/namespace are Go regexps anchored as `^(?:...)$` (types.anchorRegex; an
 * empty field selects everything); labelSelector/annotationSelector are Kubernetes selector strings.
 */
import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import type { TransformContext } from "./context.ts";
import { effectiveNamespace, NON_NAMESPACEABLE, type ResId } from "./resid.ts";
import { currentId, originalId, type Resource } from "./resource.ts";
import { type LabelRequirement, labelSelectorMatches, parseLabelSelector } from "./selector-labels.ts";
import { anchorGoRegexp, compileGoRegexp } from "./selector-regexp.ts";

export { type LabelRequirement, labelSelectorMatches, parseLabelSelector } from "./selector-labels.ts";
export { anchorGoRegexp, compileGoRegexp } from "./selector-regexp.ts";

/** Diagnostic codes this module reports. */
export const SELECTOR_CODES = {
  /** A group/version/kind/name/namespace pattern Go's regexp rejects. */
  invalidRegexp: "KUS401",
  /** A labelSelector/annotationSelector that does not parse. */
  invalidLabelSelector: "KUS402",
  /** A selector that is not a mapping, or a field that is not a string. */
  invalidField: "KUS403",
} as const;

const ID_FIELDS = ["group", "version", "kind", "name", "namespace"] as const;
type IdField = (typeof ID_FIELDS)[number];

/** The selector as written; empty strings mean "any". */
export interface SelectorSpec {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
  labelSelector: string;
  annotationSelector: string;
}

export interface Selector extends SelectorSpec {
  /** Anchored patterns for the non-empty id fields. */
  regex: Partial<Record<IdField, RegExp>>;
  labels: LabelRequirement[];
  annotations: LabelRequirement[];
}

export function emptySelectorSpec(): SelectorSpec {
  return {
    group: "",
    version: "",
    kind: "",
    name: "",
    namespace: "",
    labelSelector: "",
    annotationSelector: "",
  };
}

/**
 * Reads a selector mapping. Problems are reported on `ctx` and give `undefined`; `what` names the field in
 * messages (e.g. `patches[0].target`).
 */
export function parseSelector(
  value: Value | undefined,
  ctx: TransformContext,
  what = "selector",
): Selector | undefined {
  const spec = readSelectorSpec(value, ctx, what);
  return spec ? compileSelector(spec, ctx, what) : undefined;
}

/** Reads the fields only (no compilation), for callers that match exactly as kustomize sometimes does. */
export function readSelectorSpec(
  value: Value | undefined,
  ctx: TransformContext,
  what = "selector",
): SelectorSpec | undefined {
  const spec = emptySelectorSpec();
  if (value === null || value === undefined) return spec;
  if (!isMap(value)) {
    ctx.diags.error(SELECTOR_CODES.invalidField, `${what} must be a mapping`, ctx.at);
    return undefined;
  }
  let ok = true;
  for (const key of [...ID_FIELDS, "labelSelector", "annotationSelector"] as const) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string") {
      ctx.diags.error(
        SELECTOR_CODES.invalidField,
        `${what}.${key} must be a string, got ${describe(v)}`,
        ctx.at,
        "quote the value",
      );
      ok = false;
      continue;
    }
    spec[key] = v;
  }
  return ok ? spec : undefined;
}

export function compileSelector(
  spec: SelectorSpec,
  ctx: TransformContext,
  what = "selector",
): Selector | undefined {
  const sel: Selector = { ...spec, regex: {}, labels: [], annotations: [] };
  let ok = true;
  for (const f of ID_FIELDS) {
    if (spec[f] === "") continue;
    const r = compileGoRegexp(anchorGoRegexp(spec[f]));
    if (r.ok) sel.regex[f] = r.re;
    else {
      ctx.diags.error(SELECTOR_CODES.invalidRegexp, `${what}.${f}: ${r.error}`, ctx.at, GO_REGEXP_HINT);
      ok = false;
    }
  }
  for (const [f, target] of [
    ["labelSelector", "labels"],
    ["annotationSelector", "annotations"],
  ] as const) {
    const r = parseLabelSelector(spec[f]);
    if (r.ok) sel[target] = r.requirements;
    else {
      ctx.diags.error(SELECTOR_CODES.invalidLabelSelector, `${what}.${f}: ${r.error}`, ctx.at, LABEL_HINT);
      ok = false;
    }
  }
  return ok ? sel : undefined;
}

const GO_REGEXP_HINT = "selector fields are Go (RE2) regular expressions matched against the whole value";
const LABEL_HINT = "use Kubernetes selector syntax, e.g. `app=web,tier in (a,b),!canary`";

/**
 * resmap.Select, used by `patches[].target` (and Flux's patch targets): the name and the namespace may match either
 * the object's original id (before any prefix/suffix/namespace change) or its current one — never an intermediate
 * one — while group/version/kind and labels/annotations are the current ones. Verified with kubectl 5.5.
 */
export function selectorMatches(sel: Selector, r: Resource): boolean {
  const cur = currentId(r);
  const org = originalId(r);
  if (sel.regex.namespace) {
    const re = sel.regex.namespace;
    if (!re.test(storedEffectiveNamespace(org)) && !re.test(effectiveNamespace(cur))) return false;
  }
  if (sel.regex.name && !sel.regex.name.test(org.name) && !sel.regex.name.test(cur.name)) return false;
  if (!gvkMatches(sel, cur)) return false;
  return annotationsAndLabelsMatch(sel, r.obj);
}

/** Every resource the selector picks, in order (resmap.Select). */
export function selectResources(list: readonly Resource[], sel: Selector): Resource[] {
  return list.filter((r) => selectorMatches(sel, r));
}

function gvkMatches(sel: Selector, id: ResId): boolean {
  return (
    (!sel.regex.group || sel.regex.group.test(id.group)) &&
    (!sel.regex.version || sel.regex.version.test(id.version)) &&
    (!sel.regex.kind || sel.regex.kind.test(id.kind))
  );
}

/** SelectorRegex on one id (replacement targets from kustomize 5.8, which Flux builds with). */
export function idMatchesSelectorRegex(sel: Selector, id: ResId): boolean {
  return (
    gvkMatches(sel, id) &&
    (!sel.regex.name || sel.regex.name.test(id.name)) &&
    (!sel.regex.namespace || sel.regex.namespace.test(id.namespace))
  );
}

/**
 * ResId.IsSelectedBy: exact comparison of the set fields; namespaces compare as effective namespaces of ids
 * whose kinds are never treated as cluster-scoped (kustomize builds both sides without its scope table), so an
 * empty namespace equals `default`.
 */
export function idSelectedBy(id: ResId, sel: SelectorSpec): boolean {
  return (
    (sel.name === "" || sel.name === id.name) &&
    (sel.namespace === "" ||
      literalEffectiveNamespace(sel.namespace) === literalEffectiveNamespace(id.namespace)) &&
    (sel.group === "" || sel.group === id.group) &&
    (sel.version === "" || sel.version === id.version) &&
    (sel.kind === "" || sel.kind === id.kind)
  );
}

function literalEffectiveNamespace(ns: string): string {
  return ns === "" ? "default" : ns;
}

/**
 * What kustomize stores for a previous id (StorePreviousId writes the effective namespace, so cluster-scoped
 * objects carry `_non_namespaceable_` and namespaceless ones `default`).
 */
function storedEffectiveNamespace(id: ResId): string {
  if (id.namespace === NON_NAMESPACEABLE) return NON_NAMESPACEABLE;
  return effectiveNamespace(id);
}

/**
 * utils.MakeResIds: the current id then every previous one, oldest first. Previous ids take the current
 * apiVersion and the stored (effective) namespace, as kustomize rebuilds them from its build annotations.
 */
export function allResIds(r: Resource): ResId[] {
  const cur = currentId(r);
  const out: ResId[] = [cur];
  for (const p of r.prevIds) {
    out.push({
      group: cur.group,
      version: cur.version,
      kind: p.kind,
      name: p.name,
      namespace: storedEffectiveNamespace(p),
    });
  }
  return out;
}

/** Both selector strings against the object's current labels and annotations. */
export function annotationsAndLabelsMatch(
  sel: { labels: readonly LabelRequirement[]; annotations: readonly LabelRequirement[] },
  obj: ValueMap,
): boolean {
  return (
    labelSelectorMatches(sel.annotations, metadataStrings(obj, "annotations")) &&
    labelSelectorMatches(sel.labels, metadataStrings(obj, "labels"))
  );
}

/** RNode.GetLabels/GetAnnotations: every entry as its scalar text. */
export function metadataStrings(obj: ValueMap, field: "labels" | "annotations"): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const md = obj.metadata;
  if (!isMap(md)) return out;
  const m = md[field];
  if (!isMap(m)) return out;
  for (const [k, v] of Object.entries(m)) out[k] = scalarText(v);
  return out;
}

/** A yaml.Node's Value for a decoded value: scalars as their plain text, collections as "". */
export function scalarText(v: Value | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (Number.isNaN(v)) return ".nan";
    if (v === Number.POSITIVE_INFINITY) return ".inf";
    if (v === Number.NEGATIVE_INFINITY) return "-.inf";
    return String(v);
  }
  return "";
}

function describe(v: Value): string {
  if (Array.isArray(v)) return "a list";
  if (isMap(v)) return "a mapping";
  return typeof v === "bigint" ? "a number" : `a ${typeof v}`;
}

/** For messages: the id as kustomize prints it. */
export function selectorDisplay(sel: SelectorSpec): string {
  return `${resIdString(sel)}:a=${sel.annotationSelector}:l=${sel.labelSelector}`;
}

/** resid.ResId.String(): `Kind.Version.Group/name.namespace` with `[noKind]`-style placeholders. */
export function resIdString(id: {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}): string {
  return `${id.kind || "[noKind]"}.${id.version || "[noVer]"}.${id.group || "[noGrp]"}/${id.name || "[noName]"}.${id.namespace || "[noNs]"}`;
}
