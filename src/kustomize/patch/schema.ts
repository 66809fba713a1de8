import { MERGE_DEFINITIONS, RESOURCE_TYPES } from "./k8s-merge-keys.ts";

/**
 * The slice of kyaml's OpenAPI schema that strategic merge needs. `undefined` stands for "no schema", which
 * matters beyond merge keys: a node without schema is looked up by its own apiVersion/kind.
 */
export type Schema =
  | { readonly t: "def"; readonly props: ReadonlyMap<string, Schema> }
  | { readonly t: "map"; readonly values: Schema }
  | { readonly t: "list"; readonly keys: readonly string[]; readonly items: Schema }
  /** A known schema with no merge list anywhere below it. */
  | { readonly t: "opaque" };

export const OPAQUE: Schema = { t: "opaque" };

const defs = new Map<string, Schema>();

function definition(name: string): Schema {
  const known = defs.get(name);
  if (known) return known;
  const spec = MERGE_DEFINITIONS[name];
  if (spec === undefined) return OPAQUE;
  const props = new Map<string, Schema>();
  const def: Schema = { t: "def", props };
  // Registered before parsing its properties: definitions can be recursive.
  defs.set(name, def);
  for (const entry of spec.split(" ")) {
    const colon = entry.indexOf(":");
    if (colon < 0) {
      props.set(entry, OPAQUE);
      continue;
    }
    props.set(entry.slice(0, colon), propertySchema(entry.slice(colon + 1)));
  }
  return def;
}

function propertySchema(spec: string): Schema {
  if (spec.startsWith("[")) {
    const bar = spec.indexOf("|");
    const item = spec.slice(1, bar);
    const keys = spec.slice(bar + 1);
    return { t: "list", keys: keys === "" ? [] : keys.split(","), items: item ? definition(item) : OPAQUE };
  }
  if (spec.startsWith("{")) return { t: "map", values: definition(spec.slice(1)) };
  return definition(spec);
}

/** kyaml's openapi.SchemaForResourceType: exact apiVersion and kind. */
export function schemaForResourceType(apiVersion: string, kind: string): Schema | undefined {
  const name = RESOURCE_TYPES[`${apiVersion} ${kind}`];
  if (name === undefined) return undefined;
  return name === "" ? OPAQUE : definition(name);
}

/** kyaml's ResourceSchema.Field. */
export function fieldSchema(s: Schema, field: string): Schema | undefined {
  switch (s.t) {
    case "def":
      return s.props.get(field);
    case "map":
      return s.values;
    case "list":
      return undefined;
    case "opaque":
      return OPAQUE;
  }
}

/** kyaml's ResourceSchema.Elements. */
export function elementSchema(s: Schema): Schema | undefined {
  switch (s.t) {
    case "list":
      return s.items;
    case "opaque":
      return OPAQUE;
    default:
      return undefined;
  }
}

/** The merge keys when the list is associative (`patchStrategy` contains `merge`), else undefined. */
export function mergeKeys(s: Schema | undefined): readonly string[] | undefined {
  return s?.t === "list" ? s.keys : undefined;
}
