import type { Position } from "../core/diagnostics.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import type { BuildRun, Target } from "./build.ts";
import type { FieldSpec } from "./fieldspec.ts";
import {
  absorbGenerated,
  type ConfigMapArgs,
  generateConfigMap,
  generateSecret,
  type SecretArgs,
} from "./generators/generators.ts";
import { stringEntries } from "./kustomization.ts";
import { applyJson6902ToSelected, applyStrategicMergeToResources, parsePatchText } from "./patches.ts";
import { type Accumulator, ctxAt, generatorFiles } from "./steps.ts";
import { readRootFile } from "./target.ts";
import { annotationsTransformer } from "./transformers/annotations.ts";
import { applyImages, type ImageSpec } from "./transformers/images.ts";
import { labelTransformer } from "./transformers/labels.ts";
import { namespaceTransformer } from "./transformers/namespace.ts";
import { prefixTransformer, suffixTransformer } from "./transformers/prefix-suffix.ts";
import { applyReplacements } from "./transformers/replacements.ts";
import { applyReplicas, type ReplicaSpec } from "./transformers/replicas.ts";

/** One plugin configuration document with where it was written. */
interface PluginConfig {
  obj: ValueMap;
  at: Position;
}

/**
 * The configs of a `transformers:`/`generators:` list: each entry is inline YAML (one or more objects) or a path to a
 * file holding them, as kustomize reads them. Only `apiVersion: builtin` configs run here: anything else would run an
 * external program or a KRM function, which homeops never does (reported).
 */
function pluginConfigs(run: BuildRun, t: Target, field: "transformers" | "generators"): PluginConfig[] {
  const out: PluginConfig[] = [];
  for (const e of stringEntries(t.k, field)) {
    const inline = loadYaml(e.value, t.relFile);
    const docs = inline.diagnostics.length === 0 ? inline.docs.filter((d) => isMap(d.value)) : [];
    if (docs.length > 0) {
      for (const d of docs) out.push({ obj: d.value as ValueMap, at: e.at });
      continue;
    }
    const f = readRootFile(run.fs, t.root, e.value, e.at, run.diags, `${field} config`);
    if (!f.ok) continue;
    run.files.add(f.abs);
    const loaded = run.engine.parse(f.abs);
    run.diags.addAll(loaded.diagnostics);
    for (const d of loaded.docs) {
      if (isMap(d.value))
        out.push({ obj: d.value, at: { file: run.fs.rel(f.abs), line: d.line, column: d.column } });
    }
  }
  return out.filter((c) => {
    if (c.obj.apiVersion === "builtin") return true;
    run.diags.error(
      "KUS031",
      `${field} plugin ${String(c.obj.apiVersion)}/${String(c.obj.kind)} is not supported: it runs an external program or a KRM function`,
      c.at,
      "Use a builtin plugin (apiVersion: builtin) or express the change with patches or replacements.",
    );
    return false;
  });
}

function specs(v: Value | undefined): FieldSpec[] {
  return Array.isArray(v) ? (v.filter(isMap) as unknown as FieldSpec[]) : [];
}

function strings(v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (isMap(v)) for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? x : String(x);
  return out;
}

/** Builtin generator configs of `generators:` (ConfigMapGenerator, SecretGenerator). */
export function runPluginGenerators(run: BuildRun, t: Target, ra: Accumulator): void {
  const files = generatorFiles(run, t);
  for (const c of pluginConfigs(run, t, "generators")) {
    const ctx = ctxAt(run, c.at);
    const args = { ...c.obj, name: isMap(c.obj.metadata) ? c.obj.metadata.name : c.obj.name } as ValueMap;
    if (isMap(c.obj.metadata) && typeof c.obj.metadata.namespace === "string")
      args.namespace = c.obj.metadata.namespace;
    delete args.apiVersion;
    delete args.kind;
    delete args.metadata;
    let r: ReturnType<typeof generateConfigMap>;
    if (c.obj.kind === "ConfigMapGenerator")
      r = generateConfigMap(args as unknown as ConfigMapArgs, undefined, files, ctx);
    else if (c.obj.kind === "SecretGenerator")
      r = generateSecret(args as unknown as SecretArgs, undefined, files, ctx);
    else {
      run.diags.error("KUS031", `builtin generator ${String(c.obj.kind)} is not supported`, c.at);
      continue;
    }
    if (!r) continue;
    r.origin = c.at;
    r.loadedFrom = t.root.dir;
    absorbGenerated(ra.resources.list, r, ctx);
  }
}

/** Builtin transformer configs of `transformers:`, in order, after the kustomization's own transformers. */
export function runPluginTransformers(run: BuildRun, t: Target, ra: Accumulator): void {
  for (const c of pluginConfigs(run, t, "transformers")) {
    const o = c.obj;
    const ctx = ctxAt(run, c.at);
    const res = ra.resources.list;
    switch (o.kind) {
      case "LabelTransformer":
        labelTransformer(res, strings(o.labels), specs(o.fieldSpecs), ctx);
        break;
      case "AnnotationsTransformer":
        annotationsTransformer(res, strings(o.annotations), specs(o.fieldSpecs), ctx);
        break;
      case "NamespaceTransformer": {
        const ns = isMap(o.metadata) && typeof o.metadata.namespace === "string" ? o.metadata.namespace : "";
        const mode = o.setRoleBindingSubjects;
        namespaceTransformer(
          res,
          {
            namespace: ns,
            fieldSpecs: specs(o.fieldSpecs),
            unsetOnly: o.unsetOnly === true,
            ...(mode === "allServiceAccounts" || mode === "none" ? { setRoleBindingSubjects: mode } : {}),
          },
          ctx,
        );
        break;
      }
      case "PrefixTransformer":
      case "SuffixTransformer":
      case "PrefixSuffixTransformer":
        if (typeof o.prefix === "string" && o.prefix)
          prefixTransformer(res, o.prefix, specs(o.fieldSpecs), ctx);
        if (typeof o.suffix === "string" && o.suffix)
          suffixTransformer(res, o.suffix, specs(o.fieldSpecs), ctx);
        break;
      case "ImageTagTransformer":
        if (isMap(o.imageTag))
          applyImages(res, [o.imageTag as unknown as ImageSpec], specs(o.fieldSpecs), ctx);
        break;
      case "ReplicaCountTransformer":
        if (isMap(o.replica))
          applyReplicas(res, [o.replica as unknown as ReplicaSpec], specs(o.fieldSpecs), ctx);
        break;
      case "ReplacementTransformer":
        if (Array.isArray(o.replacements))
          applyReplacements(
            res,
            o.replacements.map((value) => ({ value, at: c.at })),
            ctx,
          );
        break;
      case "PatchTransformer":
      case "PatchJson6902Transformer":
      case "PatchStrategicMergeTransformer":
        runPatchPlugin(run, t, ra, c);
        break;
      default:
        run.diags.error("KUS031", `builtin transformer ${String(o.kind)} is not supported`, c.at);
    }
  }
}

function runPatchPlugin(run: BuildRun, t: Target, ra: Accumulator, c: PluginConfig): void {
  const o = c.obj;
  const ctx = ctxAt(run, c.at);
  const texts: { text: string; file: string }[] = [];
  const inline = typeof o.patch === "string" ? o.patch : typeof o.jsonOp === "string" ? o.jsonOp : o.patches;
  if (typeof inline === "string" && inline.trim() !== "")
    texts.push({ text: inline.trim(), file: c.at.file });
  const paths = typeof o.path === "string" ? [o.path] : Array.isArray(o.paths) ? o.paths.map(String) : [];
  for (const p of paths) {
    const f = readRootFile(run.fs, t.root, p, c.at, run.diags, "patch file");
    if (!f.ok) continue;
    run.files.add(f.abs);
    texts.push({ text: f.text, file: run.fs.rel(f.abs) });
  }
  const target = isMap(o.target) ? o.target : undefined;
  const options = isMap(o.options) ? (o.options as Record<string, Value>) : {};
  const only =
    o.kind === "PatchJson6902Transformer"
      ? "json"
      : o.kind === "PatchStrategicMergeTransformer"
        ? "smp"
        : undefined;
  for (const { text, file } of texts) {
    const parsed = parsePatchText(text, `${String(o.kind)} patch`, file, c.at, run.diags, only);
    if (!parsed) continue;
    if (parsed.kind === "json") {
      if (!target) {
        run.diags.error("KUS040", `must specify a target for JSON patch in ${String(o.kind)}`, c.at);
        continue;
      }
      applyJson6902ToSelected(ra.resources, parsed.ops, target, ctx, o.kind === "PatchTransformer");
    } else {
      for (const doc of parsed.docs) applyStrategicMergeToResources(ra.resources, doc, target, options, ctx);
    }
  }
}
