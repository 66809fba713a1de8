import type { Position } from "../../core/diagnostics.ts";
import { isMap, newMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { idEquals, type ResId } from "../resid.ts";
import {
  allIds,
  currentId,
  type GeneratorBehavior,
  metadata,
  type Resource,
  renameResource,
} from "../resource.ts";
import { parseEnvFile } from "./dotenv.ts";
import {
  CONFIGMAP_ARGS_FIELDS,
  decodeGoStruct,
  GENERATOR_OPTIONS_FIELDS,
  type GoField,
  SECRET_ARGS_FIELDS,
} from "./go-decode.ts";
import { kustomizeHash } from "./hash.ts";

/** kustomize's types.GeneratorOptions (per generator `options`, or the kustomization's `generatorOptions`). */
export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

/** One `configMapGenerator` entry (types.ConfigMapArgs). */
export interface ConfigMapArgs {
  name?: string;
  namespace?: string;
  /** create | merge | replace; anything else is kustomize's "unspecified", which acts like create. */
  behavior?: string;
  literals?: readonly string[];
  files?: readonly string[];
  envs?: readonly string[];
  /** Legacy singular form; kustomize appends it after `envs`. */
  env?: string;
  options?: GeneratorOptions;
}

/** One `secretGenerator` entry (types.SecretArgs). */
export interface SecretArgs extends ConfigMapArgs {
  /** Secret type; Opaque when empty. */
  type?: string;
}

/** `code`: the diagnostic to report instead of GEN004 (e.g. a remote file that cannot be fetched offline). */
export type FileReadResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; message: string; code?: string; hint?: string };

/**
 * How generators read `files` and `envs`. Paths are as written in the kustomization (relative to its
 * directory); the build orchestrator resolves them and applies the load restrictor.
 */
export interface GeneratorFileReader {
  readFile(path: string): FileReadResult;
}

/** Diagnostic codes of this module. */
export const GEN_CODES = {
  /** Missing generator name. */
  noName: "GEN001",
  /** Malformed literal (`key=value` expected). */
  badLiteral: "GEN002",
  /** Malformed file source (`[key=]path`). */
  badFileSource: "GEN003",
  /** A file or env file could not be read. */
  unreadable: "GEN004",
  /** An env file has a line that is not UTF-8. */
  badEnvFile: "GEN005",
  /** The same key comes twice from one generator's sources. */
  duplicateKey: "GEN006",
  /** Unknown `behavior` value (kustomize silently treats it as create). */
  unknownBehavior: "GEN007",
  /** merge/replace with no object to merge into. */
  nothingToMerge: "GEN008",
  /** create (or no behavior) on an id that already exists. */
  alreadyExists: "GEN009",
  /** merge/replace matches more than one object. */
  ambiguousMerge: "GEN010",
  /** A key the API server would reject (kustomize itself does not check; a warning only). */
  invalidKey: "GEN011",
  /** Hash suffix requested on a kind kustomize cannot hash sensibly. */
  unhashable: "GEN012",
  /** A generator entry or generatorOptions does not decode (wrong type, unknown field). */
  badEntry: "GEN013",
} as const;

/**
 * types.MergeGlobalOptionsIntoLocal: local labels/annotations win over the kustomization's
 * `generatorOptions`; booleans are OR-ed, since a local `false` cannot be told apart from unset.
 */
export function mergeGlobalOptionsIntoLocal(
  local: GeneratorOptions | undefined,
  global: GeneratorOptions | undefined,
): GeneratorOptions | undefined {
  if (global === undefined) return local;
  const out: GeneratorOptions = { ...local };
  const labels = mergeMissing(local?.labels, global.labels);
  if (labels !== undefined) out.labels = labels;
  const annotations = mergeMissing(local?.annotations, global.annotations);
  if (annotations !== undefined) out.annotations = annotations;
  if (global.disableNameSuffixHash) out.disableNameSuffixHash = true;
  if (global.immutable) out.immutable = true;
  return out;
}

function mergeMissing(
  local: Record<string, string> | undefined,
  global: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (local === undefined) return global === undefined ? undefined : { ...global };
  const out = { ...local };
  for (const [k, v] of Object.entries(global ?? {})) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

/** Builds the ConfigMap of one `configMapGenerator` entry; undefined after reporting an error. */
export function generateConfigMap(
  args: ConfigMapArgs,
  globalOptions: GeneratorOptions | undefined,
  files: GeneratorFileReader,
  ctx: TransformContext,
  origin: Position = ctx.at,
): Resource | undefined {
  const decoded = decodeArgs(
    args,
    globalOptions,
    "ConfigMapArgs",
    CONFIGMAP_ARGS_FIELDS,
    "configMapGenerator",
    ctx,
  );
  if (decoded === undefined) return undefined;
  args = decoded.args;
  const options = mergeGlobalOptionsIntoLocal(args.options, decoded.global);
  const obj = baseObject("ConfigMap", args, ctx);
  if (obj === undefined) return undefined;
  const pairs = loadPairs(args, files, ctx);
  if (pairs === undefined) return undefined;
  const data = newMap();
  const binaryData = newMap();
  for (const [k, v] of sortedEntries(pairs)) {
    // Text that is not UTF-8 cannot live in `data`; kustomize moves it to base64 `binaryData`.
    const text = typeof v === "string" ? v : decodeUtf8(v);
    if (text !== undefined) data[k] = text;
    else binaryData[k] = encodeBase64(v as Uint8Array);
  }
  if (Object.keys(data).length > 0) obj.data = data;
  if (Object.keys(binaryData).length > 0) obj.binaryData = binaryData;
  return finish(obj, args, options, ctx, origin);
}

/** Builds the Secret of one `secretGenerator` entry; undefined after reporting an error. */
export function generateSecret(
  args: SecretArgs,
  globalOptions: GeneratorOptions | undefined,
  files: GeneratorFileReader,
  ctx: TransformContext,
  origin: Position = ctx.at,
): Resource | undefined {
  const decoded = decodeArgs(args, globalOptions, "SecretArgs", SECRET_ARGS_FIELDS, "secretGenerator", ctx);
  if (decoded === undefined) return undefined;
  args = decoded.args;
  const options = mergeGlobalOptionsIntoLocal(args.options, decoded.global);
  const obj = baseObject("Secret", args, ctx);
  if (obj === undefined) return undefined;
  obj.type = args.type ? args.type : "Opaque";
  const pairs = loadPairs(args, files, ctx);
  if (pairs === undefined) return undefined;
  // A Secret always gets `data`, even empty; every value is base64 whatever its encoding.
  const data = newMap();
  for (const [k, v] of sortedEntries(pairs)) {
    data[k] = encodeBase64(typeof v === "string" ? Buffer.from(v, "utf8") : v);
  }
  obj.data = data;
  return finish(obj, args, options, ctx, origin);
}

/**
 * The orchestrator may hand over the raw YAML entry: check it the way kustomize's strict JSON decoding would
 * (types, unknown fields, case-insensitive names) so that a wrong entry fails as it does in kustomize.
 */
function decodeArgs<T extends ConfigMapArgs>(
  args: T,
  global: GeneratorOptions | undefined,
  struct: string,
  fields: Record<string, GoField>,
  path: string,
  ctx: TransformContext,
): { args: T; global: GeneratorOptions | undefined } | undefined {
  const a = decodeGoStruct(args as unknown as Value, struct, fields, path);
  if (!a.ok) {
    ctx.diags.error(GEN_CODES.badEntry, a.message, ctx.at);
    return undefined;
  }
  if (global === undefined) return { args: a.value as T, global };
  const g = decodeGoStruct(
    global as unknown as Value,
    "GeneratorOptions",
    GENERATOR_OPTIONS_FIELDS,
    "generatorOptions",
  );
  if (!g.ok) {
    ctx.diags.error(GEN_CODES.badEntry, g.message, ctx.at);
    return undefined;
  }
  return { args: a.value as T, global: g.value as GeneratorOptions };
}

function baseObject(kind: "ConfigMap" | "Secret", args: ConfigMapArgs, ctx: TransformContext) {
  if (!args.name) {
    // kustomize says "configmap" for Secrets too.
    ctx.diags.error(
      GEN_CODES.noName,
      `a ${kind === "Secret" ? "secret" : "configmap"} must have a name`,
      ctx.at,
    );
    return undefined;
  }
  const obj = newMap();
  obj.apiVersion = "v1";
  obj.kind = kind;
  const md = newMap();
  md.name = args.name;
  if (args.namespace) md.namespace = args.namespace;
  obj.metadata = md;
  return obj;
}

function finish(
  obj: ValueMap,
  args: ConfigMapArgs,
  options: GeneratorOptions | undefined,
  ctx: TransformContext,
  origin: Position,
): Resource {
  const md = obj.metadata as ValueMap;
  const labels = stringRecordToMap(options?.labels);
  if (labels !== undefined) md.labels = labels;
  const annotations = stringRecordToMap(options?.annotations);
  if (annotations !== undefined) md.annotations = annotations;
  if (options?.immutable) obj.immutable = true;
  const r: Resource = { obj, origin, prevIds: [] };
  const behavior = parseBehavior(args.behavior, ctx);
  if (behavior !== undefined) r.behavior = behavior;
  if (!options?.disableNameSuffixHash) r.needsHashSuffix = true;
  return r;
}

function parseBehavior(b: string | undefined, ctx: TransformContext): GeneratorBehavior | undefined {
  if (b === "create" || b === "merge" || b === "replace") return b;
  if (b !== undefined && b !== "") {
    ctx.diags.warning(
      GEN_CODES.unknownBehavior,
      `unknown generator behavior '${b}'; kustomize treats it as 'create'`,
      ctx.at,
      "use one of create, merge, replace",
    );
  }
  return undefined;
}

function stringRecordToMap(r: Record<string, string> | undefined): ValueMap | undefined {
  if (r === undefined) return undefined;
  const keys = Object.keys(r);
  if (keys.length === 0) return undefined;
  const m = newMap();
  for (const k of keys.sort()) m[k] = r[k] as string;
  return m;
}

/** A key's value: text from literals/env files, raw bytes from `files`. */
type PairValue = string | Uint8Array;

/**
 * kv.Load then makeValidatedDataMap: env files first, then literals, then files; a repeated key is an error.
 * kustomize's key validator is a no-op, so odd keys pass; we only warn about keys the API server rejects.
 */
function loadPairs(
  args: ConfigMapArgs,
  files: GeneratorFileReader,
  ctx: TransformContext,
): Map<string, PairValue> | undefined {
  const all: Array<[string, PairValue]> = [];
  const envs = [...(args.envs ?? [])];
  if (args.env) envs.push(args.env);
  for (const p of envs) {
    const read = files.readFile(p);
    if (!read.ok) {
      ctx.diags.error(
        read.code ?? GEN_CODES.unreadable,
        `env source files: ${read.message}`,
        ctx.at,
        read.hint,
      );
      return undefined;
    }
    const parsed = parseEnvFile(read.bytes);
    if (!parsed.ok) {
      ctx.diags.error(GEN_CODES.badEnvFile, `env file '${p}': ${parsed.message}`, ctx.at);
      return undefined;
    }
    for (const { key, value } of parsed.pairs) all.push([key, value]);
  }
  for (const s of args.literals ?? []) {
    const kv = parseLiteralSource(s);
    if (!kv.ok) {
      ctx.diags.error(GEN_CODES.badLiteral, kv.message, ctx.at);
      return undefined;
    }
    all.push([kv.key, kv.value]);
  }
  for (const s of args.files ?? []) {
    const src = parseFileSource(s);
    if (!src.ok) {
      ctx.diags.error(GEN_CODES.badFileSource, `file sources: ${src.message}`, ctx.at);
      return undefined;
    }
    const read = files.readFile(src.path);
    if (!read.ok) {
      ctx.diags.error(read.code ?? GEN_CODES.unreadable, `file sources: ${read.message}`, ctx.at, read.hint);
      return undefined;
    }
    all.push([src.key, read.bytes]);
  }
  const out = new Map<string, PairValue>();
  for (const [k, v] of all) {
    if (out.has(k)) {
      ctx.diags.error(
        GEN_CODES.duplicateKey,
        `configmap ${args.name ?? ""} illegally repeats the key \`${k}\``,
        ctx.at,
      );
      return undefined;
    }
    if (!isValidConfigMapKey(k)) {
      ctx.diags.warning(
        GEN_CODES.invalidKey,
        `key '${k}' of ${args.name ?? ""} is not a valid ConfigMap/Secret key; the API server will reject it`,
        ctx.at,
        "keys may contain only alphanumerics, '-', '_' and '.'",
      );
    }
    out.set(k, v);
  }
  return out;
}

/** kv.parseLiteralSource: split at the first `=`; quotes are removed only when they wrap the whole value. */
export function parseLiteralSource(
  s: string,
): { ok: true; key: string; value: string } | { ok: false; message: string } {
  const i = s.indexOf("=");
  if (i <= 0) return { ok: false, message: `invalid literal source ${s}, expected key=value` };
  return { ok: true, key: s.slice(0, i), value: removeQuotes(s.slice(i + 1)) };
}

function removeQuotes(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  return s[0] === '"' || s[0] === "'" ? s.slice(1, -1) : s;
}

/** generators.ParseFileSource: `path` (key = base name) or `key=path`; any other `=` is an error. */
export function parseFileSource(
  s: string,
): { ok: true; key: string; path: string } | { ok: false; message: string } {
  const n = s.split("=").length - 1;
  if (n === 0) return { ok: true, key: goPathBase(s), path: s };
  if (n === 1 && s.startsWith("=")) {
    return {
      ok: false,
      message: `missing key name for file path ${goQuote(s.slice(1))} in source ${goQuote(s)}`,
    };
  }
  if (n === 1 && s.endsWith("=")) {
    return {
      ok: false,
      message: `missing file path for key name ${goQuote(s.slice(0, -1))} in source ${goQuote(s)}`,
    };
  }
  if (n > 1) return { ok: false, message: `source ${goQuote(s)} key name or file path contains '='` };
  const [key, path] = s.split("=") as [string, string];
  return { ok: true, key, path };
}

/** Go's path.Base. */
export function goPathBase(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** k8s IsConfigMapKey: `[-._a-zA-Z0-9]+`, at most 253 chars, not `.`/`..`/`..`-prefixed. */
export function isValidConfigMapKey(k: string): boolean {
  return (
    k.length > 0 &&
    k.length <= 253 &&
    /^[-._a-zA-Z0-9]+$/.test(k) &&
    k !== "." &&
    k !== ".." &&
    !k.startsWith("..")
  );
}

function sortedEntries(m: Map<string, PairValue>): Array<[string, PairValue]> {
  // kustomize inserts keys in sort.Strings order; output sorts anyway, but keep it deterministic.
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeUtf8(b: Uint8Array): string | undefined {
  try {
    return UTF8.decode(b);
  } catch {
    return undefined;
  }
}

/**
 * kyaml encodeBase64: standard base64 cut into 70-character lines, each ending in a newline, once the text
 * reaches 70 characters (shorter text stays on one line without newline). Secrets get this too.
 */
export function encodeBase64(bytes: Uint8Array): string {
  const enc = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  const lineLen = 70;
  if (Math.floor(enc.length / lineLen) + 1 <= 1) return enc;
  let out = "";
  for (let i = 0; i < enc.length; i += lineLen) out += `${enc.slice(i, i + lineLen)}\n`;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Merging a generated object into an existing one (resmap's appendReplaceOrMerge).

/** ResId.Equals (same GVK and name, "" and "default" namespaces unified); kept as an alias. */
export const sameEffectiveId: (a: ResId, b: ResId) => boolean = idEquals;

/**
 * Combines a generated object with the existing one it names (behavior merge or replace), as kustomize's
 * CopyMergeMetaDataFieldsFrom (+ MergeDataMapFrom/MergeBinaryDataMapFrom for merge):
 * - labels and annotations: existing first, incoming wins per key;
 * - name and namespace, previous ids and kustomization lineage: the existing object's;
 * - merge: `data` and `binaryData` merged key by key, incoming wins; replace: incoming's only;
 * - hash suffix only if both wanted it (the existing flag is kept, then dropped unless incoming has it).
 * Returns the object to put in the existing one's place, or undefined after reporting an error.
 */
export function mergeGenerated(
  existing: Resource,
  incoming: Resource,
  ctx: TransformContext,
): Resource | undefined {
  if (incoming.behavior !== "merge" && incoming.behavior !== "replace") {
    const id = currentId(incoming);
    ctx.diags.error(
      GEN_CODES.alreadyExists,
      `${id.kind} '${id.name}' already exists; generator behavior must be merge or replace`,
      ctx.at,
      "set `behavior: merge` or `behavior: replace` on the generator",
    );
    return undefined;
  }
  const obj = incoming.obj;
  const md = metadata(incoming);
  const oldMd = isMap(existing.obj.metadata) ? existing.obj.metadata : newMap();
  setStringMap(md, "labels", { ...textMap(oldMd.labels), ...textMap(md.labels) });
  setStringMap(md, "annotations", { ...textMap(oldMd.annotations), ...textMap(md.annotations) });
  md.name = typeof oldMd.name === "string" ? oldMd.name : "";
  const ns = typeof oldMd.namespace === "string" ? oldMd.namespace : "";
  if (ns === "") delete md.namespace;
  else md.namespace = ns;
  if (incoming.behavior === "merge") {
    for (const f of ["data", "binaryData"] as const) {
      const merged = { ...textMap(existing.obj[f]), ...textMap(obj[f]) };
      delete obj[f];
      const keys = Object.keys(merged).sort();
      if (keys.length === 0) continue;
      const m = newMap();
      for (const k of keys) m[k] = merged[k] as string;
      obj[f] = m;
    }
  }
  const out: Resource = {
    obj,
    origin: incoming.behavior === "merge" ? existing.origin : incoming.origin,
    prevIds: [...existing.prevIds],
  };
  if (existing.behavior !== undefined) out.behavior = existing.behavior;
  if (existing.needsHashSuffix && incoming.needsHashSuffix) out.needsHashSuffix = true;
  if (existing.loadedFrom !== undefined) out.loadedFrom = existing.loadedFrom;
  return out;
}

/**
 * resmap.appendReplaceOrMerge: adds a generated object to `resources` (in place), or merges it into the one
 * object that has its id among all its ids. Returns false after reporting an error.
 */
export function absorbGenerated(resources: Resource[], incoming: Resource, ctx: TransformContext): boolean {
  const id = currentId(incoming);
  const matches: number[] = [];
  resources.forEach((r, i) => {
    if (allIds(r).some((x) => sameEffectiveId(x, id))) matches.push(i);
  });
  if (matches.length === 0) {
    if (incoming.behavior === "merge" || incoming.behavior === "replace") {
      ctx.diags.error(
        GEN_CODES.nothingToMerge,
        `${id.kind} '${id.name}' does not exist; cannot ${incoming.behavior} (behavior: ${incoming.behavior})`,
        ctx.at,
        "the object to merge into must come from `resources` or an earlier generator",
      );
      return false;
    }
    resources.push(incoming);
    return true;
  }
  if (matches.length > 1) {
    ctx.diags.error(
      GEN_CODES.ambiguousMerge,
      `found multiple objects that could accept merge of ${id.kind} '${id.name}'`,
      ctx.at,
    );
    return false;
  }
  const i = matches[0] as number;
  const merged = mergeGenerated(resources[i] as Resource, incoming, ctx);
  if (merged === undefined) return false;
  resources[i] = merged;
  return true;
}

/** Map of scalar texts, as kyaml's GetDataMap/GetLabels read them. */
function textMap(v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(v)) return out;
  for (const k of Object.keys(v)) {
    const x = v[k] as Value;
    if (x === null) out[k] = "";
    else if (typeof x !== "object") out[k] = String(x);
  }
  return out;
}

function setStringMap(md: ValueMap, field: string, m: Record<string, string>): void {
  delete md[field];
  const keys = Object.keys(m).sort();
  if (keys.length === 0) return;
  const out = newMap();
  for (const k of keys) out[k] = m[k] as string;
  md[field] = out;
}

// ---------------------------------------------------------------------------------------------------------

/**
 * kustomize's addHashesToNames (HashTransformer), run once at the end of the top-level build: every object
 * still flagged gets `-<hash>` of its current content appended to its name; the old id is remembered so
 * references can be fixed up afterwards.
 */
export function addHashesToNames(resources: readonly Resource[], ctx: TransformContext): void {
  for (const r of resources) {
    if (!r.needsHashSuffix) continue;
    const h = kustomizeHash(r.obj);
    const id = currentId(r);
    if (h === undefined) {
      ctx.diags.error(
        GEN_CODES.unhashable,
        `cannot compute a name hash for ${id.kind} '${id.name}': only ConfigMaps and Secrets are supported`,
        r.origin,
      );
      continue;
    }
    renameResource(r, { name: `${id.name}-${h}` });
  }
}
