import { Diagnostics, type Position } from "../core/diagnostics.ts";
import { isMap, type Value, type ValueMap } from "../core/yaml/value.ts";
import { type BuildRun, ORIGIN_ANNOTATION, originJoin, setAnnotation, type Target } from "./build.ts";
import type { TransformContext } from "./context.ts";
import {
  absorbGenerated,
  addHashesToNames,
  type ConfigMapArgs,
  type GeneratorFileReader,
  type GeneratorOptions,
  generateConfigMap,
  generateSecret,
  type SecretArgs,
} from "./generators/generators.ts";
import { listEntries, stringEntries } from "./kustomization.ts";
import { runPluginGenerators, runPluginTransformers } from "./plugins.ts";
import { ResMap } from "./resmap.ts";
import type { Resource } from "./resource.ts";
import { readRootFile } from "./target.ts";
import {
  emptyTransformerConfig,
  loadTransformerConfig,
  makeTransformerConfig,
  mergeTransformerConfig,
  type TransformerConfig,
} from "./transformer-config.ts";
import { fixNameReferences } from "./transformers/name-reference.ts";
import { runBuiltinTransformers } from "./transformers.ts";
import { resolveVars, type Var } from "./vars.ts";

/** kustomize's ResAccumulator: the resources so far and the transformer configuration in force. */
export interface Accumulator {
  resources: ResMap;
  config: TransformerConfig;
  /** Declared `vars`, and the objects each one reads from. */
  vars: Var[];
  refVars: Map<Resource, string[]>;
}

export function newAccumulator(): Accumulator {
  return { resources: new ResMap(), config: emptyTransformerConfig(), vars: [], refVars: new Map() };
}

export function ctxAt(run: BuildRun, at: Position): TransformContext {
  return { diags: run.diags, at };
}

/** `configurations:` files merged over the built-in field specs, then into the accumulator's config. */
export function loadConfigurations(run: BuildRun, t: Target, ra: Accumulator): void {
  const user: TransformerConfig[] = [];
  for (const e of stringEntries(t.k, "configurations")) {
    const f = readRootFile(run.fs, t.root, e.value, e.at, run.diags, "configuration file");
    if (!f.ok) continue;
    run.files.add(f.abs);
    const loaded = run.engine.parse(f.abs);
    run.diags.addAll(loaded.diagnostics);
    const configs = run.engine.transformerConfigs(f.abs, run.diags, (diags) =>
      loaded.docs
        .filter((d) => d.value !== null)
        .map((d) => loadTransformerConfig(d.value, { diags, at: e.at }, run.fs.rel(f.abs))),
    );
    user.push(...configs);
  }
  const ctx = ctxAt(run, t.k.at.configurations ?? t.k.docAt);
  ra.config = mergeTransformerConfig(ra.config, makeTransformerConfig(user, ctx), ctx);
}

/** configMapGenerator then secretGenerator; each object joins (or merges into) the accumulator. */
/**
 * How generators read `files`/`envs`: through the load restrictor. The reason a file cannot be read goes back in
 * the result; the generator reports it once, at its own entry.
 */
export function generatorFiles(run: BuildRun, t: Target): GeneratorFileReader {
  return {
    readFile: (p) => {
      // kustomize fetches http(s) file sources; offline that is the same cause as a remote resource.
      if (/^https?:\/\//i.test(p)) {
        return {
          ok: false,
          code: "KUS011",
          message: `remote file '${p}' cannot be fetched offline`,
          hint: "Vendor the file into the repository next to the kustomization.",
        };
      }
      const local = new Diagnostics();
      const f = readRootFile(run.fs, t.root, p, t.k.docAt, local, "generator source");
      if (!f.ok) return { ok: false, message: local.items[0]?.message ?? `cannot read '${p}'` };
      run.files.add(f.abs);
      return { ok: true, bytes: run.fs.readBytes(f.abs) };
    },
  };
}

export function runGenerators(run: BuildRun, t: Target, ra: Accumulator): void {
  const global = generatorOptions(t.k.fields.generatorOptions);
  const files = generatorFiles(run, t);
  for (const [field, make] of [
    [
      "configMapGenerator",
      (a: ValueMap, ctx: TransformContext) => generateConfigMap(a as ConfigMapArgs, global, files, ctx),
    ],
    [
      "secretGenerator",
      (a: ValueMap, ctx: TransformContext) => generateSecret(a as SecretArgs, global, files, ctx),
    ],
  ] as const) {
    for (const e of listEntries(t.k, field)) {
      const ctx = ctxAt(run, e.at);
      if (!isMap(e.value)) {
        run.diags.error("KUS003", `invalid Kustomization: each ${field} entry must be a mapping`, e.at);
        continue;
      }
      const r = make(e.value, ctx);
      if (!r) continue;
      r.origin = e.at;
      r.loadedFrom = t.root.dir;
      if (run.origins) {
        const kind = field === "configMapGenerator" ? "ConfigMapGenerator" : "SecretGenerator";
        const configuredIn = originJoin(t.originPath, t.fileName);
        setAnnotation(
          r.obj,
          ORIGIN_ANNOTATION,
          `configuredIn: ${configuredIn}\nconfiguredBy:\n  apiVersion: builtin\n  kind: ${kind}\n`,
        );
      }
      absorbGenerated(ra.resources.list, r, ctx);
    }
  }
  // Then builtin generator configs listed under `generators:`.
  runPluginGenerators(run, t, ra);
}

function generatorOptions(v: Value | undefined): GeneratorOptions | undefined {
  return isMap(v) ? (v as unknown as GeneratorOptions) : undefined;
}

export function runTransformers(run: BuildRun, t: Target, ra: Accumulator): void {
  runBuiltinTransformers(run, t, ra);
  runPluginTransformers(run, t, ra);
}

/** makeCustomizedResMap's last steps: hash suffixes, name back-references, then drop local-config objects. */
export function finishBuild(run: BuildRun, t: Target, ra: Accumulator): void {
  const ctx = ctxAt(run, t.k.docAt);
  addHashesToNames(ra.resources.list, ctx);
  fixNameReferences(ra.resources.list, ra.config, ctx);
  resolveVars(ra.vars, ra.resources.list, ra.refVars, ra.config.varReference, run.diags);
  ra.resources.list = ra.resources.list.filter((r) => {
    const md = r.obj.metadata;
    const ann = isMap(md) && isMap(md.annotations) ? md.annotations : undefined;
    const local = ann?.["config.kubernetes.io/local-config"];
    return local === undefined || local === "false";
  });
}
