import type { Diagnostics, Position } from "../core/diagnostics.ts";
import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { type FieldSpec, FieldSpecError, fieldSpecMatches, visitField } from "./fieldspec.ts";
import { idEquals, isClusterScoped, parseApiVersion, type ResId } from "./resid.ts";
import { allIds, type Resource } from "./resource.ts";

/** A kustomize `vars` entry (deprecated in favour of replacements, still honoured by kustomize v5.5). */
export interface Var {
  name: string;
  objref: { group: string; version: string; kind: string; name: string; namespace: string };
  fieldpath: string;
  at: Position;
}

/** Reads `vars:` entries; malformed ones are reported. */
export function readVars(entries: { value: Value; at: Position }[], diags: Diagnostics): Var[] {
  const out: Var[] = [];
  for (const e of entries) {
    const v = e.value;
    if (!isMap(v) || typeof v.name !== "string" || !isMap(v.objref)) {
      diags.error("KUS032", "a vars entry needs a name and an objref", e.at);
      continue;
    }
    const ref = v.objref;
    const str = (x: Value | undefined) => (typeof x === "string" ? x : "");
    let group = str(ref.group);
    let version = str(ref.version);
    if (str(ref.apiVersion)) ({ group, version } = parseApiVersion(str(ref.apiVersion)));
    const fieldref = isMap(v.fieldref) ? v.fieldref : undefined;
    out.push({
      name: v.name,
      objref: { group, version, kind: str(ref.kind), name: str(ref.name), namespace: str(ref.namespace) },
      fieldpath: str(fieldref?.fieldpath) || "metadata.name",
      at: e.at,
    });
  }
  return out;
}

/**
 * ResAccumulator.MergeVars: each var marks the one object its objref names (any id it has had; the namespace
 * counts only when given or for cluster-scoped kinds) and joins the set, whose names must be unique.
 */
export function mergeVars(
  into: Var[],
  incoming: readonly Var[],
  resources: readonly Resource[],
  refVars: Map<Resource, string[]>,
  diags: Diagnostics,
): void {
  for (const v of incoming) {
    const target: ResId = { ...v.objref };
    const namespaced = target.namespace !== "" || isClusterScoped(target);
    const matches = resources.filter((r) =>
      allIds(r).some((id) =>
        namespaced
          ? idEquals(id, target)
          : id.group === target.group &&
            id.version === target.version &&
            id.kind === target.kind &&
            id.name === target.name,
      ),
    );
    if (matches.length > 1) {
      diags.error(
        "KUS032",
        `found ${matches.length} resId matches for var ${v.name} (unable to disambiguate)`,
        v.at,
      );
      continue;
    }
    if (matches.length === 1) refVars.set(matches[0]!, [...(refVars.get(matches[0]!) ?? []), v.name]);
  }
  for (const v of incoming) {
    if (into.some((x) => x.name === v.name)) {
      diags.error("KUS032", `var '${v.name}' already encountered`, v.at, "Give each var a unique name.");
      continue;
    }
    into.push(v);
  }
}

/** ResAccumulator.ResolveVars: every `$(NAME)` in the varReference fields becomes the var's value. */
export function resolveVars(
  vars: readonly Var[],
  resources: readonly Resource[],
  refVars: Map<Resource, string[]>,
  specs: readonly FieldSpec[],
  diags: Diagnostics,
): void {
  if (vars.length === 0) return;
  const values = new Map<string, Value>();
  for (const v of vars) {
    const holder = resources.find((r) => refVars.get(r)?.includes(v.name));
    const value = holder ? fieldValue(holder.obj, v.fieldpath) : undefined;
    if (value === undefined) {
      diags.error(
        "KUS032",
        `var '${v.name}' cannot be mapped to a field in the set of known resources`,
        v.at,
        "The objref must name an object of the build and fieldref.fieldpath one of its fields.",
      );
      continue;
    }
    values.set(v.name, value);
  }
  const map = (name: string): Value => {
    const v = values.get(name);
    return v !== undefined && (typeof v !== "object" || v === null) && v !== null ? v : `$(${name})`;
  };
  for (const r of resources) {
    for (const spec of specs) {
      if (!fieldSpecMatches(spec, r.obj)) continue;
      try {
        visitField(r.obj, spec, undefined, (holder, key) => {
          const cur = holder[key];
          if (typeof cur === "string") holder[key] = expand(cur, map);
          else if (Array.isArray(cur))
            holder[key] = cur.map((x) => (typeof x === "string" ? expand(x, map) : x));
          else if (isMap(cur))
            for (const k of Object.keys(cur))
              if (typeof cur[k] === "string") cur[k] = expand(cur[k] as string, map);
        });
      } catch (e) {
        if (!(e instanceof FieldSpecError)) throw e;
      }
    }
  }
}

/**
 * kustomize's refvar DoReplacements: `$(NAME)` is replaced, `$$` is a literal `$`; a value that is exactly one
 * reference takes the var's own type.
 */
export function expand(input: string, mapping: (name: string) => Value): Value {
  let out = "";
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== "$" || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const rest = input.slice(i + 1);
    let read: string;
    let isVar = false;
    let advance = 1;
    if (rest[0] === "$") read = "$";
    else if (rest[0] === "(") {
      const close = rest.indexOf(")", 1);
      if (close > 0) {
        read = rest.slice(1, close);
        isVar = true;
        advance = close + 1;
      } else read = "$(";
    } else read = `$${rest[0]}`;
    if (isVar) {
      const mapped = mapping(read);
      if (input === `$(${read})`) return mapped;
      out += typeof mapped === "string" ? mapped : goFormat(mapped);
    } else out += read;
    i += advance;
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}

function goFormat(v: Value): string {
  return typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" ? String(v) : String(v);
}

/** kyaml GetFieldValue: a dotted path with `[i]` indices and `[k=v]` list selectors. */
export function fieldValue(obj: ValueMap, fieldpath: string): Value | undefined {
  let cur: Value | undefined = obj;
  for (const raw of fieldpath.split(".")) {
    const m = /^([^[]*)((?:\[[^\]]*\])*)$/.exec(raw);
    if (!m) return undefined;
    if (m[1]) {
      if (!isMap(cur)) return undefined;
      cur = cur[m[1]];
    }
    for (const sel of m[2]!.match(/\[[^\]]*\]/g) ?? []) {
      const inner = sel.slice(1, -1);
      if (!Array.isArray(cur)) return undefined;
      if (/^\d+$/.test(inner)) cur = cur[Number(inner)];
      else {
        const [k, v] = inner.split("=", 2) as [string, string | undefined];
        cur = cur.find((x) => isMap(x) && String(x[k]) === v);
      }
    }
  }
  return cur;
}
