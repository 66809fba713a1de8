import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Diagnostics } from "../src/core/diagnostics.ts";
import { RepoFs } from "../src/core/repo-fs.ts";
import { emitYaml } from "../src/core/yaml/emit.ts";
import { goJsonMarshal } from "../src/core/yaml/go-json.ts";
import { loadYaml } from "../src/core/yaml/load.ts";
import { isMap, newMap, type Value, type ValueMap } from "../src/core/yaml/value.ts";
import { cleanPath } from "../src/flux/entry-points.ts";
import { generateKustomization } from "../src/flux/generator.ts";
import { readFluxKustomization } from "../src/flux/objects.ts";
import { postBuild } from "../src/flux/post-build.ts";
import { renderRepository } from "../src/flux/render.ts";
import { makeSourceFilter } from "../src/flux/source-ignore.ts";
import { KUSTOMIZATION_FILE_NAMES } from "../src/kustomize/kustomization.ts";

export interface ReferenceCase {
  repo: string;
  ks: string;
  ok: boolean;
  why?: string;
}

/**
 * The reference for `homeops build`: for every Flux Kustomization homeops renders, write the kustomization Flux's
 * generator produces into a copy of the repository (with `sortOptions: fifo`, the order Flux builds in), run
 * `kubectl kustomize --load-restrictor=LoadRestrictionsNone` on it, apply Flux's post-build steps with the same
 * variables, and compare the objects byte for byte.
 */
export function runFluxReference(repoRoot: string, log: (s: string) => void = () => {}): ReferenceCase[] {
  const repo = path.basename(repoRoot);
  const render = renderRepository(repoRoot, { showSecrets: true, keepArtifacts: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-fluxref-"));
  const cases: ReferenceCase[] = [];
  try {
    fs.cpSync(repoRoot, tmp, { recursive: true, verbatimSymlinks: true });
    const rfs = new RepoFs(repoRoot);
    const filter = makeSourceFilter(rfs, rfs.root);
    for (const ks of render.kustomizations) {
      const key = `${ks.namespace}/${ks.name}`;
      const rel = cleanPath(ks.path);
      // Artifact-sourced Kustomizations build inside their (temporary) artifact; the rest in a copy of the repo.
      const inRepo = ks.sourceRoot === rfs.root || ks.sourceRoot.startsWith(`${rfs.root}/`);
      // A source rooted in a folder of the repository (an OCI artifact pushed from it) maps into the copy too.
      const sub = inRepo ? path.relative(rfs.root, ks.sourceRoot) : "";
      const dir = path.join(inRepo ? rfs.root : ks.sourceRoot, sub, rel);
      const tdir = path.join(inRepo ? tmp : ks.sourceRoot, sub, rel);
      const kfs = inRepo ? rfs : new RepoFs(ks.sourceRoot);
      const existingName = KUSTOMIZATION_FILE_NAMES.find((n) => fs.existsSync(path.join(dir, n)));
      let existing: ValueMap | undefined;
      if (existingName) {
        const doc = loadYaml(fs.readFileSync(path.join(dir, existingName), "utf8"), existingName).docs[0];
        existing = doc && isMap(doc.value) ? doc.value : undefined;
      }
      const spec = ks.spec as Value;
      const gen = generateKustomization({
        fs: kfs,
        dir,
        spec,
        existing,
        ...(inRepo ? { excluded: filter.excluded } : {}),
      });
      const k = gen.kustomization;
      if (!isMap(k.sortOptions)) {
        const so = newMap();
        so.order = "fifo";
        k.sortOptions = so;
      }
      const saved = KUSTOMIZATION_FILE_NAMES.filter((n) => fs.existsSync(path.join(tdir, n))).map((n) => ({
        n,
        text: fs.readFileSync(path.join(tdir, n)),
      }));
      for (const s of saved) fs.rmSync(path.join(tdir, s.n));
      fs.writeFileSync(path.join(tdir, "kustomization.yaml"), goJsonMarshal(k));
      const r = spawnSync("kubectl", ["kustomize", "--load-restrictor=LoadRestrictionsNone", tdir], {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      });
      fs.rmSync(path.join(tdir, "kustomization.yaml"));
      for (const s of saved) fs.writeFileSync(path.join(tdir, s.n), s.text);
      if (r.status !== 0) {
        const ours = render.diagnostics.some((d) => d.code === "FLX011" && d.message.includes(key));
        cases.push({
          repo,
          ks: key,
          ok: ours,
          ...(ours ? {} : { why: `kubectl failed: ${r.stderr.trim().slice(0, 300)}` }),
        });
        continue;
      }
      const diags = new Diagnostics();
      const fk = readFluxKustomization(ks.spec === undefined ? newMap() : ksObject(ks), ks.origin);
      const reference = loadYaml(r.stdout, "kubectl")
        .docs.map((d) => d.value as ValueMap)
        .map((o) => postBuild(o, fk, ks.variables, {}, diags, ks.origin))
        .filter((o): o is ValueMap => o !== undefined);
      const want = reference.map((o) => emitYaml(o)).join("---\n");
      const got = ks.objects.map((o) => emitYaml(o)).join("---\n");
      if (want === got) cases.push({ repo, ks: key, ok: true });
      else {
        cases.push({ repo, ks: key, ok: false, why: firstDifference(want, got) });
        log(`FAIL ${repo} ${key}: ${firstDifference(want, got)}`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    render.cleanup?.();
  }
  return cases;
}

function ksObject(ks: { namespace: string; name: string; spec: ValueMap }): ValueMap {
  const obj = newMap();
  obj.apiVersion = "kustomize.toolkit.fluxcd.io/v1";
  obj.kind = "Kustomization";
  const md = newMap();
  md.name = ks.name;
  md.namespace = ks.namespace;
  obj.metadata = md;
  obj.spec = ks.spec;
  return obj;
}

function firstDifference(want: string, got: string): string {
  const a = want.split("\n");
  const b = got.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `line ${i + 1}: kubectl ${JSON.stringify(a[i] ?? "<end>")} vs homeops ${JSON.stringify(b[i] ?? "<end>")}`;
  }
  return "identical";
}
