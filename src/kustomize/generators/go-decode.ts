import { isMap, type Value } from "../../core/yaml/value.ts";

/**
 * How kustomize reads a kustomization entry into a Go struct (sigs.k8s.io/yaml: YAML to JSON, then
 * encoding/json with unknown fields disallowed): strict scalar types, `null` as the zero value, field
 * names matched exactly first and case-insensitively otherwise, errors worded like encoding/json's.
 */
export type GoField =
  | "string"
  | "bool"
  | "int64"
  | "stringList"
  | "stringMap"
  | { struct: string; fields: Record<string, GoField> };

export type DecodeResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function decodeGoStruct(
  raw: Value | undefined,
  struct: string,
  fields: Record<string, GoField>,
  path: string,
): DecodeResult {
  try {
    return { ok: true, value: decodeStruct(raw, struct, fields, path) ?? {} };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, message: `invalid Kustomization: json: ${e.message}` };
    throw e;
  }
}

class DecodeError extends Error {}

function jsonType(v: Value): string {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || typeof v === "bigint") return "number";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "array";
  return "object";
}

function mismatch(v: Value, struct: string, path: string, goType: string): DecodeError {
  return new DecodeError(
    `cannot unmarshal ${jsonType(v)} into Go struct field ${struct}.${path} of type ${goType}`,
  );
}

function decodeStruct(
  raw: Value | undefined,
  struct: string,
  fields: Record<string, GoField>,
  path: string,
): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMap(raw)) throw mismatch(raw, struct, path, `types.${struct}`);
  const out: Record<string, unknown> = {};
  const names = Object.keys(fields);
  for (const key of Object.keys(raw)) {
    const name = names.find((n) => n === key) ?? names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name === undefined) throw new DecodeError(`unknown field "${key}"`);
    const v = raw[key] as Value;
    const t = fields[name] as GoField;
    const p = path ? `${path}.${name}` : name;
    const decoded = decodeField(v, t, struct, p);
    if (decoded === undefined) delete out[name];
    else out[name] = decoded;
  }
  return out;
}

function decodeField(v: Value, t: GoField, struct: string, path: string): unknown {
  if (v === null) return undefined;
  if (typeof t === "object") return decodeStruct(v, t.struct, t.fields, path);
  switch (t) {
    case "string":
      if (typeof v !== "string") throw mismatch(v, struct, path, "string");
      return v;
    case "bool":
      if (typeof v !== "boolean") throw mismatch(v, struct, path, "bool");
      return v;
    case "int64": {
      if (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))) {
        const b = BigInt(v);
        if (b >= INT64_MIN && b <= INT64_MAX) return v;
      }
      if (typeof v === "number" || typeof v === "bigint") {
        throw new DecodeError(
          `cannot unmarshal number ${String(v)} into Go struct field ${struct}.${path} of type int64`,
        );
      }
      throw mismatch(v, struct, path, "int64");
    }
    case "stringList":
      if (!Array.isArray(v)) throw mismatch(v, struct, path, "[]string");
      return v.map((x) => {
        if (x === null) return "";
        if (typeof x !== "string") throw mismatch(x, struct, path, "string");
        return x;
      });
    case "stringMap": {
      if (!isMap(v)) throw mismatch(v, struct, path, "map[string]string");
      const m: Record<string, string> = {};
      for (const k of Object.keys(v)) {
        const x = v[k] as Value;
        if (x === null) m[k] = "";
        else if (typeof x !== "string") throw mismatch(x, struct, path, "string");
        else m[k] = x;
      }
      return m;
    }
  }
}

export const GENERATOR_OPTIONS_FIELDS: Record<string, GoField> = {
  labels: "stringMap",
  annotations: "stringMap",
  disableNameSuffixHash: "bool",
  immutable: "bool",
};

const GENERATOR_ARGS_FIELDS: Record<string, GoField> = {
  namespace: "string",
  name: "string",
  behavior: "string",
  literals: "stringList",
  files: "stringList",
  envs: "stringList",
  env: "string",
  options: { struct: "GeneratorOptions", fields: GENERATOR_OPTIONS_FIELDS },
};

export const CONFIGMAP_ARGS_FIELDS: Record<string, GoField> = GENERATOR_ARGS_FIELDS;
export const SECRET_ARGS_FIELDS: Record<string, GoField> = { ...GENERATOR_ARGS_FIELDS, type: "string" };
