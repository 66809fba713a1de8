import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Diagnostic } from "../src/core/diagnostics.ts";
import { RepoFs } from "../src/core/repo-fs.ts";
import { KustomizeEngine } from "../src/kustomize/build.ts";
import { renderResources } from "../src/kustomize/render.ts";
import { type CorpusDir, corpusDirectories } from "./corpus.ts";

export interface ConformanceCase {
  dir: CorpusDir;
  kubectl: { code: number; stdout: string; stderr: string };
  ours: { output: string; diagnostics: Diagnostic[] };
  ok: boolean;
  why?: string;
}

export interface ConformanceSummary {
  passed: number;
  failed: number;
  cases: ConformanceCase[];
}

/** Runs kubectl with bounded concurrency; the machine has two cores. */
export function kubectlKustomize(
  dir: string,
  restrictor: "none" | "rootOnly" = "none",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const flags = restrictor === "none" ? ["--load-restrictor=LoadRestrictionsNone"] : [];
  return new Promise((resolve) => {
    const p = spawn("kubectl", ["kustomize", ...flags, dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (b: Buffer) => out.push(b));
    p.stderr.on("data", (b: Buffer) => err.push(b));
    p.on("close", (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/**
 * kubectl's error text → the diagnostic code homeops must report for the same cause.
 * Order matters: the first pattern that matches names the cause.
 */
const CAUSES: [RegExp, string[]][] = [
  [/unknown field/, ["KUS003"]],
  [/kustomization\.yaml is empty/, ["KUS005"]],
  [/external plugins disabled|unable to load external plugin/, ["KUS031"]],
  [/HelmChartInflationGenerator|--enable-helm/, ["KUS030"]],
  [/github\.com|git clone|https?:\/\/|ssh:/, ["KUS011"]],
  [/cycle detected/, ["KUS013"]],
  [/security; file/, ["KUS012"]],
  [/already registered id/, ["KUS021"]],
  [/no such file or directory|unable to find one of/, ["KUS010", "KUS001"]],
];

export function expectedCodes(stderr: string): string[] | undefined {
  for (const [re, codes] of CAUSES) if (re.test(stderr)) return codes;
  return undefined;
}

export async function runConformance(
  corpus: string,
  opts: { outDir?: string; log?: (s: string) => void; restrictor?: "none" | "rootOnly" } = {},
): Promise<ConformanceSummary> {
  const restrictor = opts.restrictor ?? "none";
  const dirs = corpusDirectories(corpus);
  const kubectl = new Array<{ code: number; stdout: string; stderr: string }>(dirs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < dirs.length) {
        const i = next++;
        kubectl[i] = await kubectlKustomize(dirs[i]!.dir, restrictor);
      }
    }),
  );
  const engines = new Map<string, KustomizeEngine>();
  const cases: ConformanceCase[] = [];
  dirs.forEach((d, i) => {
    let engine = engines.get(d.root);
    if (!engine) {
      engine = new KustomizeEngine(new RepoFs(d.root));
      engines.set(d.root, engine);
    }
    const r = engine.build(d.dir, { loadRestrictor: restrictor, reorder: "legacy" });
    const rendered = renderResources(r.resources, "yaml");
    const errors = [...r.diagnostics, ...rendered.diagnostics].filter((x) => x.severity === "error");
    const output = errors.length > 0 ? "" : rendered.output;
    const k = kubectl[i]!;
    const c: ConformanceCase = {
      dir: d,
      kubectl: k,
      ours: { output, diagnostics: r.diagnostics },
      ok: false,
    };
    if (k.code === 0) {
      if (errors.length > 0)
        c.why = `homeops reported errors: ${errors.map((e) => `${e.code} ${e.message}`).join("; ")}`;
      else if (output !== k.stdout) c.why = "output differs";
      else c.ok = true;
    } else {
      const want = expectedCodes(k.stderr);
      const got = errors.map((e) => e.code);
      if (!want) c.why = `kubectl failed with an unclassified error: ${k.stderr.trim().slice(0, 300)}`;
      else if (got.some((g) => want.includes(g))) c.ok = true;
      else
        c.why = `kubectl failed (${want.join("/")}); homeops reported ${got.length ? got.join(", ") : "no error"}`;
    }
    cases.push(c);
    if (!c.ok) {
      const rel = path.relative(corpus, d.dir);
      opts.log?.(`FAIL ${rel}: ${c.why}`);
      if (opts.outDir) {
        const base = path.join(opts.outDir, rel.replaceAll("/", "__"));
        fs.writeFileSync(`${base}.kubectl.yaml`, k.stdout || k.stderr);
        fs.writeFileSync(`${base}.homeops.yaml`, output || JSON.stringify(r.diagnostics, null, 2));
      }
    }
  });
  const passed = cases.filter((c) => c.ok).length;
  return { passed, failed: cases.length - passed, cases };
}
