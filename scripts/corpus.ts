import * as fs from "node:fs";
import * as path from "node:path";
import { KUSTOMIZATION_FILE_NAMES } from "../src/kustomize/kustomization.ts";

/** ../shared/corpus beside the project, if present. */
export function corpusDir(): string | undefined {
  const dir = path.resolve(import.meta.dirname, "..", "..", "shared", "corpus");
  return fs.existsSync(dir) ? dir : undefined;
}

export interface CorpusDir {
  repo: string;
  /** Absolute repository folder (the build root). */
  root: string;
  /** Absolute directory holding a kustomization file. */
  dir: string;
}

/** Every directory with a kustomization file in every corpus repository, sorted. */
export function corpusDirectories(corpus: string): CorpusDir[] {
  const out: CorpusDir[] = [];
  for (const repo of fs.readdirSync(corpus).sort()) {
    const root = path.join(corpus, repo);
    if (!fs.statSync(root).isDirectory()) continue;
    walk(root, (dir, names) => {
      if (KUSTOMIZATION_FILE_NAMES.some((n) => names.includes(n))) out.push({ repo, root, dir });
    });
  }
  return out;
}

function walk(dir: string, visit: (dir: string, names: string[]) => void): void {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  visit(
    dir,
    entries.filter((e) => e.isFile()).map((e) => e.name),
  );
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isDirectory() && e.name !== ".git") walk(path.join(dir, e.name), visit);
  }
}
