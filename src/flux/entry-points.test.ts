import { describe, expect, it } from "vitest";
import { mayHoldDiscoveryDoc } from "./entry-points.ts";

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
});
