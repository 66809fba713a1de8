import * as path from "node:path";
import type { Diagnostic, Position, Severity } from "../core/diagnostics.ts";
import type { RepoFs } from "../core/repo-fs.ts";
import { type LoadedDoc, type LoadResult, loadYaml } from "../core/yaml/load.ts";
import { getPath, isMap, type ValueMap } from "../core/yaml/value.ts";
import { groupOf, metaName, metaNamespace, str } from "../flux/objects.ts";
import type { RenderedKustomization, RepoRender } from "../flux/render.ts";
import { isClusterScoped } from "./scope.ts";

/** One object as Flux applies it, with the Kustomization that produces it and where it was written. */
export interface CheckedObject {
  obj: ValueMap;
  ks: RenderedKustomization;
  at: Position;
  group: string;
  kind: string;
  /** metadata.namespace after rendering ("" when absent). */
  namespace: string;
  name: string;
}

/** What a rule reports: severity and code come from the rule (and the user's configuration). */
export interface Finding {
  message: string;
  at?: Partial<Position> | undefined;
  hint?: string;
}

export interface Rule {
  /** Stable code, `CHKnnn`. */
  code: string;
  /** Short kebab-case name, for docs and SARIF. */
  name: string;
  severity: Severity;
  /** One sentence: what the rule finds. */
  summary: string;
  run(ctx: CheckContext, report: (f: Finding) => void): void;
}

/** Everything rules look at: the render of `homeops build`, indexes over its objects, and source positions. */
export class CheckContext {
  readonly objects: CheckedObject[] = [];
  readonly #byKind = new Map<string, CheckedObject[]>();
  readonly #loaded = new Map<string, LoadResult | undefined>();
  /** Render diagnostics a rule has re-reported with more precision; they are not passed through. */
  readonly consumed = new Set<Diagnostic>();
  #yamlFiles: string[] | undefined;

  constructor(
    readonly fs: RepoFs,
    readonly render: RepoRender,
    readonly options: { strictSubstitute: boolean },
    /** Problems of `.homeops.yaml` itself. */
    readonly configProblems: Finding[] = [],
  ) {
    for (const ks of render.kustomizations) {
      ks.objects.forEach((obj, i) => {
        const o: CheckedObject = {
          obj,
          ks,
          at: ks.objectOrigins[i] ?? ks.origin,
          group: groupOf(obj),
          kind: str(obj.kind),
          namespace: metaNamespace(obj),
          name: metaName(obj),
        };
        this.objects.push(o);
        const list = this.#byKind.get(o.kind);
        if (list) list.push(o);
        else this.#byKind.set(o.kind, [o]);
      });
    }
  }

  /** Rendered objects of a kind, optionally of an API group. */
  ofKind(kind: string, group?: string): CheckedObject[] {
    const all = this.#byKind.get(kind) ?? [];
    return group === undefined ? all : all.filter((o) => o.group === group);
  }

  /** Whether a kind is cluster-scoped: Kubernetes' own table, then the CRDs the repository defines. */
  clusterScoped(apiVersion: string, kind: string): boolean | undefined {
    const builtin = isClusterScoped(apiVersion, kind);
    if (builtin !== undefined) return builtin;
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    for (const crd of this.ofKind("CustomResourceDefinition")) {
      const spec = crd.obj.spec;
      if (!isMap(spec) || str(spec.group) !== group || str(getPath(spec, ["names", "kind"])) !== kind)
        continue;
      return spec.scope === "Cluster";
    }
    return undefined;
  }

  /** The parsed file (with positions), loaded once; undefined when it cannot be read. */
  load(file: string): LoadResult | undefined {
    if (!this.#loaded.has(file)) {
      const text = this.fs.tryReadRel(file);
      this.#loaded.set(file, text === undefined ? undefined : loadYaml(text, file));
    }
    return this.#loaded.get(file);
  }

  /** The source document an object was read from (matched by the position of its root node). */
  sourceDoc(at: Position): LoadedDoc | undefined {
    const docs = this.load(at.file)?.docs ?? [];
    return (
      docs.find((d) => d.line === at.line && d.column === at.column) ?? docs.find((d) => d.line === at.line)
    );
  }

  /** Position of a field of the object written at `at`, or of the object itself when the field is not in the file. */
  positionIn(at: Position, fieldPath: readonly (string | number)[]): Position {
    const p = this.sourceDoc(at)?.positionOf(fieldPath);
    return p ? { file: at.file, line: p.line, column: p.column } : at;
  }

  /** Position of the key of a field (`dependsOn:`), for findings about the field itself rather than its value. */
  keyPositionIn(at: Position, fieldPath: readonly (string | number)[]): Position {
    const p = this.positionIn(at, fieldPath);
    const key = fieldPath[fieldPath.length - 1];
    if (p === at || typeof key !== "string") return p;
    const found = keyPosition(this.fs.tryReadRel(at.file) ?? "", p, key);
    return found ? { file: at.file, ...found } : p;
  }

  /** Every .yaml/.yml file of the repository (repo-relative, sorted), hidden and vendored folders skipped. */
  yamlFiles(): string[] {
    if (this.#yamlFiles) return this.#yamlFiles;
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const name of this.fs.list(dir)) {
        const abs = path.join(dir, name);
        const kind = this.fs.kind(abs);
        if (kind === "dir") {
          if (!name.startsWith(".") && name !== "node_modules") walk(abs);
        } else if (kind === "file" && /\.ya?ml$/.test(name)) out.push(this.fs.rel(abs));
      }
    };
    walk(this.fs.root);
    this.#yamlFiles = out;
    return out;
  }
}

/** The `key:` written on the line of its value or the line before (block values), or undefined. */
export function keyPosition(
  text: string,
  value: { line: number; column: number },
  key: string,
): { line: number; column: number } | undefined {
  const lines = text.split("\n");
  for (let ln = value.line; ln >= Math.max(1, value.line - 1); ln--) {
    const line = lines[ln - 1] ?? "";
    const end = ln === value.line ? value.column - 1 : line.length;
    for (const form of [`${key}:`, `"${key}":`, `'${key}':`]) {
      const i = line.lastIndexOf(form, end);
      if (i >= 0) return { line: ln, column: i + 1 };
    }
  }
  return undefined;
}
