import { isMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { type FieldSpec, FieldSpecError, fieldSpecMatches, visitField } from "../fieldspec.ts";
import { gvkOf, idEquals, idString, isClusterScoped } from "../resid.ts";
import { currentId, type Resource, storePreviousId } from "../resource.ts";

/** The NamespaceTransformer's `setRoleBindingSubjects` modes; kustomization `namespace:` uses `defaultOnly`. */
export type RoleBindingSubjectMode = "defaultOnly" | "allServiceAccounts" | "none";

export interface NamespaceOptions {
  namespace: string;
  /** The `namespace` field specs of the transformer config (metadata/namespace ones are ignored: always set). */
  fieldSpecs: readonly FieldSpec[];
  /** Only fill namespaces that are missing or empty. */
  unsetOnly?: boolean;
  setRoleBindingSubjects?: RoleBindingSubjectMode;
}

/**
 * kustomize's NamespaceTransformer (api/filters/namespace): sets `metadata.namespace` on every object that is not
 * certainly cluster-scoped (all unknown kinds, CRs included, get one), renames `v1` Namespace objects to the
 * namespace, sets the namespace of RoleBinding/ClusterRoleBinding subjects named `default` (or of every
 * ServiceAccount subject), and the other namespace field specs. Every object's previous id is stored, as
 * kustomize does, even when nothing changes. An object whose new id equals another's is an error.
 */
export function namespaceTransformer(
  resources: readonly Resource[],
  opts: NamespaceOptions,
  ctx: TransformContext,
): void {
  if (opts.namespace === "") return;
  const mode = opts.setRoleBindingSubjects ?? "defaultOnly";
  for (const r of resources) {
    if (Object.keys(r.obj).length === 0) continue;
    storePreviousId(r);
    applyNamespace(r, opts, mode, ctx);
    const cur = currentId(r);
    const matches = resources.filter((o) => idEquals(currentId(o), cur));
    if (matches.length !== 1) {
      ctx.diags.error(
        "KUS312",
        `namespace transformation produces ID conflict: ${matches.map((m) => idString(currentId(m))).join(", ")}`,
        r.origin,
        "Two objects end up with the same kind, name and namespace; rename one of them.",
      );
    }
  }
}

function applyNamespace(
  r: Resource,
  opts: NamespaceOptions,
  mode: RoleBindingSubjectMode,
  ctx: TransformContext,
): void {
  const obj = r.obj;
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  const gvk = gvkOf(obj);
  const set = setter(opts);
  const fail = (path: string, e: unknown) => {
    if (!(e instanceof FieldSpecError)) throw e;
    ctx.diags.error(
      "KUS311",
      `namespace transformation failed: considering field '${path}' of object ${idString(currentId(r))}: ${e.message}`,
      r.origin,
    );
  };
  // removeUnneededMetaFieldSpecs: metadata/namespace is handled below; metadata/name only for apiVersion v1.
  let specs = opts.fieldSpecs.filter(
    (fs) => fs.path !== "metadata/namespace" && (apiVersion === "v1" || fs.path !== "metadata/name"),
  );
  if (!isClusterScoped(gvk)) {
    try {
      visitField(obj, { path: "metadata/namespace", create: true }, "scalar", set);
    } catch (e) {
      fail("metadata/namespace", e);
    }
  }
  if (gvk.kind === "RoleBinding" || gvk.kind === "ClusterRoleBinding") {
    specs = specs.filter(
      (fs) =>
        !(
          (fs.kind === "RoleBinding" || fs.kind === "ClusterRoleBinding") &&
          fs.path === "subjects/namespace"
        ),
    );
    setSubjects(r, mode, set, ctx);
  }
  for (const fs of specs) {
    if (!fieldSpecMatches(fs, obj)) continue;
    try {
      visitField(obj, fs, "scalar", set);
    } catch (e) {
      fail(fs.path, e);
    }
  }
}

/** SetEntry("", ns) / SetEntryIfEmpty: only scalar (or null, or new) fields can take a namespace. */
function setter(opts: NamespaceOptions): (holder: ValueMap, key: string) => void {
  return (holder, key) => {
    const cur = holder[key];
    if (isMap(cur) || Array.isArray(cur)) {
      throw new FieldSpecError(
        `namespace field specs must target scalar nodes: wrong node kind: expected ScalarNode but got ${
          isMap(cur) ? "MappingNode" : "SequenceNode"
        }`,
      );
    }
    if (opts.unsetOnly && cur !== undefined && cur !== null && scalarText(cur) !== "") return;
    holder[key] = opts.namespace;
  };
}

function scalarText(v: Value): string {
  return typeof v === "string" ? v : String(v);
}

/** roleBindingHack: subjects named `default` (or every ServiceAccount subject) get the namespace. */
function setSubjects(
  r: Resource,
  mode: RoleBindingSubjectMode,
  set: (holder: ValueMap, key: string) => void,
  ctx: TransformContext,
): void {
  if (mode === "none") return;
  const subjects = r.obj.subjects;
  if (subjects === undefined || subjects === null) return;
  if (!Array.isArray(subjects)) {
    ctx.diags.error(
      "KUS313",
      `setting namespace on (cluster)role binding subjects of ${idString(currentId(r))}: subjects is not a list`,
      r.origin,
    );
    return;
  }
  for (const s of subjects) {
    if (!isMap(s)) continue;
    const selected = mode === "defaultOnly" ? s.name === "default" : s.kind === "ServiceAccount";
    if (!selected) continue;
    try {
      set(s, "namespace");
    } catch (e) {
      if (!(e instanceof FieldSpecError)) throw e;
      ctx.diags.error(
        "KUS313",
        `setting namespace field on (cluster)role binding subject: ${e.message}`,
        r.origin,
      );
    }
  }
}
