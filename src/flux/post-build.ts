import type { Diagnostics, Position } from "../core/diagnostics.ts";
import { getPath, isMap, newMap, type ValueMap } from "../core/yaml/value.ts";
import { type FluxKustomization, ksKey, str } from "./objects.ts";
import { substituteResource } from "./substitute.ts";

/** Variable maps of Kustomizations that substitute from objects only the live cluster has. */
const LIVE_ONLY = new WeakSet<Record<string, string>>();

/** Whether a variable map (from ksVariables) substitutes from objects only the live cluster has. */
export function isLiveOnly(vars: Record<string, string>): boolean {
  return LIVE_ONLY.has(vars);
}

/** What a ConfigMap or Secret offers to `substituteFrom`. */
export interface VarSource {
  values: Record<string, string>;
  /** Keys whose values are encrypted (SOPS) and could not be read. */
  unknown: string[];
  encrypted: boolean;
  /** Set when the object comes from a file nothing builds (applied at bootstrap). */
  file?: string;
}

export interface PostBuildOptions {
  strictSubstitute?: boolean;
}

/**
 * What kustomize-controller does to each built object before applying it: post-build substitution (unless the
 * object opts out), then the owner labels and `spec.commonMetadata`. Returns the object to apply.
 */
export function postBuild(
  obj: ValueMap,
  ks: FluxKustomization,
  vars: Record<string, string> | undefined,
  opts: PostBuildOptions,
  diags: Diagnostics,
  origin: Position,
): ValueMap | undefined {
  let out = obj;
  if (vars) {
    const always = isMap(ks.spec.postBuild) && ks.spec.postBuild.substituteStrategy === "Always";
    const strict = opts.strictSubstitute ?? true;
    let r = substituteResource(out, vars, { strict, always });
    // Variables that only the live cluster can provide stay as written instead of failing strict mode.
    let current = vars;
    for (let i = 0; i < 100 && !r.ok && LIVE_ONLY.has(vars) && r.variable && /not set/.test(r.error); i++) {
      current = { ...current, [r.variable]: `\${${r.variable}}` };
      r = substituteResource(out, current, { strict, always });
    }
    if (!r.ok) {
      diags.error(
        "FLX101",
        `post-build substitution failed for Kustomization ${ksKey(ks)}: ${r.error}`,
        origin,
        r.hint,
      );
      return undefined;
    }
    out = r.obj;
  }
  setOwnerLabels(out, ks);
  applyCommonMetadata(out, ks.spec.commonMetadata);
  return out;
}

/**
 * The variables of one Kustomization (undefined without `spec.postBuild`): `substituteFrom` objects in order (later ones override earlier ones), then
 * the inline `substitute` map, which wins. Objects only the live cluster has, and encrypted values that cannot be
 * read, are reported once; their variables keep a visible placeholder so rendering goes on.
 */
export function ksVariables(
  ks: FluxKustomization,
  cascadeVars: Map<string, VarSource>,
  bootstrapVars: Map<string, VarSource>,
  diags: Diagnostics,
  externalSecrets: Map<string, string> = new Map(),
): Record<string, string> | undefined {
  const pb = ks.spec.postBuild;
  if (!isMap(pb)) return undefined;
  const vars: Record<string, string> = {};
  let live = false;
  const from = Array.isArray(pb.substituteFrom) ? pb.substituteFrom.filter(isMap) : [];
  for (const ref of from) {
    const kind = str(ref.kind);
    const name = str(ref.name);
    const key = `${kind}/${ks.namespace}/${name}`;
    const src = cascadeVars.get(key) ?? bootstrapVars.get(key);
    if (!src) {
      if (ref.optional !== true) live = true;
      const external = externalSecrets.get(key);
      if (external && ref.optional !== true) {
        diags.info(
          "FLX032",
          `substituteFrom ${kind} ${ks.namespace}/${name} of Kustomization ${ksKey(ks)} is created in the cluster by ${external}; its variables are not known offline`,
          ks.origin,
          "Unset variables stay as written in the output.",
        );
      } else if (ref.optional !== true) {
        diags.warning(
          "FLX030",
          `substituteFrom ${kind} ${ks.namespace}/${name} of Kustomization ${ksKey(ks)} is not produced by any Kustomization of this repository; its variables can only come from the live cluster`,
          ks.origin,
          "Unset variables stay as written; add the object to the repository or mark the reference optional: true.",
        );
      }
      continue;
    }
    Object.assign(vars, src.values);
    if (src.unknown.length > 0) {
      diags.info(
        "FLX031",
        `${kind} ${ks.namespace}/${name} is SOPS-encrypted; variables ${src.unknown.join(", ")} are rendered as placeholders`,
        ks.origin,
        "Pass --age-key-file (or set SOPS_AGE_KEY_FILE) to decrypt it.",
      );
      for (const k of src.unknown) vars[k] = sopsPlaceholder(k);
    }
  }
  if (live) LIVE_ONLY.add(vars);
  const inline = pb.substitute;
  if (isMap(inline))
    for (const [k, v] of Object.entries(inline)) vars[k] = typeof v === "string" ? v : String(v);
  return vars;
}

/**
 * What an undecryptable variable renders as: plain text that is valid in any YAML position and keeps a string a
 * string (the `..PLACEHOLDER_<key>..` form flux-local and flate use).
 */
export function sopsPlaceholder(key: string): string {
  return `..PLACEHOLDER_${key}..`;
}

function setOwnerLabels(obj: ValueMap, ks: FluxKustomization): void {
  const labels = metadataMap(obj, "labels");
  labels["kustomize.toolkit.fluxcd.io/name"] = ks.name;
  labels["kustomize.toolkit.fluxcd.io/namespace"] = ks.namespace;
}

/** spec.commonMetadata: labels and annotations set (overwriting) on every object, after substitution. */
function applyCommonMetadata(obj: ValueMap, cm: unknown): void {
  if (!isMap(cm as ValueMap)) return;
  for (const field of ["labels", "annotations"] as const) {
    const add = getPath(cm as ValueMap, [field]);
    if (!isMap(add)) continue;
    const m = metadataMap(obj, field);
    for (const [k, v] of Object.entries(add)) m[k] = typeof v === "string" ? v : String(v);
  }
}

function metadataMap(obj: ValueMap, field: "labels" | "annotations"): ValueMap {
  let md = obj.metadata;
  if (!isMap(md)) {
    md = newMap();
    obj.metadata = md;
  }
  let m = md[field];
  if (!isMap(m)) {
    m = newMap();
    md[field] = m;
  }
  return m;
}
