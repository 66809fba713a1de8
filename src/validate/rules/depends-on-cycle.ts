import type { Position } from "../../core/diagnostics.ts";
import { ksKey, str } from "../../flux/objects.ts";
import type { Finding, Rule } from "../context.ts";
import { entries, fluxKustomizations } from "../lookup.ts";

interface Node {
  key: string;
  deps: { key: string; at: Position }[];
}

export const rule: Rule = {
  code: "CHK102",
  name: "depends-on-cycle",
  severity: "error",
  summary: "Kustomizations or HelmReleases whose `dependsOn` form a cycle: none of them ever becomes ready",
  run(ctx, report) {
    const byCluster = new Map<string, Map<string, Node>>();
    const add = (cluster: string, kind: string, node: Node) => {
      const g = `${cluster}\0${kind}`;
      let m = byCluster.get(g);
      if (!m) {
        m = new Map();
        byCluster.set(g, m);
      }
      if (!m.has(node.key)) m.set(node.key, node);
    };
    for (const ks of fluxKustomizations(ctx)) {
      add(ks.cluster, "Kustomization", {
        key: ksKey(ks),
        deps: entries(ks.spec, ["dependsOn"]).map(([i, d]) => ({
          key: `${str(d.namespace) || ks.namespace}/${str(d.name)}`,
          at: ctx.positionIn(ks.at, ["spec", "dependsOn", i, "name"]),
        })),
      });
    }
    for (const hr of ctx.ofKind("HelmRelease", "helm.toolkit.fluxcd.io")) {
      const ns = hr.namespace || "default";
      add(hr.ks.cluster, "HelmRelease", {
        key: `${ns}/${hr.name}`,
        deps: entries(hr.obj, ["spec", "dependsOn"])
          .filter(([, d]) => d.kind === undefined || d.kind === "HelmRelease")
          .map(([i, d]) => ({
            key: `${str(d.namespace) || ns}/${str(d.name)}`,
            at: ctx.positionIn(hr.at, ["spec", "dependsOn", i, "name"]),
          })),
      });
    }
    for (const [g, nodes] of [...byCluster].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const kind = g.slice(g.indexOf("\0") + 1);
      for (const cycle of findCycles(nodes)) reportCycle(kind, cycle, nodes, report);
    }
  },
};

/** Each cycle once, as its members starting from the smallest key, following dependsOn. */
function findCycles(nodes: Map<string, Node>): string[][] {
  const out: string[][] = [];
  const done = new Set<string>();
  const seen = new Set<string>();
  const keys = [...nodes.keys()].sort();
  // dependsOn graphs are small; the budget only guards against pathological ones.
  let budget = 100_000;
  for (const start of keys) {
    // Search only from each node for a cycle through nodes not smaller than it: every cycle is found once.
    const stack: string[] = [];
    const onPath = new Set<string>();
    const visit = (k: string): void => {
      if (k < start) return;
      if (k === start && stack.length > 0) {
        const c = stack.join("\0");
        if (!seen.has(c)) {
          seen.add(c);
          out.push([...stack]);
        }
        return;
      }
      if (onPath.has(k) || done.has(k) || --budget < 0) return;
      const n = nodes.get(k);
      if (!n) return;
      onPath.add(k);
      stack.push(k);
      for (const d of n.deps) visit(d.key);
      stack.pop();
      onPath.delete(k);
    };
    visit(start);
    done.add(start);
  }
  return out;
}

function reportCycle(
  kind: string,
  cycle: string[],
  nodes: Map<string, Node>,
  report: (f: Finding) => void,
): void {
  const first = nodes.get(cycle[0]!)!;
  const next = cycle[1] ?? cycle[0]!;
  const edge = first.deps.find((d) => d.key === next);
  report({
    message: `dependsOn cycle between ${kind}s: ${[...cycle, cycle[0]].join(" -> ")}`,
    ...(edge ? { at: edge.at } : {}),
    hint: "Remove one of these dependsOn entries; Flux waits forever for objects that wait for each other.",
  });
}
