import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import type { CheckContext, CheckedObject } from "./context.ts";
import { fluxServedVersion, type SchemaProblem, SchemaSet } from "./schemas.ts";

export interface SchemaResult {
  /** Objects with problems, in render order. */
  invalid: { o: CheckedObject; problems: SchemaProblem[] }[];
  /** The first object of each apiVersion/kind without a schema. */
  unknownKinds: CheckedObject[];
}

const cache = new WeakMap<CheckContext, SchemaResult>();

/** Validates every rendered object once against its schema: shipped ones, then the repository's own CRDs. */
export function schemaResult(ctx: CheckContext): SchemaResult {
  const cached = cache.get(ctx);
  if (cached) return cached;
  const set = new SchemaSet();
  for (const crd of repositoryCrds(ctx)) set.addCrd(crd);
  const result: SchemaResult = { invalid: [], unknownKinds: [] };
  const seenKinds = new Set<string>();
  for (const o of ctx.objects) {
    const apiVersion = typeof o.obj.apiVersion === "string" ? o.obj.apiVersion : "";
    const problems = set.validate(o.obj);
    if (problems === undefined) {
      // An old version of a Flux kind is CHK304's finding.
      if (fluxServedVersion(o.group, o.kind) !== undefined) continue;
      const key = `${apiVersion} ${o.kind}`;
      if (!seenKinds.has(key)) {
        seenKinds.add(key);
        result.unknownKinds.push(o);
      }
      continue;
    }
    // Values only the live cluster knows (unset variables kept as written, SOPS placeholders) are not the
    // object's fault.
    const real = problems.filter((p) => !placeholderAt(o.obj, p.path));
    if (real.length > 0) result.invalid.push({ o, problems: real });
  }
  cache.set(ctx, result);
  return result;
}

/** CRDs rendered by any Kustomization, then those in repository files nothing renders (CRD bundles, charts' crds/). */
function repositoryCrds(ctx: CheckContext): ValueMap[] {
  const out: ValueMap[] = ctx.ofKind("CustomResourceDefinition", "apiextensions.k8s.io").map((o) => o.obj);
  for (const file of ctx.yamlFiles()) {
    const text = ctx.fs.tryReadRel(file);
    if (!text || !/^kind:\s*CustomResourceDefinition\s*$/m.test(text)) continue;
    for (const d of ctx.load(file)?.docs ?? [])
      if (isMap(d.value) && d.value.kind === "CustomResourceDefinition") out.push(d.value);
  }
  return out;
}

function placeholderAt(obj: Value, path: (string | number)[]): boolean {
  let cur: Value | undefined = obj;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else if (isMap(cur) && typeof seg === "string") cur = cur[seg];
    else return false;
  }
  return typeof cur === "string" && (cur.includes("${") || cur.includes("..PLACEHOLDER_"));
}
