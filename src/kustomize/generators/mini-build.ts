/**
 * Test support only: a tiny `kustomize build` covering just what the generator, images and replicas tests
 * need (resources, generators, namePrefix/nameSuffix, replicas, images, hash suffix), so those modules can be
 * checked against kubectl goldens before the real build orchestrator exists. Not used by the product.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { Diagnostics } from "../../core/diagnostics.ts";
import { isMap, type Value, type ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { type Resource, renameResource } from "../resource.ts";
import { applyImages, DEFAULT_IMAGE_FIELD_SPECS, type ImageSpec } from "../transformers/images.ts";
import { applyReplicas, DEFAULT_REPLICAS_FIELD_SPECS, type ReplicaSpec } from "../transformers/replicas.ts";
import {
  absorbGenerated,
  addHashesToNames,
  type ConfigMapArgs,
  type GeneratorFileReader,
  type GeneratorOptions,
  generateConfigMap,
  generateSecret,
  type SecretArgs,
} from "./generators.ts";

export interface MiniBuildResult {
  resources: Resource[];
  diags: Diagnostics;
}

export function miniBuild(dir: string): MiniBuildResult {
  const diags = new Diagnostics();
  const resources = accumulate(resolve(dir), diags);
  addHashesToNames(resources, ctxFor(diags, dir));
  return { resources, diags };
}

function ctxFor(diags: Diagnostics, file: string): TransformContext {
  return { diags, at: { file, line: 1, column: 1 } };
}

function parseYamlDocs(text: string): Value[] {
  return parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: -1 }) as Value);
}

function accumulate(dir: string, diags: Diagnostics): Resource[] {
  const kfile = join(dir, "kustomization.yaml");
  const k = parseYamlDocs(readFileSync(kfile, "utf8"))[0] as ValueMap;
  const ctx = ctxFor(diags, kfile);
  const out: Resource[] = [];
  for (const entry of (k.resources as string[] | undefined) ?? []) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...accumulate(p, diags));
    else {
      for (const doc of parseYamlDocs(readFileSync(p, "utf8"))) {
        if (isMap(doc)) out.push({ obj: doc, origin: { file: p, line: 1, column: 1 }, prevIds: [] });
      }
    }
  }
  const reader: GeneratorFileReader = {
    readFile(path) {
      try {
        return { ok: true, bytes: new Uint8Array(readFileSync(join(dir, path))) };
      } catch (e) {
        return { ok: false, message: (e as Error).message };
      }
    },
  };
  const global = k.generatorOptions as GeneratorOptions | undefined;
  for (const args of (k.configMapGenerator as ConfigMapArgs[] | undefined) ?? []) {
    const r = generateConfigMap(args, global, reader, ctx);
    if (r) absorbGenerated(out, r, ctx);
  }
  for (const args of (k.secretGenerator as SecretArgs[] | undefined) ?? []) {
    const r = generateSecret(args, global, reader, ctx);
    if (r) absorbGenerated(out, r, ctx);
  }
  const prefix = typeof k.namePrefix === "string" ? k.namePrefix : "";
  const suffix = typeof k.nameSuffix === "string" ? k.nameSuffix : "";
  if (prefix || suffix) {
    for (const r of out) {
      const md = r.obj.metadata as ValueMap;
      renameResource(r, { name: `${prefix}${md.name as string}${suffix}` });
    }
  }
  const replicas = k.replicas as ReplicaSpec[] | undefined;
  if (replicas) applyReplicas(out, replicas, DEFAULT_REPLICAS_FIELD_SPECS, ctx);
  const images = k.images as ImageSpec[] | undefined;
  if (images) applyImages(out, images, DEFAULT_IMAGE_FIELD_SPECS, ctx);
  return out;
}

/** Objects keyed by `kind/namespace/name`, normalised through JSON like kustomize's output. */
export function keyed(objs: readonly Value[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of objs) {
    if (!isMap(o)) continue;
    const md = isMap(o.metadata) ? o.metadata : {};
    out[`${String(o.kind)}/${String(md.namespace ?? "")}/${String(md.name)}`] = JSON.parse(JSON.stringify(o));
  }
  return out;
}

export function parseKubectlOutput(text: string): Record<string, unknown> {
  // kubectl writes U+2028/U+2029 raw inside single-quoted scalars and indents after them as after a line
  // break; go-yaml reads the bare character back, the `yaml` package keeps the spaces. Undo that here.
  const fixed = text.replace(/'[^'\n]*'/g, (q) => q.replace(/([\u2028\u2029]) +/g, "$1"));
  return keyed(parseYamlDocs(fixed));
}

let kubectlChecked: string | undefined;

/** Why live kubectl comparisons are skipped, or undefined when kubectl is usable. */
export function kubectlUnavailable(): string | undefined {
  if (kubectlChecked !== undefined) return kubectlChecked || undefined;
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "pipe" });
    kubectlChecked = "";
  } catch {
    kubectlChecked = "kubectl not found on PATH";
  }
  return kubectlChecked || undefined;
}

export function runKubectl(dir: string): { ok: true; out: string } | { ok: false; err: string } {
  try {
    return { ok: true, out: execFileSync("kubectl", ["kustomize", dir], { stdio: "pipe" }).toString() };
  } catch (e) {
    return { ok: false, err: String((e as { stderr?: Buffer }).stderr ?? e) };
  }
}

/** Writes `expected.yaml` or `expected-error.txt` from kubectl when KUSTOMIZE_UPDATE_GOLDENS is set. */
export function maybeUpdateGolden(dir: string): void {
  if (!process.env.KUSTOMIZE_UPDATE_GOLDENS || kubectlUnavailable()) return;
  const r = runKubectl(dir);
  if (r.ok) writeFileSync(join(dir, "expected.yaml"), r.out);
  else {
    // Keep the message, not klog's timestamp/pid prefix nor a panic's goroutine dump.
    const lines = r.err
      .replace(/^E\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] /, "")
      .split("\n")
      .slice(0, 4);
    writeFileSync(join(dir, "expected-error.txt"), `${lines.join("\n").trimEnd()}\n`);
  }
}

export type Golden = { kind: "ok"; objects: Record<string, unknown> } | { kind: "error"; text: string };

export function readGolden(dir: string): Golden | undefined {
  const ok = join(dir, "expected.yaml");
  if (existsSync(ok)) return { kind: "ok", objects: parseKubectlOutput(readFileSync(ok, "utf8")) };
  const err = join(dir, "expected-error.txt");
  if (existsSync(err)) return { kind: "error", text: readFileSync(err, "utf8") };
  return undefined;
}
