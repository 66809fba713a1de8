import { Diagnostics, type Position } from "../core/diagnostics.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { deepClone, isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import type { BuildRun, Target } from "./build.ts";
import type { TransformContext } from "./context.ts";
import type { FieldSpec } from "./fieldspec.ts";
import { listEntries, stringEntries, stringField, stringMapField } from "./kustomization.ts";
import {
  applyJson6902ToSelected,
  applyStrategicMergeToResources,
  type ParsedPatch,
  parsePatchText,
} from "./patches.ts";
import { type Accumulator, ctxAt } from "./steps.ts";
import { readRootFile } from "./target.ts";
import { annotationsTransformer } from "./transformers/annotations.ts";
import { applyImages, type ImageSpec } from "./transformers/images.ts";
import { labelEntryFieldSpecs, labelTransformer } from "./transformers/labels.ts";
import { namespaceTransformer } from "./transformers/namespace.ts";
import { prefixTransformer, suffixTransformer } from "./transformers/prefix-suffix.ts";
import { applyReplacements } from "./transformers/replacements.ts";
import { applyReplicas, type ReplicaSpec } from "./transformers/replicas.ts";

/**
 * kustomize's builtin transformers in their fixed order (kusttarget_configplugin.go):
 * PatchStrategicMerge, Patch, Namespace, Prefix, Suffix, Label, Annotations, PatchJson6902, ReplicaCount,
 * ImageTag, Replacement.
 */
export function runBuiltinTransformers(run: BuildRun, t: Target, ra: Accumulator): void {
  const k = t.k;
  const res = () => ra.resources.list;

  // 1. patchesStrategicMerge: each entry is inline YAML or a file path.
  for (const e of stringEntries(k, "patchesStrategicMerge")) {
    const patches = loadSmpEntry(run, t, e.value, e.at);
    for (const p of patches ?? [])
      applyStrategicMergeToResources(ra.resources, p, undefined, {}, ctxAt(run, e.at));
  }

  // 2. patches
  for (const e of listEntries(k, "patches")) {
    if (!isMap(e.value)) {
      run.diags.error("KUS003", "invalid Kustomization: each patches entry must be a mapping", e.at);
      continue;
    }
    const entry = e.value;
    const ctx = ctxAt(run, e.at);
    const src = patchSource(run, t, entry, e.at, true, [
      "a patch must specify one of patch and path",
      "patch and path can't be set at the same time",
    ]);
    if (!src) continue;
    const parsed = cachedPatch(run, src.text, src.source, src.file, e.at, run.diags);
    if (!parsed) continue;
    const options = isMap(entry.options) ? (entry.options as Record<string, Value>) : {};
    const target = isMap(entry.target) ? entry.target : undefined;
    applyParsedPatch(ra, parsed, target, options, ctx, src.source);
  }

  // 3. namespace
  const ns = stringField(k, "namespace");
  if (ns) {
    namespaceTransformer(
      res(),
      { namespace: ns, fieldSpecs: ra.config.namespace },
      ctxAt(run, k.at.namespace!),
    );
  }

  // 4-5. prefix, suffix
  const prefix = stringField(k, "namePrefix");
  if (prefix) prefixTransformer(res(), prefix, ra.config.namePrefix, ctxAt(run, k.at.namePrefix!));
  const suffix = stringField(k, "nameSuffix");
  if (suffix) suffixTransformer(res(), suffix, ra.config.nameSuffix, ctxAt(run, k.at.nameSuffix!));

  // 6. labels entries, then commonLabels
  for (const e of listEntries(k, "labels")) {
    if (!isMap(e.value)) {
      run.diags.error("KUS003", "invalid Kustomization: each labels entry must be a mapping", e.at);
      continue;
    }
    const l = e.value;
    const ctx = ctxAt(run, e.at);
    const entry = {
      pairs: stringValues(l.pairs),
      includeSelectors: l.includeSelectors === true,
      includeTemplates: l.includeTemplates === true,
      fields: Array.isArray(l.fields) ? (l.fields as unknown as FieldSpec[]) : [],
    };
    labelTransformer(res(), entry.pairs, labelEntryFieldSpecs(entry, ra.config, ctx), ctx);
  }
  const common = stringMapField(k, "commonLabels");
  if (Object.keys(common).length > 0) {
    labelTransformer(res(), common, ra.config.commonLabels, ctxAt(run, k.at.commonLabels!));
  }

  // 7. commonAnnotations
  const ann = stringMapField(k, "commonAnnotations");
  if (Object.keys(ann).length > 0) {
    annotationsTransformer(res(), ann, ra.config.commonAnnotations, ctxAt(run, k.at.commonAnnotations!));
  }

  // 8. patchesJson6902 (legacy): target required, ops inline (`patch`) or from `path`.
  for (const e of listEntries(k, "patchesJson6902")) {
    if (!isMap(e.value)) {
      run.diags.error("KUS003", "invalid Kustomization: each patchesJson6902 entry must be a mapping", e.at);
      continue;
    }
    const entry = e.value;
    const target = isMap(entry.target) ? entry.target : undefined;
    if (!target || typeof target.name !== "string" || target.name === "") {
      run.diags.error("KUS040", "must specify the target name", e.at);
      continue;
    }
    // kustomize trims inline `patches` but not the legacy jsonOp.
    const src = patchSource(run, t, entry, e.at, false, [
      "empty file path and empty jsonOp",
      "must specify a file path or jsonOp, not both",
    ]);
    if (!src) continue;
    const parsed = cachedPatch(run, src.text, src.source, src.file, e.at, run.diags, "json");
    if (parsed?.kind !== "json") continue;
    applyJson6902ToSelected(ra.resources, parsed.ops, target, ctxAt(run, e.at), false);
  }

  // 9. replicas
  const replicas = listEntries(k, "replicas");
  if (replicas.length > 0) {
    applyReplicas(
      res(),
      replicas.map((e) => e.value as unknown as ReplicaSpec),
      ra.config.replicas,
      ctxAt(run, k.at.replicas!),
    );
  }

  // 10. images
  const images = listEntries(k, "images");
  if (images.length > 0) {
    applyImages(
      res(),
      images.map((e) => e.value as unknown as ImageSpec),
      ra.config.images,
      ctxAt(run, k.at.images!),
    );
  }

  // 11. replacements: inline entries or `path:` files holding a list of them.
  const replacements: { value: Value; at: Position }[] = [];
  for (const e of listEntries(k, "replacements")) {
    if (isMap(e.value) && typeof e.value.path === "string" && e.value.path !== "") {
      if (e.value.source !== undefined || (Array.isArray(e.value.targets) && e.value.targets.length > 0)) {
        run.diags.error("KUS410", "cannot specify both path and inline replacement", e.at);
        continue;
      }
      const f = readRootFile(run.fs, t.root, e.value.path, e.at, run.diags, "replacements file");
      if (!f.ok) continue;
      run.files.add(f.abs);
      const loaded = run.engine.parse(f.abs);
      run.diags.addAll(loaded.diagnostics);
      // Like kustomize's yaml.Unmarshal, only the first document counts: a list of replacements or one.
      const first = loaded.docs[0];
      const at = { file: run.fs.rel(f.abs), line: first?.line ?? 1, column: first?.column ?? 1 };
      if (!first || (!Array.isArray(first.value) && !isMap(first.value))) {
        run.diags.error("KUS410", "unsupported replacement type encountered within replacement path", at);
        continue;
      }
      const items = Array.isArray(first.value) ? first.value : [first.value];
      for (const [i, item] of items.entries()) {
        const p = Array.isArray(first.value) ? first.positionOf([i]) : undefined;
        replacements.push({ value: item, at: p ? { ...at, ...p } : at });
      }
    } else replacements.push(e);
  }
  if (replacements.length > 0) applyReplacements(res(), replacements, ctxAt(run, k.at.replacements!));
}

/**
 * The text of a patch entry: inline `patch` or the file at `path` (exactly one), read through the load restrictor.
 * `messages` are kustomize's words for none and both.
 */
function patchSource(
  run: BuildRun,
  t: Target,
  entry: ValueMap,
  at: Position,
  trim: boolean,
  messages: [none: string, both: string],
): { text: string; source: string; file: string } | undefined {
  const raw = typeof entry.patch === "string" ? entry.patch : "";
  const inline = trim ? raw.trim() : raw;
  const file = typeof entry.path === "string" ? entry.path : "";
  if ((inline === "") === (file === "")) {
    run.diags.error("KUS040", inline === "" ? messages[0] : messages[1], at);
    return undefined;
  }
  if (file === "") return { text: inline, source: "inline patch", file: t.k.docAt.file };
  const f = readRootFile(run.fs, t.root, file, at, run.diags, "patch file");
  if (!f.ok) return undefined;
  run.files.add(f.abs);
  return { text: f.text, source: `patch file '${file}'`, file: run.fs.rel(f.abs) };
}

function applyParsedPatch(
  ra: Accumulator,
  parsed: ParsedPatch,
  target: ValueMap | undefined,
  options: Record<string, Value>,
  ctx: TransformContext,
  source: string,
): void {
  if (parsed.kind === "smp") {
    if (target && parsed.docs.length > 1) {
      ctx.diags.error(
        "KUS040",
        `multiple strategic-merge patches in one patches entry may not set a target: ${source}`,
        ctx.at,
        "Split the documents into separate patches entries.",
      );
      return;
    }
    for (const doc of parsed.docs) applyStrategicMergeToResources(ra.resources, doc, target, options, ctx);
    return;
  }
  if (!target) {
    ctx.diags.error(
      "KUS040",
      `must specify a target for JSON patch ${source}`,
      ctx.at,
      "Add `target:` with kind and name.",
    );
    return;
  }
  applyJson6902ToSelected(ra.resources, parsed.ops, target, ctx, true);
}

function loadSmpEntry(run: BuildRun, t: Target, entry: string, at: Position): ValueMap[] | undefined {
  // kustomize first tries the entry as inline YAML, then as a file path.
  const inline = loadYaml(entry, t.relFile);
  const docs = inline.diagnostics.length === 0 ? inline.docs.filter((d) => d.value !== null) : [];
  if (docs.length > 0 && docs.every((d) => isMap(d.value) && typeof d.value.kind === "string")) {
    return docs.map((d) => d.value as ValueMap);
  }
  const f = readRootFile(run.fs, t.root, entry, at, run.diags, "patch file");
  if (!f.ok) return undefined;
  run.files.add(f.abs);
  const parsed = cachedPatch(run, f.text, `patch file '${entry}'`, run.fs.rel(f.abs), at, run.diags, "smp");
  return parsed?.kind === "smp" ? parsed.docs : undefined;
}

function stringValues(v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (isMap(v)) for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? x : String(x);
  return out;
}

/**
 * parsePatchText once per engine for each text: a Flux root often hands the same patch to every child. Results are
 * copied out (patches are applied to objects that later change) and their diagnostics replayed.
 */
function cachedPatch(
  run: BuildRun,
  text: string,
  source: string,
  file: string,
  at: Position,
  diags: Diagnostics,
  only?: "smp" | "json",
): ParsedPatch | undefined {
  // Keyed by text alone: Flux hands the same patch to many children, each written at another place. A patch that
  // fails is parsed again so its diagnostics point at this use.
  const key = `${only ?? ""}\0${text}`;
  let p = run.engine.patchCache.get(key) as ParsedPatch | null | undefined;
  if (p === undefined) {
    const local = new Diagnostics();
    p = parsePatchText(text, source, file, at, local, only) ?? null;
    run.engine.patchCache.set(key, p);
    diags.addAll(local.items);
    if (p === null) return undefined;
  } else if (p === null) {
    return parsePatchText(text, source, file, at, diags, only);
  }
  return p.kind === "smp"
    ? { kind: "smp", docs: p.docs.map((d) => deepClone(d)) }
    : { kind: "json", ops: deepClone(p.ops) };
}
