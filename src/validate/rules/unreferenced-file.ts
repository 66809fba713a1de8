import * as path from "node:path";
import { cleanPath } from "../../flux/entry-points.ts";
import type { Rule } from "../context.ts";

export const rule: Rule = {
  code: "CHK601",
  name: "unreferenced-file",
  severity: "warning",
  summary:
    "a YAML file inside a Kustomization's directory tree that no build reads (forgotten in kustomization.yaml `resources`?)",
  run(ctx, report) {
    // A build that failed stopped reading: its tree says nothing about what is referenced.
    const failed = new Set(
      ctx.render.diagnostics
        .filter((d) => d.code === "FLX011")
        .map((d) => /^Kustomization (\S+) cannot be built/.exec(d.message)?.[1]),
    );
    const read = new Set<string>();
    const dirs = new Set<string>();
    for (const ks of ctx.render.kustomizations) {
      for (const f of ks.files) read.add(f);
      // Kustomizations of artifacts are built from copies: their trees are not the repository's.
      if (!ctx.fs.contains(ks.sourceRoot) || failed.has(`${ks.namespace}/${ks.name}`)) continue;
      const dir = ctx.fs.rel(path.resolve(ks.sourceRoot, cleanPath(ks.path)));
      dirs.add(dir);
    }
    const under = (file: string) => [...dirs].some((d) => d === "." || file.startsWith(`${d}/`));
    for (const file of ctx.yamlFiles()) {
      if (read.has(file) || path.posix.basename(file).startsWith(".") || !under(file)) continue;
      report({
        message: `${file} is inside the tree of a Flux Kustomization but no build reads it`,
        at: { file, line: 1, column: 1 },
        hint: "List it in a kustomization.yaml (resources, patches, generators), delete it, or move it out of the cluster tree.",
      });
    }
  },
};
