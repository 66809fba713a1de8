import * as fs from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DISCOVERY_KINDS, mayHoldDiscoveryDoc } from "./entry-points.ts";

/** The filter written plainly (split into documents, then each searched): the one-pass version must agree. */
function mayHoldByDocuments(text: string): boolean {
  if (/^instance:/m.test(text)) return true;
  for (const doc of text.split(/^(?:---|\.\.\.)(?:[ \t].*)?$/m)) {
    const kinds = [...doc.matchAll(/^kind:(.*)$/gm)];
    if (kinds.length === 0) {
      if (/^[ \t]*[^\s#]/m.test(doc)) return true;
      continue;
    }
    if (kinds.length > 1) return true;
    const value = (kinds[0]?.[1] ?? "")
      .replace(/[ \t]+#.*$/, "")
      .trim()
      .replace(/^(["'])([A-Za-z0-9]+)\1$/, "$2");
    if (!/^[A-Za-z0-9]+$/.test(value) || DISCOVERY_KINDS.has(value)) return true;
  }
  return false;
}

describe("mayHoldDiscoveryDoc", () => {
  it("skips files whose every document has another top-level kind", () => {
    const crd = [
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "spec:",
      "  names:",
      "    kind: Kustomization",
      "---",
      "# a comment only",
      "---",
      "kind: 'Deployment' # quoted, with a comment",
      "metadata: {name: x}",
      "",
    ].join("\n");
    expect(mayHoldDiscoveryDoc(crd)).toBe(false);
  });

  it("parses files with a wanted kind or anything it cannot be sure of", () => {
    for (const text of [
      "kind: Kustomization\n",
      'kind: CustomResourceDefinition\n---\nkind: "GitRepository"\n',
      "kind: !!str Deployment\n", // a tag
      "kind: &k Deployment\n", // an anchor
      "kind:\n  Deployment\n", // value on the next line
      '"kind": Deployment\n', // no plain top-level key
      "- kind: Kustomization\n", // a list document
      "instance:\n  sync: {}\n", // flux-instance values
      "kind: Deployment\nkind: Kustomization\n", // two kinds: let the parser report it
    ]) {
      expect(mayHoldDiscoveryDoc(text), text).toBe(true);
    }
  });

  it("agrees with a search of each document", () => {
    const lines = [
      "---",
      "--- # x",
      "...",
      "kind: Deployment",
      "kind: 'Service' # c",
      "kind: Kustomization",
      "kind: ConfigMap",
      "kind:",
      "  kind: HelmRelease",
      "# comment",
      "",
      "metadata: {name: x}",
      "----",
      "kind: Kustomization\r",
    ];
    let seed = 11;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 3000; i++) {
      const text = Array.from(
        { length: 1 + Math.floor(rnd() * 8) },
        () => lines[Math.floor(rnd() * lines.length)],
      ).join("\n");
      expect(mayHoldDiscoveryDoc(text), JSON.stringify(text)).toBe(mayHoldByDocuments(text));
    }
    const corpus = join(import.meta.dirname, "../../../shared/corpus");
    if (!fs.existsSync(corpus)) return;
    for (const e of fs.readdirSync(corpus, { withFileTypes: true, recursive: true })) {
      if (!e.isFile() || !/\.ya?ml$/.test(e.name)) continue;
      const text = fs.readFileSync(join(e.parentPath, e.name), "utf8");
      expect(mayHoldDiscoveryDoc(text), e.name).toBe(mayHoldByDocuments(text));
    }
  });
});
