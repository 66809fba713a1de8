import * as path from "node:path";
import { isMap } from "../../core/yaml/value.ts";
import { cleanPath } from "../../flux/entry-points.ts";
import { metaName, str } from "../../flux/objects.ts";
import type { Rule } from "../context.ts";
import { entries, fluxKustomizations } from "../lookup.ts";

export const rule: Rule = {
  code: "CHK601",
  name: "unreferenced-file",
  severity: "warning",
  summary:
    "a YAML file inside a Kustomization's directory tree that no build reads (forgotten in kustomization.yaml `resources`?); a folder none of whose files is read is reported once",
  run(ctx, report) {
    // A build that failed stopped reading: its tree says nothing about what is referenced.
    const failed = new Set(
      ctx.render.diagnostics
        .filter((d) => d.code === "FLX011")
        .map((d) => /^Kustomization (\S+) cannot be built/.exec(d.message)?.[1]),
    );
    const read = new Set<string>();
    const roots = new Set<string>();
    for (const ks of ctx.render.kustomizations) {
      for (const f of ks.files) read.add(f);
      // Kustomizations of artifacts are built from copies: their trees are not the repository's.
      if (!ctx.fs.contains(ks.sourceRoot) || failed.has(`${ks.namespace}/${ks.name}`)) continue;
      roots.add(ctx.fs.rel(path.resolve(ks.sourceRoot, cleanPath(ks.path))));
    }
    const inTree = (file: string) => [...roots].some((d) => d === "." || file.startsWith(`${d}/`));
    // ConfigMaps and Secrets a substituteFrom names are applied at bootstrap when nothing renders them.
    const substituted = new Set(
      fluxKustomizations(ctx).flatMap((k) =>
        entries(k.spec, ["postBuild", "substituteFrom"]).map(([, r]) => `${str(r.kind)}/${str(r.name)}`),
      ),
    );
    const bootstrapInput = (file: string) =>
      (ctx.load(file)?.docs ?? []).some(
        (d) => isMap(d.value) && substituted.has(`${str(d.value.kind)}/${metaName(d.value)}`),
      );
    const files = ctx
      .yamlFiles()
      .filter((f) => inTree(f) && !path.posix.basename(f).startsWith("."))
      .filter((f) => read.has(f) || !bootstrapInput(f));
    // Per folder (recursively): how many YAML files it holds, and how many of them no build reads.
    const total = new Map<string, number>();
    const unread = new Map<string, number>();
    for (const f of files) {
      for (let d = path.posix.dirname(f); d !== "." && !roots.has(d); d = path.posix.dirname(d)) {
        total.set(d, (total.get(d) ?? 0) + 1);
        if (!read.has(f)) unread.set(d, (unread.get(d) ?? 0) + 1);
      }
    }
    const whole = (d: string) => d !== "." && !roots.has(d) && (unread.get(d) ?? 0) === total.get(d);
    const reported = new Set<string>();
    for (const file of files) {
      if (read.has(file)) continue;
      // The outermost folder below a tree's root none of whose files is read stands for all of them.
      let group: string | undefined;
      for (let d = path.posix.dirname(file); whole(d); d = path.posix.dirname(d)) group = d;
      if (group === undefined || (total.get(group) ?? 0) === 1) {
        report({
          message: `${file} is inside the tree of a Flux Kustomization but no build reads it`,
          at: { file, line: 1, column: 1 },
          hint: "List it in a kustomization.yaml (resources, patches, generators), delete it, or move it out of the cluster tree.",
        });
      } else if (!reported.has(group)) {
        reported.add(group);
        report({
          message: `${group}/ is inside the tree of a Flux Kustomization but no build reads any of its ${total.get(group)} YAML files`,
          at: { file, line: 1, column: 1 },
          hint: "List it in its parent's kustomization.yaml (a commented-out ks.yaml?), delete it, or move it out of the cluster tree.",
        });
      }
    }
  },
};
