import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import flux from "./schemas/flux.json" with { type: "json" };
import k8s from "./schemas/kubernetes.json" with { type: "json" };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Base of the ids the Kubernetes definitions are registered under. */
const K8S_ID = "https://homeops.invalid/k8s/";

/** The version current Flux serves for each of its kinds, by `group/kind`. */
const SERVED = new Map<string, string>();
for (const key of Object.keys(flux.crds)) {
  const [apiVersion = "", kind = ""] = key.split(" ");
  SERVED.set(`${apiVersion.slice(0, apiVersion.indexOf("/"))}/${kind}`, apiVersion);
}

/** The apiVersion current Flux serves for a kind of its API group, or undefined for other kinds. */
export function fluxServedVersion(group: string, kind: string): string | undefined {
  return SERVED.get(`${group}/${kind}`);
}

/** A schema problem: `unknown` for a field the schema does not declare (the API server prunes or rejects it). */
export interface SchemaProblem {
  path: (string | number)[];
  message: string;
  unknown: boolean;
}

export type SchemaSource = "kubernetes" | "flux" | "crd";

/**
 * Validators for Kubernetes objects: the built-in kinds and Flux's CRDs we ship (src/validate/schemas, see
 * scripts/gen-check-schemas.ts), then the CRDs a repository defines. Each kind's schema is compiled once per
 * check, cut down to the fields its objects actually have (a Deployment's schema reaches all of PodSpec;
 * compiling all of it costs more than rendering the repository).
 */
export class SchemaSet {
  // Compiling dominates (each kind is validated a few dozen times at most): skip ajv's code optimizer.
  readonly #ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    validateSchema: false,
    // CRD patterns are Go regular expressions, which the u flag rejects more often.
    unicodeRegExp: false,
    code: { optimize: false },
  });
  readonly #broken = new Map<string, string>();
  readonly #crds = new Map<string, Obj>();
  readonly #k8sDefs = new Map<string, Json>();

  /** Adds the versions of a CustomResourceDefinition found in the repository (they win over shipped ones). */
  addCrd(crd: ValueMap): void {
    const spec = crd.spec;
    if (!isMap(spec) || typeof spec.group !== "string" || !isMap(spec.names)) return;
    const kind = spec.names.kind;
    if (typeof kind !== "string" || !Array.isArray(spec.versions)) return;
    for (const v of spec.versions) {
      if (!isMap(v) || typeof v.name !== "string") continue;
      const schema = isMap(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (isMap(schema)) this.#crds.set(`${spec.group}/${v.name} ${kind}`, schema as unknown as Obj);
    }
  }

  /** Where the schema of a kind comes from, or undefined when there is none. */
  sourceOf(apiVersion: string, kind: string): SchemaSource | undefined {
    const key = `${apiVersion} ${kind}`;
    if (this.#crds.has(key)) return "crd";
    if (key in flux.crds) return "flux";
    if (key in k8s.kinds) return "kubernetes";
    return undefined;
  }

  /** Why the schema of a kind could not be compiled (e.g. a pattern JavaScript cannot read), if it could not. */
  compileError(apiVersion: string, kind: string): string | undefined {
    return this.#broken.get(`${apiVersion} ${kind}`);
  }

  /** Problems of one object against its kind's schema; undefined when the kind has no (usable) schema. */
  validate(obj: ValueMap): SchemaProblem[] | undefined {
    return this.validateKind(String(obj.apiVersion ?? ""), String(obj.kind ?? ""), [obj])?.[0];
  }

  /**
   * Problems of each object of one kind (same order); undefined when the kind has no (usable) schema. Compiles
   * the kind's schema once for all of them.
   */
  validateKind(
    apiVersion: string,
    kind: string,
    objects: readonly ValueMap[],
  ): SchemaProblem[][] | undefined {
    const key = `${apiVersion} ${kind}`;
    const source = this.sourceOf(apiVersion, kind);
    if (source === undefined) return undefined;
    const data = objects.map(withoutNulls);
    const shape = newShape();
    for (const d of data) addShape(shape, d);
    let fn: ValidateFunction;
    try {
      const root =
        source === "kubernetes"
          ? this.#k8sDef((k8s.kinds as Record<string, string>)[key]!)
          : withObjectMeta(
              fromOpenApi(
                (source === "crd"
                  ? this.#crds.get(key)
                  : (flux.crds as Record<string, { schema: Json }>)[key]?.schema) ?? {},
                true,
              ),
            );
      fn = this.#ajv.compile(prune(root, shape, (ref) => this.#k8sDef(ref.slice(K8S_ID.length))) as object);
    } catch (e) {
      // A repository's CRD is data: one that cannot be compiled leaves its kind unvalidated, and says why.
      this.#broken.set(key, e instanceof Error ? e.message.split("\n")[0]! : String(e));
      return undefined;
    }
    return data.map((d) => (fn(d) ? [] : problems(fn.errors ?? [])));
  }

  /** A Kubernetes definition as JSON Schema (its `$ref`s left for `prune` to follow), converted once. */
  #k8sDef(name: string): Json {
    let d = this.#k8sDefs.get(name);
    if (d === undefined) {
      d = fromOpenApi((k8s.definitions as Record<string, Json>)[name] ?? {}, false);
      this.#k8sDefs.set(name, d);
    }
    return d;
  }
}

/** The fields a set of objects has: names of mapping keys (recursively) and what their list items hold. */
interface Shape {
  props: Map<string, Shape>;
  items: Shape | undefined;
}

function newShape(): Shape {
  return { props: new Map(), items: undefined };
}

function addShape(shape: Shape, v: Value): void {
  if (Array.isArray(v)) {
    shape.items ??= newShape();
    for (const x of v) addShape(shape.items, x);
  } else if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      let child = shape.props.get(k);
      if (!child) {
        child = newShape();
        shape.props.set(k, child);
      }
      addShape(child, x);
    }
  }
}

/**
 * The part of a schema that can judge values of this shape: subschemas of fields no object has become `true`
 * (their names stay, so undeclared fields are still found), `$ref`s are inlined along the way. Validating the
 * objects against the result gives exactly the errors the whole schema gives.
 */
function prune(s: Json, shape: Shape, resolve: (ref: string) => Json): Json {
  if (!isObj(s)) return s;
  if (typeof s.$ref === "string") {
    const { $ref, ...rest } = s;
    const target = prune(resolve($ref as string), shape, resolve);
    return Object.keys(rest).length === 0 ? target : { allOf: [target, prune(rest, shape, resolve)] };
  }
  const out: Obj = { ...s };
  const declared = isObj(s.properties) ? s.properties : undefined;
  if (declared) {
    const props: Obj = {};
    for (const [name, sub] of Object.entries(declared)) {
      const child = shape.props.get(name);
      props[name] = child ? prune(sub, child, resolve) : true;
    }
    out.properties = props;
  }
  if (isObj(s.additionalProperties)) {
    const extra = newShape();
    let any = false;
    for (const [name, child] of shape.props) {
      if (declared && name in declared) continue;
      any = true;
      mergeShape(extra, child);
    }
    out.additionalProperties = any ? prune(s.additionalProperties, extra, resolve) : true;
  }
  if (isObj(s.items)) out.items = shape.items ? prune(s.items, shape.items, resolve) : true;
  for (const k of ["allOf", "anyOf", "oneOf"] as const) {
    const list = s[k];
    if (Array.isArray(list)) out[k] = list.map((x) => prune(x, shape, resolve));
  }
  return out;
}

function mergeShape(into: Shape, from: Shape): void {
  for (const [k, child] of from.props) {
    let mine = into.props.get(k);
    if (!mine) {
      mine = newShape();
      into.props.set(k, mine);
    }
    mergeShape(mine, child);
  }
  if (from.items) {
    into.items ??= newShape();
    mergeShape(into.items, from.items);
  }
}

/**
 * An OpenAPI v3 (Kubernetes flavour) schema as JSON Schema: `nullable`, int-or-string and Quantity fields, and
 * for structural CRD schemas no undeclared fields unless `x-kubernetes-preserve-unknown-fields`.
 */
function fromOpenApi(s: Json, structural: boolean): Json {
  if (Array.isArray(s)) return s.map((x) => fromOpenApi(x, structural));
  if (s === null || typeof s !== "object") return s;
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith("x-kubernetes-") || k === "nullable" || k === "default") continue;
    if (k === "$ref" && typeof v === "string") out.$ref = v.replace("#/definitions/", K8S_ID);
    else if (k === "properties" && isObj(v)) {
      const props: Obj = {};
      for (const [name, p] of Object.entries(v)) props[name] = fromOpenApi(p, structural);
      out.properties = props;
    } else out[k] = fromOpenApi(v, structural);
  }
  if (s["x-kubernetes-int-or-string"] === true || s.format === "int-or-string") {
    delete out.type;
    delete out.format;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  // Quantity is a string in the definitions, but `cpu: 1` is as valid as `cpu: "1"`.
  if (s.type === "string" && typeof s.format !== "string" && isQuantityLike(s))
    out.type = ["string", "number"];
  if (s.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  // Flux Operator lets notification-controller watch its own kinds (Alert eventSources, Receiver resources).
  if (Array.isArray(out.enum) && out.enum.includes("Kustomization") && out.enum.includes("GitRepository"))
    out.enum = [...out.enum, ...FLUX_OPERATOR_KINDS.filter((k) => !(out.enum as Json[]).includes(k))];
  if (s["x-kubernetes-embedded-resource"] === true) withObjectMeta(out);
  if (
    structural &&
    s.type === "object" &&
    isObj(s.properties) &&
    s.additionalProperties === undefined &&
    s["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** The API server accepts apiVersion, kind and metadata at the root of every object, declared or not. */
function withObjectMeta(schema: Json): Json {
  if (!isObj(schema)) return schema;
  const props = isObj(schema.properties) ? schema.properties : {};
  schema.properties = {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    ...props,
  };
  return schema;
}

const FLUX_OPERATOR_KINDS = ["FluxInstance", "FluxReport", "ResourceSet", "ResourceSetInputProvider"];

const QUANTITY = new WeakSet<object>();
for (const name of ["io.k8s.apimachinery.pkg.api.resource.Quantity"]) {
  const d = (k8s.definitions as Record<string, Json>)[name];
  if (isObj(d)) QUANTITY.add(d);
}

function isQuantityLike(s: Obj): boolean {
  return QUANTITY.has(s);
}

function isObj(v: Json | undefined): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Go's JSON decoding treats `key: null` as an absent field. */
function withoutNulls(v: Value): Value {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!isMap(v)) return typeof v === "bigint" ? Number(v) : v;
  const out: ValueMap = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
  return out;
}

/** ajv errors as field paths and sentences; one problem per field (the first), in document order. */
function problems(errors: ErrorObject[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // anyOf/oneOf branches report each alternative; the summary error carries the field.
    if (e.keyword === "anyOf" || e.keyword === "oneOf" || e.keyword === "if") continue;
    const path = e.instancePath
      .split("/")
      .slice(1)
      .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    let message: string;
    let unknown = false;
    if (e.keyword === "additionalProperties") {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      path.push(name);
      message = "unknown field";
      unknown = true;
    } else if (e.keyword === "required") {
      message = `missing required field '${String((e.params as { missingProperty: string }).missingProperty)}'`;
    } else if (e.keyword === "enum") {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
    } else message = e.message ?? e.keyword;
    const key = path.join("/");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message, unknown });
  }
  return out;
}
