import type { Diagnostics, Position } from "../core/diagnostics.ts";
import type { LoadedDoc } from "../core/yaml/load.ts";
import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";

export const KUSTOMIZATION_FILE_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;
export const KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1";
export const COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1";

/** The kustomization file fields kustomize v5.5 knows (types.Kustomization); anything else is rejected. */
const FIELD_TYPES = {
  apiVersion: "string",
  kind: "string",
  metadata: "map",
  openapi: "map",
  namePrefix: "string",
  nameSuffix: "string",
  namespace: "string",
  commonLabels: "stringMap",
  labels: "list",
  commonAnnotations: "stringMap",
  patchesStrategicMerge: "stringList",
  patchesJson6902: "list",
  patches: "list",
  images: "list",
  imageTags: "list",
  replacements: "list",
  replicas: "list",
  vars: "list",
  sortOptions: "map",
  resources: "stringList",
  components: "stringList",
  crds: "stringList",
  bases: "stringList",
  configMapGenerator: "list",
  secretGenerator: "list",
  helmGlobals: "map",
  helmCharts: "list",
  helmChartInflationGenerator: "list",
  generatorOptions: "map",
  configurations: "stringList",
  generators: "stringList",
  transformers: "stringList",
  validators: "stringList",
  buildMetadata: "stringList",
} as const;

type FieldName = keyof typeof FIELD_TYPES;
const FIELD_BY_LOWER = new Map<string, FieldName>(
  (Object.keys(FIELD_TYPES) as FieldName[]).map((k) => [k.toLowerCase(), k]),
);

/** A list entry with the position it was written at. */
export interface Entry<T> {
  value: T;
  at: Position;
}

export interface Kustomization {
  /** Absolute directory and file. */
  dir: string;
  file: string;
  kind: "Kustomization" | "Component";
  apiVersion: string;
  /** Field values as written (after kustomize's FixKustomization), each with its position. */
  fields: Partial<Record<FieldName, Value>>;
  at: Partial<Record<FieldName, Position>>;
  /** Position of the document (for problems with no better place). */
  docAt: Position;
  doc: LoadedDoc;
}

/**
 * Turns a loaded kustomization document into a Kustomization, reporting what kustomize would reject:
 * unknown fields (kustomize decodes with DisallowUnknownFields, matching names case-insensitively like Go's json),
 * wrong types, wrong kind/apiVersion, an empty file. Returns undefined when the file cannot be used.
 */
export function parseKustomization(
  doc: LoadedDoc | undefined,
  dir: string,
  file: string,
  relFile: string,
  diags: Diagnostics,
): Kustomization | undefined {
  const docAt: Position = { file: relFile, line: doc?.line ?? 1, column: doc?.column ?? 1 };
  const value = doc?.value ?? null;
  if (value === null || (isMap(value) && Object.keys(value).length === 0)) {
    diags.error(
      "KUS005",
      "kustomization file is empty",
      docAt,
      "Add resources, components or generators to it.",
    );
    return undefined;
  }
  if (!isMap(value)) {
    diags.error("KUS003", "invalid kustomization: the document is not a mapping", docAt);
    return undefined;
  }
  const fields: Partial<Record<FieldName, Value>> = {};
  const at: Partial<Record<FieldName, Position>> = {};
  let ok = true;
  for (const key of Object.keys(value)) {
    const pos = doc?.positionOf([key]);
    const where: Position = {
      file: relFile,
      line: pos?.line ?? docAt.line,
      column: pos?.column ?? docAt.column,
    };
    const name = FIELD_BY_LOWER.get(key.toLowerCase());
    if (!name) {
      ok = false;
      diags.error(
        "KUS003",
        `invalid Kustomization: unknown field "${key}"`,
        where,
        FLUX_FIELDS.has(key)
          ? "This looks like a Flux Kustomization (kustomize.toolkit.fluxcd.io); a kustomization.yaml must be a kustomize.config.k8s.io Kustomization. List the Flux object as a resource in a kustomization.yaml instead."
          : `Known fields: ${Object.keys(FIELD_TYPES).join(", ")}.`,
      );
      continue;
    }
    const v = value[key] as Value;
    const problem = typeProblem(FIELD_TYPES[name], v);
    if (problem) {
      ok = false;
      diags.error("KUS003", `invalid Kustomization: field "${name}" ${problem}`, where);
      continue;
    }
    if (v !== null) {
      fields[name] = v;
      at[name] = where;
    }
  }
  if (!ok) return undefined;

  let kind = (fields.kind as string | undefined) ?? "";
  let apiVersion = (fields.apiVersion as string | undefined) ?? "";
  if (kind === "") kind = "Kustomization";
  if (kind !== "Kustomization" && kind !== "Component") {
    diags.error("KUS004", `kind should be Kustomization or Component, not "${kind}"`, at.kind ?? docAt);
    return undefined;
  }
  const required = kind === "Component" ? COMPONENT_VERSION : KUSTOMIZATION_VERSION;
  if (apiVersion === "") apiVersion = required;
  if (apiVersion !== required) {
    diags.error(
      "KUS004",
      `apiVersion for ${kind} should be ${required}, not "${apiVersion}"`,
      at.apiVersion ?? docAt,
    );
    return undefined;
  }
  const meaningful = Object.keys(fields).filter((k) => k !== "kind" && k !== "apiVersion");
  if (meaningful.length === 0) {
    diags.error(
      "KUS005",
      "kustomization file is empty",
      docAt,
      "Add resources, components or generators to it.",
    );
    return undefined;
  }
  // FixKustomization: `bases` join `resources`, `imageTags` join `images`.
  fix(fields, at, "resources", "bases");
  fix(fields, at, "images", "imageTags");
  return { dir, file, kind, apiVersion, fields, at, docAt, doc: doc! };
}

function fix(
  fields: Partial<Record<FieldName, Value>>,
  at: Partial<Record<FieldName, Position>>,
  into: FieldName,
  from: FieldName,
): void {
  const extra = fields[from];
  if (!Array.isArray(extra)) return;
  const base = Array.isArray(fields[into]) ? (fields[into] as Value[]) : [];
  fields[into] = [...base, ...extra];
  if (!at[into] && at[from]) at[into] = at[from];
  delete fields[from];
}

const FLUX_FIELDS = new Set(["spec", "status", "sourceRef", "interval", "path", "prune"]);

function typeProblem(t: (typeof FIELD_TYPES)[FieldName], v: Value): string | undefined {
  if (v === null) return undefined;
  switch (t) {
    case "string":
      return typeof v === "string" ? undefined : `must be a string, not ${describe(v)}`;
    case "map":
      return isMap(v) ? undefined : `must be a mapping, not ${describe(v)}`;
    case "stringMap":
      if (!isMap(v)) return `must be a mapping of strings, not ${describe(v)}`;
      for (const [k, x] of Object.entries(v)) {
        if (typeof x !== "string" && x !== null)
          return `value of "${k}" must be a string, not ${describe(x)}; quote it`;
      }
      return undefined;
    case "list":
      return Array.isArray(v) ? undefined : `must be a list, not ${describe(v)}`;
    case "stringList":
      if (!Array.isArray(v)) return `must be a list of strings, not ${describe(v)}`;
      for (const x of v)
        if (typeof x !== "string") return `must be a list of strings, but holds ${describe(x)}`;
      return undefined;
  }
}

function describe(v: Value): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "bigint") return "a number";
  return `a ${typeof v}`;
}

/** A list field as entries with positions (string entries only). */
export function stringEntries(k: Kustomization, name: FieldName): Entry<string>[] {
  const v = k.fields[name];
  if (!Array.isArray(v)) return [];
  return v.map((x, i) => ({ value: String(x), at: entryPos(k, name, i) }));
}

export function listEntries(k: Kustomization, name: FieldName): Entry<Value>[] {
  const v = k.fields[name];
  if (!Array.isArray(v)) return [];
  return v.map((x, i) => ({ value: x, at: entryPos(k, name, i) }));
}

export function entryPos(k: Kustomization, name: FieldName, index: number): Position {
  const p = k.doc.positionOf([name, index]);
  const base = k.at[name] ?? k.docAt;
  return { file: base.file, line: p?.line ?? base.line, column: p?.column ?? base.column };
}

export function stringField(k: Kustomization, name: FieldName): string | undefined {
  const v = k.fields[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function stringMapField(k: Kustomization, name: FieldName): Record<string, string> {
  const v = k.fields[name];
  const out: Record<string, string> = {};
  if (isMap(v))
    for (const [key, x] of Object.entries(v as ValueMap)) out[key] = typeof x === "string" ? x : "";
  return out;
}
