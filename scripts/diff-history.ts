/**
 * Checks `homeops diff` on the history of a real repository: for each of N consecutive commits, the objects the
 * (incremental) diff reports must be exactly the objects whose YAML differs between two full renders of the
 * commit and its parent.
 *
 *   npx tsx scripts/diff-history.ts <git-repo> [--commits 20] [--from HEAD] [--path <entry>]
 *
 * Prints one line per commit (diff time, full two-sided render time, counts) and `N passed, N failed`.
 */
import { parseArgs } from "node:util";
import { emitYaml } from "../src/core/yaml/emit.ts";
import { diffRepository } from "../src/diff/diff.ts";
import { extractTree, openGitRepo, resolveCommit } from "../src/diff/git.ts";
import { type RepoRender, renderRepository } from "../src/flux/render.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    commits: { type: "string", default: "20" },
    from: { type: "string", default: "HEAD" },
    path: { type: "string" },
  },
});
const repoDir = positionals[0];
if (!repoDir) {
  process.stderr.write("usage: diff-history.ts <git-repo> [--commits N] [--from REV] [--path entry]\n");
  process.exit(2);
}
const repo = openGitRepo(repoDir);
const n = Number(values.commits);
const pathOpt = values.path ? { path: values.path } : {};

/**
 * Every object of a render by Kustomization and identity, with its YAML. Kustomizations that fail to build on
 * the head side are left out of both: Flux applies none of them, and the diff says so instead of listing objects.
 */
function objectsOf(r: RepoRender, failed: Set<string>): Map<string, string> {
  const m = new Map<string, string>();
  for (const k of r.kustomizations) {
    if (failed.has(`${k.cluster}|${k.namespace}|${k.name}`)) continue;
    for (const o of k.objects) {
      const api = typeof o.apiVersion === "string" ? o.apiVersion : "";
      const group = api.includes("/") ? api.slice(0, api.lastIndexOf("/")) : "";
      const md = (o.metadata ?? {}) as Record<string, unknown>;
      m.set(
        [
          k.cluster,
          k.namespace,
          k.name,
          group,
          String(o.kind),
          String(md.namespace ?? ""),
          String(md.name ?? ""),
        ].join("|"),
        emitYaml(o),
      );
    }
  }
  return m;
}

function fullRender(commit: string): { render: RepoRender; ms: number } {
  const t = extractTree(repo, commit);
  try {
    const t0 = performance.now();
    const render = renderRepository(t.root, { showSecrets: true, ...pathOpt });
    return { render, ms: performance.now() - t0 };
  } finally {
    t.cleanup();
  }
}

let passed = 0;
let failed = 0;
const diffTimes: number[] = [];
const fullTimes: number[] = [];
for (let i = 0; i < n; i++) {
  const head = resolveCommit(repo, `${values.from}~${i}`);
  const base = head && resolveCommit(repo, `${head}~1`);
  if (!head || !base) break;
  const t0 = performance.now();
  const r = diffRepository({ repo: repoDir, base, head, showSecrets: true, ...pathOpt });
  const diffMs = performance.now() - t0;
  const b = fullRender(base);
  const h = fullRender(head);
  const failedKs = new Set(
    h.render.kustomizations.filter((k) => k.failed).map((k) => `${k.cluster}|${k.namespace}|${k.name}`),
  );
  const before = objectsOf(b.render, failedKs);
  const after = objectsOf(h.render, failedKs);
  const expected = new Set<string>();
  for (const [k, y] of after) {
    const x = before.get(k);
    if (x === undefined) expected.add(`added ${k}`);
    else if (x !== y) expected.add(`changed ${k}`);
  }
  for (const k of before.keys()) if (!after.has(k)) expected.add(`removed ${k}`);
  const reported = new Set<string>();
  for (const k of r.kustomizations) {
    for (const o of k.objects) {
      const api = o.apiVersion;
      const group = api.includes("/") ? api.slice(0, api.lastIndexOf("/")) : "";
      reported.add(
        `${o.status} ${[k.cluster, k.namespace, k.name, group, o.kind, o.namespace, o.name].join("|")}`,
      );
    }
  }
  const missing = [...expected].filter((x) => !reported.has(x));
  const extra = [...reported].filter((x) => !expected.has(x));
  const ok = missing.length === 0 && extra.length === 0;
  if (ok) passed++;
  else failed++;
  diffTimes.push(diffMs);
  fullTimes.push(b.ms + h.ms);
  process.stdout.write(
    `${ok ? "ok  " : "FAIL"} ${head.slice(0, 10)} diff ${diffMs.toFixed(0)} ms (base built ${r.stats.baseBuilt}, reused ${r.stats.baseReused}; prepare ${r.stats.ms.prepare.toFixed(0)} ms, head ${r.stats.ms.head.toFixed(0)} ms, base ${r.stats.ms.base.toFixed(0)} ms, compare ${r.stats.ms.compare.toFixed(0)} ms) | full renders ${(b.ms + h.ms).toFixed(0)} ms | ${r.changes.length} files, ${expected.size} objects differ\n`,
  );
  for (const x of missing) process.stdout.write(`     missing: ${x}\n`);
  for (const x of extra) process.stdout.write(`     extra:   ${x}\n`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
process.stdout.write(
  `diff median ${median(diffTimes).toFixed(0)} ms, max ${Math.max(...diffTimes).toFixed(0)} ms; two full renders median ${median(fullTimes).toFixed(0)} ms\n`,
);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : 0;
