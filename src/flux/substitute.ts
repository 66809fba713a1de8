/**
 * kustomize-controller's post-build variable substitution of ONE built resource (fluxcd/pkg
 * kustomize/kustomize_varsub.go `SubstituteVariables` at kustomize/v1.39.0, as called from
 * kustomize-controller internal/controller/kustomization_controller.go `build()`):
 *
 * 1. a resource labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` is left alone;
 * 2. nothing happens unless there is at least one variable or `substituteStrategy: Always`;
 * 3. every variable name must match `^[_[:alpha:]][_[:alpha:][:digit:]]*$` (checked per resource, so a bad
 *    name fails the first resource that gets substituted);
 * 4. the resource is printed with kustomize's `AsYAML` (our `emitYaml`), envsubst runs over the whole text,
 *    and the text is read back with YAMLToJSON + `RNode.UnmarshalJSON` — so `replicas: ${N}` becomes a number,
 *    `"${X}"` in the source becomes a number too when X is `123` (the quotes are gone once kustomize re-prints
 *    the resource; Flux documents `${quote}` for this), and a value with `: ` or a leading `*` can break the
 *    YAML.
 *
 * Errors carry Flux's message chain after "post build failed for '<gvk>/<name>': " (see `postBuildErrorPrefix`).
 */

import { isNode, isScalar, isMap as isYamlMap, isSeq as isYamlSeq, parseDocument } from "yaml";
import { emitYaml } from "../core/yaml/emit.ts";
import { fastCompose } from "../core/yaml/fast-compose.ts";
import { Kind, type YNode } from "../core/yaml/node.ts";
import { deepEqual, isMap, isSeq, type Value, type ValueMap } from "../core/yaml/value.ts";
import { gvkOf, gvkString } from "../kustomize/resid.ts";
import { envsubst, type VarRef, type Vars } from "./envsubst.ts";
import { yamlToJson } from "./substitute-yaml.ts";

export const SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute";
export const SUBSTITUTE_DISABLED = "disabled";
/** The pattern Flux prints in its error (Go RE2 classes: ASCII letters and digits). */
export const VAR_NAME_PATTERN = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";
const VAR_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;

export interface SubstituteOptions {
  /** Feature gate StrictPostBuildSubstitutions: default true in kustomize-controller >= v1.9, false in `flux build`. */
  strict: boolean;
  /** `spec.postBuild.substituteStrategy: Always`: substitute even without variables (for `${v:=default}`). */
  always?: boolean;
}

/** A variable reference with the field it sits in (path into the resource, when it could be located). */
export interface SubstituteRef extends VarRef {
  path?: (string | number)[];
}

export type SubstituteResult =
  | {
      ok: true;
      obj: ValueMap;
      /** The result differs from the input (values substituted, or types changed by the round trip). */
      changed: boolean;
      /** Why the resource was left as it was. */
      skipped?: "disabled" | "no-vars";
      /**
       * Every `${…}` evaluated, in evaluation order (nested arguments first); `set: false` without a default
       * operator rendered as "". Unset ones carry the field path.
       */
      refs: SubstituteRef[];
      /** Variables referenced without a default that were not set (non-strict mode renders them empty). */
      unset: string[];
    }
  | {
      ok: false;
      /** Flux's text, e.g. `envsubst error: variable substitution failed: variable not set (strict mode): "X"`. */
      error: string;
      stage: "names" | "envsubst" | "yaml";
      /** The unset variable (strict mode) or the invalid variable name. */
      variable?: string;
      /** Where in the resource the failing expression is, when known. */
      path?: (string | number)[];
      /** 1-based line in the resource as kustomize prints it (`emitYaml`). */
      line?: number;
      hint: string;
      refs: SubstituteRef[];
    };

/** kustomize_varsub.go: the label or the annotation, exactly "disabled". */
export function isSubstitutionDisabled(obj: ValueMap): boolean {
  const md = obj.metadata;
  if (!isMap(md)) return false;
  for (const field of ["labels", "annotations"]) {
    const m = md[field];
    if (isMap(m) && m[SUBSTITUTE_KEY] === SUBSTITUTE_DISABLED) return true;
  }
  return false;
}

/** Names Flux refuses, each with its error text (Go ranges over the map, so which one it reports first varies). */
export function validateVarNames(vars: Vars): { name: string; message: string }[] {
  const names = vars instanceof Map ? [...vars.keys()] : Object.keys(vars);
  return names
    .filter((k) => !VAR_NAME.test(k))
    .map((name) => ({ name, message: `'${name}' var name is invalid, must match '${VAR_NAME_PATTERN}'` }));
}

/**
 * The variable map of a Kustomization (LoadVariables + the inline map): `substituteFrom` sources in list order,
 * later ones overwriting earlier ones, then `substitute`, which wins. Every value loses its "\n" characters
 * ("\r" stays). Secret values must already be base64-decoded, with `stringData` merged over `data`.
 */
export function mergeVars(
  fromSources: readonly Readonly<Record<string, string>>[],
  inline?: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const src of [...fromSources, ...(inline ? [inline] : [])]) {
    for (const [k, v] of Object.entries(src)) out[k] = v.replaceAll("\n", "");
  }
  return out;
}

/** The prefix kustomize-controller puts before a substitution error: `post build failed for 'apps_v1_Deployment/x': `. */
export function postBuildErrorPrefix(obj: ValueMap): string {
  const md = isMap(obj.metadata) ? obj.metadata : undefined;
  const name = md && typeof md.name === "string" ? md.name : "";
  return `post build failed for '${gvkString(gvkOf(obj))}/${name}': `;
}

/** SubstituteVariables for one resource. `obj` is not modified. */
export function substituteResource(obj: ValueMap, vars: Vars, opts: SubstituteOptions): SubstituteResult {
  const noRefs = { refs: [] as SubstituteRef[], unset: [] as string[] };
  if (isSubstitutionDisabled(obj)) return { ok: true, obj, changed: false, skipped: "disabled", ...noRefs };
  const clean = cleanVars(vars);
  if (clean.size === 0 && !opts.always)
    return { ok: true, obj, changed: false, skipped: "no-vars", ...noRefs };

  const invalid = validateVarNames(clean);
  if (invalid[0]) {
    return {
      ok: false,
      error: `envsubst error: ${invalid[0].message}`,
      stage: "names",
      variable: invalid[0].name,
      hint: "Variable names may only hold ASCII letters, digits and '_' and must not start with a digit; rename the key in the substitute map, ConfigMap or Secret.",
      refs: [],
    };
  }

  // Without a '$' in any key or string the printed text has none either (the printer escapes NUL), so envsubst
  // would return it unchanged; skip printing. The JSON decode still turns numbers into float64.
  if (!hasDollar(obj)) {
    const back = toFloat64(obj);
    return { ok: true, obj: back, changed: back !== obj, refs: [], unset: [] };
  }
  const text = emitYaml(obj);
  const sub = envsubst(text, clean, { strict: opts.strict });
  if (!sub.ok) {
    const where = locate(text, sub.offset);
    const refs = withPaths(text, sub.refs);
    const base = {
      ok: false as const,
      error: `envsubst error: variable substitution failed: ${sub.error}`,
      stage: "envsubst" as const,
      line: where.line,
      refs,
      ...(where.path ? { path: where.path } : {}),
    };
    if (sub.kind === "unset") {
      return {
        ...base,
        variable: sub.variable ?? "",
        hint: `Define ${sub.variable} in spec.postBuild.substitute or a substituteFrom ConfigMap/Secret, give it a default (\${${sub.variable}:=value}), escape it as $\${${sub.variable}}, or mark the object with the label or annotation ${SUBSTITUTE_KEY}: disabled.`,
      };
    }
    return {
      ...base,
      hint:
        sub.kind === "syntax"
          ? `The object contains text Flux's envsubst cannot parse (near line ${where.line}: ${lineAt(text, where.line).trim()}). Escape a literal "\${" as "$\${", or mark the object with ${SUBSTITUTE_KEY}: disabled.`
          : "Fix the substitution expression.",
    };
  }

  const refs = withPaths(text, sub.refs, (r) => !r.set);
  const unset = [...new Set(refs.filter((r) => !r.set && !DEFAULT_OPS.has(r.op)).map((r) => r.name))];
  if (sub.text === text) {
    // Unchanged text reads back as the same object, except that JSON turned every number into a float64.
    const back = toFloat64(obj);
    return { ok: true, obj: back, changed: back !== obj, refs, unset };
  }
  if (sub.invalidUtf8) {
    return {
      ok: false,
      error: `envsubst error: YAMLToJSON: yaml: ${sub.utf8Problem ?? "invalid leading UTF-8 octet"}`,
      stage: "yaml",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: envsubst syntax in a message
      hint: "A substring expression (${v:offset:length} or ${#v}) cut a multi-byte character; Flux counts bytes.",
      refs,
    };
  }
  const back = yamlToJson(sub.text);
  if (!back.ok) {
    return {
      ok: false,
      error: `envsubst error: ${back.error}`,
      stage: "yaml",
      ...(back.line !== undefined ? { line: back.line } : {}),
      hint: `After substitution the object is no longer valid YAML${back.line !== undefined ? ` (line ${back.line}: ${lineAt(sub.text, back.line).trim()})` : ""}; a substituted value probably contains ": ", " #", a leading quote or indicator. Quote the \${…} in the source or the value in the variable.`,
      refs,
    };
  }
  return { ok: true, obj: back.value, changed: !deepEqual(back.value, obj), refs, unset };
}

const DEFAULT_OPS = new Set(["-", "+", "=", "?", ":-", ":+", ":=", ":?"]);

/** Flux strips "\n" from every value; doing it again here keeps callers that skip `mergeVars` faithful. */
function cleanVars(vars: Vars): Map<string, string> {
  const entries = vars instanceof Map ? [...vars.entries()] : Object.entries(vars);
  return new Map(entries.map(([k, v]) => [k, v.includes("\n") ? v.replaceAll("\n", "") : v]));
}

function hasDollar(v: Value): boolean {
  if (typeof v === "string") return v.includes("$");
  if (isSeq(v)) return v.some(hasDollar);
  if (isMap(v)) {
    for (const k of Object.keys(v)) if (k.includes("$") || hasDollar(v[k] as Value)) return true;
  }
  return false;
}

/** bigint values (integers beyond 2^53) come back from JSON as float64; everything else is unchanged. */
function toFloat64<T extends Value>(v: T): T {
  if (typeof v === "bigint") return Number(v) as T;
  if (isSeq(v)) {
    let copy: Value[] | undefined;
    v.forEach((x, i) => {
      const y = toFloat64(x);
      if (y !== x) {
        copy ??= [...v];
        copy[i] = y;
      }
    });
    return (copy ?? v) as T;
  }
  if (isMap(v)) {
    let copy: ValueMap | undefined;
    for (const k of Object.keys(v)) {
      const x = v[k] as Value;
      const y = toFloat64(x);
      if (y !== x) {
        copy ??= Object.assign(Object.create(null) as ValueMap, v);
        copy[k] = y;
      }
    }
    return (copy ?? v) as T;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------------
// Locating an offset of the printed resource: its line, and the field path (for diagnostics).

function lineAt(text: string, line: number): string {
  return text.split("\n")[line - 1] ?? "";
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function locate(text: string, offset: number): { line: number; path?: (string | number)[] } {
  const line = lineOf(text, offset);
  const path = pathsAt(text, [offset])[0];
  return path ? { line, path } : { line };
}

/** Adds field paths to the references `want` selects (locating needs a parse, so only where it helps). */
function withPaths(
  text: string,
  refs: readonly VarRef[],
  want: (r: VarRef) => boolean = () => true,
): SubstituteRef[] {
  const picked = refs.filter(want);
  if (picked.length === 0) return refs.map((r) => ({ ...r }));
  const paths = new Map(picked.map((r, i) => [r, i]));
  const found = pathsAt(
    text,
    picked.map((r) => r.offset),
  );
  return refs.map((r) => {
    const i = paths.get(r);
    const path = i === undefined ? undefined : found[i];
    return path ? { ...r, path } : { ...r };
  });
}

/** The field each offset of the (valid, pre-substitution) text lies in: keys and sequence indices. */
function pathsAt(text: string, offsets: readonly number[]): ((string | number)[] | undefined)[] {
  const roots = fastCompose(text);
  if (roots !== undefined) return offsets.map((o) => (roots[0] ? nodePathAt(roots[0], o) : undefined));
  const doc = parseDocument(text, { version: "1.1", schema: "failsafe", uniqueKeys: false });
  if (doc.errors.length > 0) return offsets.map(() => undefined);
  return offsets.map((o) => {
    const path: (string | number)[] = [];
    let n: unknown = doc.contents;
    for (;;) {
      let next: unknown;
      if (isYamlMap(n)) {
        for (const p of n.items) {
          const key = isScalar(p.key) ? String(p.key.value) : "";
          if (isScalar(p.key) && contains(p.key.range, o)) return [...path, key];
          if (isNode(p.value) && contains(p.value.range, o)) {
            path.push(key);
            next = p.value;
            break;
          }
        }
      } else if (isYamlSeq(n)) {
        n.items.forEach((x, i) => {
          if (next === undefined && isNode(x) && contains(x.range, o)) {
            path.push(i);
            next = x;
          }
        });
      }
      if (next === undefined) return path.length > 0 ? path : undefined;
      n = next;
    }
  });
}

/** The same walk over the fast composer's nodes. */
function nodePathAt(root: YNode, o: number): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  let n = root;
  for (;;) {
    let next: YNode | undefined;
    if (n.kind === Kind.Map) {
      for (const { key, value } of n.pairs) {
        if (key.start <= o && o < key.end) return [...path, key.text];
        if (value && value.start <= o && o < value.end) {
          path.push(key.text);
          next = value;
          break;
        }
      }
    } else if (n.kind === Kind.Seq) {
      const i = n.items.findIndex((x) => x.start <= o && o < x.end);
      if (i >= 0) {
        path.push(i);
        next = n.items[i];
      }
    }
    if (next === undefined) return path.length > 0 ? path : undefined;
    n = next;
  }
}

function contains(range: readonly [number, number, number] | null | undefined, o: number): boolean {
  return !!range && range[0] <= o && o < range[2];
}
