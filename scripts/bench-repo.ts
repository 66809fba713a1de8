/**
 * One corpus repository timed in a process of its own (for `npm run bench`), so no earlier measurement's garbage
 * or caches weigh on it. Prints one JSON line.
 *   render <root> <rounds>: renderRepository, then its YAML written to /dev/null as `homeops build` writes it
 *     (the kubectl loop's output goes to /dev/null too); best of `rounds` after three warm-up rounds, with the
 *     Flux paths rendered.
 *   parse <root> <rounds>: reading and parsing every YAML file of the repository once, with the `yaml` package
 *     and with homeops's own loader; best of `rounds` each, after three warm-up rounds.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { parseAllDocuments } from "yaml";
import { loadYaml } from "../src/core/yaml/load.ts";
import { renderYamlParts } from "../src/flux/output.ts";
import { renderRepository } from "../src/flux/render.ts";

const [mode, root, roundsArg] = process.argv.slice(2);
if (!root || (mode !== "render" && mode !== "parse"))
  throw new Error("usage: bench-repo render|parse <root> [rounds]");
const rounds = Number(roundsArg ?? 5);

/** Best time of `rounds` calls after three warm-up calls; `fn` is told whether this call is timed. */
function best(fn: (timed: boolean) => void): number {
  // Warm-up: V8 needs a few runs to compile the hot code fully (a fresh process starts interpreted).
  for (let i = 0; i < 3; i++) fn(false);
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    fn(true);
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

if (mode === "render") {
  const devNull = fs.openSync("/dev/null", "w");
  let paths: string[] = [];
  let render = Number.POSITIVE_INFINITY;
  const build = best((timed) => {
    const t = performance.now();
    const r = renderRepository(root);
    if (timed) render = Math.min(render, performance.now() - t);
    for (const part of renderYamlParts(r)) fs.writeSync(devNull, part);
    paths = r.kustomizations.map((k) => k.path);
  });
  console.log(JSON.stringify({ render, build, paths }));
} else {
  const files = fs
    .readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  const parseAll = (parseOne: (text: string, file: string) => unknown) => () => {
    for (const f of files) parseOne(fs.readFileSync(f, "utf8"), f);
  };
  const yamlPackage = best(parseAll((text) => parseAllDocuments(text)));
  const own = best(parseAll((text, f) => loadYaml(text, f)));
  console.log(JSON.stringify({ files: files.length, yamlPackage, own }));
}
