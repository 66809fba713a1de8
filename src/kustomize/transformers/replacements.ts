/**
 * The `replacements:` transformer, the last builtin one (kustomize v5.5, api/filters/replacement): copy one field of
 * one source object into fields of the selected targets. Semantics follow v5.5 (the kubectl oracle): source and
 * target selection compare ids exactly (regexps arrived in 5.6), every id the object has had counts, and a scalar
 * target keeps its YAML type while taking the new text (so "5" into `replicas: 1` is the int 5, and a string that is
 * not a number there is an error as kustomize's final decode reports it).
 */
import type { Position } from "../../core/diagnostics.ts";
import { deepClone, isMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import {
  type FieldRef,
  lookupField,
  matchFields,
  type NodeKind,
  resolvePlain,
  type ScalarTag,
  splitFieldPath,
} from "../field-path.ts";
import type { Resource } from "../resource.ts";
import {
  allResIds,
  anchorGoRegexp,
  annotationsAndLabelsMatch,
  compileGoRegexp,
  emptySelectorSpec,
  idMatchesSelectorRegex,
  idSelectedBy,
  type LabelRequirement,
  parseLabelSelector,
  resIdString,
  type Selector,
  type SelectorSpec,
  scalarText,
} from "../selector.ts";

/** Diagnostic codes this transformer reports. */
export const REPLACEMENT_CODES = {
  /** A replacement entry kustomize cannot read (shape, types, missing source/targets/select). */
  invalid: "KUS410",
  /** The source selector selects no object. */
  sourceNotFound: "KUS411",
  /** The source selector selects more than one object. */
  sourceAmbiguous: "KUS412",
  /** The source fieldPath is missing, empty, or cannot be walked. */
  sourceField: "KUS413",
  /** options.delimiter/index that cannot be applied. */
  options: "KUS414",
  /** A target fieldPath that is missing (without create) or cannot be walked. */
  targetField: "KUS415",
  /** The copied text does not fit the target field's YAML type. */
  typeMismatch: "KUS416",
  /** An invalid labelSelector/annotationSelector in select/reject. */
  selector: "KUS417",
} as const;

export const DEFAULT_REPLACEMENT_FIELD_PATH = "metadata.name";

export interface FieldOptions {
  delimiter: string;
  index: number;
  create: boolean;
}

interface SourceSelector {
  id: SelectorSpec;
  fieldPath: string;
  options?: FieldOptions;
}

interface CompiledSelector extends SelectorSpec {
  labels: LabelRequirement[];
  annotations: LabelRequirement[];
}

interface TargetSelector {
  select?: CompiledSelector;
  reject: CompiledSelector[];
  fieldPaths: string[];
  options?: FieldOptions;
}

export interface Replacement {
  source?: SourceSelector;
  /** kustomize 5.7+: a literal value instead of a source object. */
  sourceValue?: string;
  targets?: TargetSelector[];
  at: Position;
}

/** One `replacements:` item: inline from the kustomization, or one item of a `path:` file. */
export interface ReplacementEntry {
  value: Value;
  at: Position;
}

/** A source value as kyaml holds it: scalars keep their text and tag, collections their content. */
type SourceNode =
  | { kind: "scalar"; text: string; tag: ScalarTag | "" }
  | { kind: "map" | "seq"; value: Value };

class ReplacementError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Runs every replacement in order over `resources`, mutating objects in place. kustomize stops at the first
 * failing replacement; here that one is reported and the next ones still run, so one build reports them all.
 */
export function applyReplacements(
  resources: readonly Resource[],
  entries: readonly ReplacementEntry[],
  ctx: TransformContext,
  options: ReplacementOptions = {},
): void {
  const version = options.kustomize ?? "5.5";
  for (const e of entries) {
    const at = e.at ?? ctx.at;
    const r = parseReplacement(e.value, { diags: ctx.diags, at }, { kustomize: version });
    if (!r) continue;
    const deferred: ReplacementError[] = [];
    try {
      applyOne(resources, r, deferred, version);
    } catch (err) {
      if (!(err instanceof ReplacementError)) throw err;
      deferred.push(err);
    }
    for (const err of deferred) ctx.diags.error(err.code, err.message, at, err.hint);
  }
}

/**
 * Which kustomize to behave as. 5.5 is the kubectl oracle; 5.8 is what Flux's kustomize-controller links: target
 * select/reject become anchored regexps on each id's raw namespace, and `sourceValue` (5.7) is known. 5.8's
 * editing of JSON/YAML held in string fields is not implemented.
 */
export type KustomizeVersion = "5.5" | "5.8";

export interface ReplacementOptions {
  kustomize?: KustomizeVersion;
}

/** How kustomize decodes an entry: the kustomization strictly, a `path:` file leniently (unknown keys ignored). */
export interface ParseMode {
  /** The entry comes from the kustomization file itself (strict decoding, `replacements.` field paths). */
  inline?: boolean;
  kustomize?: KustomizeVersion;
}

type Schema =
  | { kind: "string" | "int" | "bool" }
  | { kind: "object"; go: string; fields: Record<string, Schema> }
  | { kind: "array"; go: string; items: Schema };

const STRING: Schema = { kind: "string" };
const ID_FIELDS: Record<string, Schema> = {
  group: STRING,
  version: STRING,
  kind: STRING,
  name: STRING,
  namespace: STRING,
};
const OPTIONS: Schema = {
  kind: "object",
  go: "FieldOptions",
  fields: { delimiter: STRING, index: { kind: "int" }, encoding: STRING, create: { kind: "bool" } },
};
const SELECTOR: Schema = {
  kind: "object",
  go: "Selector",
  fields: { ...ID_FIELDS, annotationSelector: STRING, labelSelector: STRING },
};
const TARGET: Schema = {
  kind: "object",
  go: "TargetSelector",
  fields: {
    select: SELECTOR,
    reject: { kind: "array", go: "[]*types.Selector", items: SELECTOR },
    fieldPaths: { kind: "array", go: "[]string", items: STRING },
    options: OPTIONS,
  },
};
const SOURCE: Schema = {
  kind: "object",
  go: "SourceSelector",
  fields: { ...ID_FIELDS, fieldPath: STRING, options: OPTIONS },
};
/** types.ReplacementField (inline) / types.Replacement (a file): `path` is only known to the former. */
function entrySchema(inline: boolean, version: KustomizeVersion): Schema {
  const fields: Record<string, Schema> = {
    source: SOURCE,
    targets: { kind: "array", go: "[]*types.TargetSelector", items: TARGET },
  };
  if (version !== "5.5") fields.sourceValue = STRING;
  if (inline) fields.path = STRING;
  return { kind: "object", go: inline ? "ReplacementField" : "Replacement", fields };
}

function jsonType(v: Value): string {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || typeof v === "bigint") return "number";
  return Array.isArray(v) ? "array" : "object";
}

function goTypeName(s: Schema): string {
  if (s.kind === "object") return `types.${s.go}`;
  if (s.kind === "array") return s.go;
  return s.kind;
}

/**
 * encoding/json's checks as kustomize meets them: wrong JSON types (`json: cannot unmarshal string into Go struct
 * field FieldOptions.replacements.source.options.index of type int`) and, when strict, unknown fields.
 */
function checkSchema(
  v: Value,
  s: Schema,
  path: string,
  struct: string,
  strict: boolean,
  errs: string[],
): void {
  if (v === null) return;
  const mismatch = (what: string) =>
    errs.push(
      `json: cannot unmarshal ${what} into Go struct field ${struct}.${path} of type ${goTypeName(s)}`,
    );
  switch (s.kind) {
    case "string":
      if (typeof v !== "string") mismatch(jsonType(v));
      return;
    case "bool":
      if (typeof v !== "boolean") mismatch(jsonType(v));
      return;
    case "int":
      if (typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v))) return;
      mismatch(typeof v === "number" ? `number ${v}` : jsonType(v));
      return;
    case "array":
      if (!Array.isArray(v)) {
        mismatch(jsonType(v));
        return;
      }
      for (const el of v) {
        if (s.items.kind === "object") checkSchema(el, s.items, path, struct, strict, errs);
        else if (el !== null && jsonType(el) !== (s.items.kind === "string" ? "string" : s.items.kind)) {
          errs.push(
            `json: cannot unmarshal ${jsonType(el)} into Go struct field ${struct}.${path} of type ${goTypeName(s.items)}`,
          );
        }
      }
      return;
    case "object":
      if (!isMap(v)) {
        mismatch(jsonType(v));
        return;
      }
      for (const [k, x] of Object.entries(v)) {
        const f = s.fields[k];
        if (!f) {
          if (strict) errs.push(`json: unknown field ${JSON.stringify(k)}`);
          continue;
        }
        checkSchema(x, f, path === "" ? k : `${path}.${k}`, s.go, strict, errs);
      }
  }
}

/**
 * types.Replacement from YAML, reporting what kustomize's decoding rejects; `undefined` when unusable. An entry
 * whose position is in a kustomization file is decoded strictly, as kustomize decodes the kustomization.
 */
export function parseReplacement(v: Value, ctx: TransformContext, mode?: ParseMode): Replacement | undefined {
  const inline = mode?.inline ?? isKustomizationFile(ctx.at.file);
  const errs: string[] = [];
  if (!isMap(v)) {
    errs.push(
      inline
        ? `json: cannot unmarshal ${jsonType(v)} into Go struct field Kustomization.replacements of type types.ReplacementField`
        : `unsupported replacement type encountered within replacement path: ${Array.isArray(v) ? "slice" : jsonType(v) === "number" ? "float64" : jsonType(v)}`,
    );
  } else
    checkSchema(
      v,
      entrySchema(inline, mode?.kustomize ?? "5.5"),
      inline ? "replacements" : "",
      "",
      inline,
      errs,
    );
  if (errs.length > 0) {
    for (const m of errs) {
      const message = m.startsWith("json:")
        ? inline
          ? `invalid Kustomization: ${m}`
          : `error unmarshaling JSON: while decoding JSON: ${m}`
        : m;
      ctx.diags.error(REPLACEMENT_CODES.invalid, message, ctx.at, SCHEMA_HINT);
    }
    return undefined;
  }
  const m = v as ValueMap;
  if (
    typeof m.path === "string" &&
    m.path !== "" &&
    (isMap(m.source) || (Array.isArray(m.targets) && m.targets.length > 0))
  ) {
    ctx.diags.error(
      REPLACEMENT_CODES.invalid,
      "cannot specify both path and inline replacement",
      ctx.at,
      "a replacements entry is either `path:` to a file or an inline source/targets",
    );
    return undefined;
  }
  const out: Replacement = { at: ctx.at };
  if ((mode?.kustomize ?? "5.5") !== "5.5" && typeof m.sourceValue === "string")
    out.sourceValue = m.sourceValue;
  if (isMap(m.source)) {
    const src: SourceSelector = { id: readIdSpec(m.source), fieldPath: str(m.source.fieldPath) };
    const o = readOptions(m.source.options);
    if (o) src.options = o;
    out.source = src;
  }
  // An empty list is dropped when kustomize re-encodes the plugin config (omitempty), so it counts as missing.
  if (Array.isArray(m.targets) && m.targets.length > 0) {
    out.targets = m.targets.filter(isMap).map((t) => {
      const ts: TargetSelector = {
        reject: Array.isArray(t.reject) ? t.reject.filter(isMap).map(readSelector) : [],
        fieldPaths: Array.isArray(t.fieldPaths)
          ? t.fieldPaths.filter((x): x is string => typeof x === "string")
          : [],
      };
      if (isMap(t.select)) ts.select = readSelector(t.select);
      const o = readOptions(t.options);
      if (o) ts.options = o;
      return ts;
    });
  }
  return out;
}

const SCHEMA_HINT =
  "replacements entries hold source {kind, name, namespace, group, version, fieldPath, options} and targets [{select, reject, fieldPaths, options}]";

function isKustomizationFile(file: string | undefined): boolean {
  const base = (file ?? "").split("/").pop() ?? "";
  return base === "kustomization.yaml" || base === "kustomization.yml" || base === "Kustomization";
}

function str(v: Value | undefined): string {
  return typeof v === "string" ? v : "";
}

function readIdSpec(m: ValueMap): SelectorSpec {
  const spec = emptySelectorSpec();
  for (const k of ["group", "version", "kind", "name", "namespace"] as const) spec[k] = str(m[k]);
  return spec;
}

function readSelector(m: ValueMap): CompiledSelector {
  const spec = readIdSpec(m);
  spec.labelSelector = str(m.labelSelector);
  spec.annotationSelector = str(m.annotationSelector);
  return { ...spec, labels: [], annotations: [] };
}

function readOptions(v: Value | undefined): FieldOptions | undefined {
  if (!isMap(v)) return undefined;
  const idx = v.index;
  return {
    delimiter: str(v.delimiter),
    index: typeof idx === "number" || typeof idx === "bigint" ? Number(idx) : 0,
    create: v.create === true,
  };
}

/** filters/replacement Filter for one replacement. */
function applyOne(
  resources: readonly Resource[],
  r: Replacement,
  deferred: ReplacementError[],
  version: KustomizeVersion,
): void {
  if ((!r.source && r.sourceValue === undefined) || !r.targets) {
    throw new ReplacementError(
      REPLACEMENT_CODES.invalid,
      "replacements must specify a source and at least one target",
      "give the replacement a `source` and a `targets` list (`sourceValue` needs kustomize 5.7)",
    );
  }
  let value: SourceNode;
  if (r.sourceValue !== undefined) {
    if (r.source) {
      throw new ReplacementError(
        REPLACEMENT_CODES.invalid,
        "value and resource selectors are mutually exclusive",
      );
    }
    // yaml.NewScalarRNode: no tag, so the text resolves as plain YAML wherever it lands.
    value = { kind: "scalar", text: r.sourceValue, tag: "" };
  } else value = getReplacement(resources, r.source as SourceSelector);
  for (const t of r.targets) applyTarget(resources, value, t, deferred, version);
}

function getReplacement(resources: readonly Resource[], src: SourceSelector): SourceNode {
  const source = selectSource(resources, src);
  const fieldPath = src.fieldPath || DEFAULT_REPLACEMENT_FIELD_PATH;
  const found = lookupField(source.obj, splitFieldPath(fieldPath));
  if (!found.ok)
    throw new ReplacementError(
      REPLACEMENT_CODES.sourceField,
      `error looking up replacement source: ${found.error}`,
    );
  const v = found.value;
  if (
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (isMap(v) && Object.keys(v).length === 0)
  ) {
    throw new ReplacementError(
      REPLACEMENT_CODES.sourceField,
      `fieldPath \`${fieldPath}\` is missing for replacement source ${resIdString(src.id)}`,
      "fieldPath is dot-separated, e.g. `spec.template.spec.containers.[name=app].image`",
    );
  }
  return refine(src.options, toSourceNode(v));
}

function selectSource(resources: readonly Resource[], src: SourceSelector): Resource {
  let match: Resource | undefined;
  for (const r of resources) {
    if (!allResIds(r).some((id) => idSelectedBy(id, src.id))) continue;
    if (match) {
      throw new ReplacementError(
        REPLACEMENT_CODES.sourceAmbiguous,
        `multiple matches for selector ${sourceString(src)}`,
        "add name/namespace (or group/version) to the source so exactly one object matches",
      );
    }
    match = r;
  }
  if (!match) {
    throw new ReplacementError(
      REPLACEMENT_CODES.sourceNotFound,
      `nothing selected by ${sourceString(src)}`,
      "source fields match exactly (no patterns) against the object's current or any earlier name",
    );
  }
  return match;
}

/** SourceSelector.String(). */
function sourceString(src: SourceSelector): string {
  const parts = [resIdString(src.id)];
  if (src.fieldPath !== "") parts.push(src.fieldPath);
  const o = src.options;
  if (o && (o.delimiter !== "" || o.create)) parts.push(`${o.delimiter}(${o.index}), create=${o.create}`);
  return parts.join(":");
}

function tagOf(v: Value): ScalarTag {
  if (typeof v === "string") return "!!str";
  if (typeof v === "boolean") return "!!bool";
  if (typeof v === "bigint") return "!!int";
  if (typeof v === "number") return Number.isInteger(v) ? "!!int" : "!!float";
  return "!!null";
}

function toSourceNode(v: Value): SourceNode {
  if (Array.isArray(v)) return { kind: "seq", value: v };
  if (isMap(v)) return { kind: "map", value: v };
  return { kind: "scalar", text: scalarText(v), tag: tagOf(v) };
}

/** getRefinedValue: `options.delimiter` picks one part of a scalar source. */
function refine(o: FieldOptions | undefined, n: SourceNode): SourceNode {
  if (!o || o.delimiter === "") return n;
  if (n.kind !== "scalar") {
    throw new ReplacementError(
      REPLACEMENT_CODES.options,
      "delimiter option can only be used with scalar nodes",
    );
  }
  const parts = n.text.split(o.delimiter);
  if (o.index >= parts.length || o.index < 0) {
    throw new ReplacementError(
      REPLACEMENT_CODES.options,
      `options.index ${o.index} is out of bounds for value ${n.text}`,
    );
  }
  return { ...n, text: parts[o.index] as string };
}

function applyTarget(
  resources: readonly Resource[],
  value: SourceNode,
  t: TargetSelector,
  deferred: ReplacementError[],
  version: KustomizeVersion,
): void {
  const select = t.select;
  if (!select) {
    throw new ReplacementError(
      REPLACEMENT_CODES.invalid,
      "target must specify resources to select",
      "add `select:` with at least a kind",
    );
  }
  const fieldPaths = t.fieldPaths.length > 0 ? t.fieldPaths : [DEFAULT_REPLACEMENT_FIELD_PATH];
  const byRegex = version === "5.5" ? undefined : regexSelectors(select, t.reject);
  // kustomize parses the selector strings per object, so a bad one fails only once there is an object.
  if (resources.length > 0) for (const s of [select, ...t.reject]) compileLabels(s);
  for (const r of resources) {
    if (!annotationsAndLabelsMatch(select, r.obj)) continue;
    if (
      t.reject.some(
        (rj) =>
          (rj.annotationSelector !== "" || rj.labelSelector !== "") && annotationsAndLabelsMatch(rj, r.obj),
      )
    )
      continue;
    const ids = allResIds(r);
    if (byRegex) {
      if (byRegex.reject.some((rj) => !isEmptyId(rj) && ids.some((id) => idMatchesSelectorRegex(rj, id))))
        continue;
      if (!ids.some((id) => idMatchesSelectorRegex(byRegex.select, id))) continue;
    } else {
      if (!ids.some((id) => idSelectedBy(id, select))) continue;
      if (t.reject.some((rj) => !isEmptyId(rj) && ids.some((id) => idSelectedBy(id, rj)))) continue;
    }
    copyValueToTarget(r.obj, value, fieldPaths, t.options, deferred);
  }
}

/** types.NewTargetSelectorRegex (5.8): anchored Go regexps for select and every reject. */
function regexSelectors(
  select: SelectorSpec,
  reject: readonly SelectorSpec[],
): { select: Selector; reject: Selector[] } {
  const compile = (s: SelectorSpec): Selector => {
    const sel: Selector = { ...s, regex: {}, labels: [], annotations: [] };
    for (const f of ["group", "version", "kind", "name", "namespace"] as const) {
      if (s[f] === "") continue;
      const r = compileGoRegexp(anchorGoRegexp(s[f]));
      if (!r.ok)
        throw new ReplacementError(REPLACEMENT_CODES.selector, `error creating target selector: ${r.error}`);
      sel.regex[f] = r.re;
    }
    return sel;
  };
  return { select: compile(select), reject: reject.map(compile) };
}

function isEmptyId(s: SelectorSpec): boolean {
  return s.group === "" && s.version === "" && s.kind === "" && s.name === "" && s.namespace === "";
}

function compileLabels(s: CompiledSelector): void {
  for (const [f, k] of [
    ["annotationSelector", "annotations"],
    ["labelSelector", "labels"],
  ] as const) {
    const p = parseLabelSelector(s[f]);
    if (!p.ok)
      throw new ReplacementError(
        REPLACEMENT_CODES.selector,
        p.error,
        "use Kubernetes selector syntax, e.g. `app=web,tier in (a,b)`",
      );
    s[k] = p.requirements;
  }
}

function copyValueToTarget(
  obj: ValueMap,
  value: SourceNode,
  fieldPaths: readonly string[],
  o: FieldOptions | undefined,
  deferred: ReplacementError[],
): void {
  for (const fp of fieldPaths) {
    const create: NodeKind | undefined = o?.create ? value.kind : undefined;
    const what = create
      ? `unable to find or create field ${JSON.stringify(fp)} in replacement target`
      : `unable to find field ${JSON.stringify(fp)} in replacement target`;
    const m = matchFields(obj, splitFieldPath(fp), create);
    if (!m.ok) throw new ReplacementError(REPLACEMENT_CODES.targetField, `${what}: ${m.error}`);
    if (m.fields.length === 0) {
      throw new ReplacementError(
        REPLACEMENT_CODES.targetField,
        what,
        o?.create ? undefined : "set `options: {create: true}` on the target to add missing fields",
      );
    }
    for (const f of m.fields) {
      // kustomize only fails when it finally decodes the object, after every replacement ran; keep going too.
      try {
        setFieldValue(o, f, value);
      } catch (err) {
        if (!(err instanceof ReplacementError) || err.code !== REPLACEMENT_CODES.typeMismatch) throw err;
        deferred.push(err);
      }
    }
  }
}

/** setFieldValue: a scalar target keeps its tag and takes the new text; any other target becomes the source. */
function setFieldValue(o: FieldOptions | undefined, f: FieldRef, value: SourceNode): void {
  const current = f.get();
  const targetIsScalar = !Array.isArray(current) && !isMap(current);
  let text = value.kind === "scalar" ? value.text : "";
  if (o && o.delimiter !== "") {
    if (!targetIsScalar) {
      throw new ReplacementError(
        REPLACEMENT_CODES.options,
        "delimiter option can only be used with scalar nodes",
      );
    }
    const tv = (current === null ? "" : scalarText(current)).split(o.delimiter);
    if (o.index < 0) tv.unshift(text);
    else if (o.index >= tv.length) tv.push(text);
    else tv[o.index] = text;
    text = tv.join(o.delimiter);
  }
  if (targetIsScalar) {
    // A field the walk created has no tag, so the text resolves as plain YAML ("5" becomes the int 5).
    f.set(decode(text, f.created ? "" : tagOf(current)));
    return;
  }
  if (value.kind === "scalar") f.set(decode(text, value.tag));
  else f.set(deepClone(value.value));
}

/** yaml.v3 decoding of a scalar with an explicit tag (resolve's conversions and its error). */
function decode(text: string, tag: ScalarTag | ""): Value {
  if (tag === "!!str") return text;
  const r = resolvePlain(text);
  if (tag === "" || r.tag === tag) return r.value;
  if (tag === "!!float" && r.tag === "!!int") return Number(r.value);
  throw new ReplacementError(
    REPLACEMENT_CODES.typeMismatch,
    `map[string]interface {}(nil): yaml: cannot decode ${r.tag} \`${text}\` as a ${tag}`,
    "the target field keeps its YAML type; copy into a field of the same type or quote the target value",
  );
}
