import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../core/diagnostics.ts";
import type { ValueMap } from "../../core/yaml/value.ts";
import { goldenSuite } from "../generators/golden-suite.ts";
import type { Resource } from "../resource.ts";
import { applyImages, DEFAULT_IMAGE_FIELD_SPECS, isImageMatched, splitImage, updateImage } from "./images.ts";

goldenSuite("images", join(import.meta.dirname, "images-testdata"), 5);

function res(obj: object): Resource {
  return { obj: obj as ValueMap, origin: { file: "r.yaml", line: 1, column: 1 }, prevIds: [] };
}
const ctx = () => ({ diags: new Diagnostics(), at: { file: "kustomization.yaml", line: 3, column: 1 } });

describe("splitImage (image.Split)", () => {
  it.each([
    ["nginx", "nginx", "", ""],
    ["nginx:1.0", "nginx", "1.0", ""],
    ["nginx@sha256:abc", "nginx", "", "sha256:abc"],
    ["nginx:1.0@sha256:abc", "nginx", "1.0", "sha256:abc"],
    ["localhost:5000/app", "localhost:5000/app", "", ""],
    ["localhost:5000/app:v1", "localhost:5000/app", "v1", ""],
    ["my.reg:5000/a/b:v1@sha256:x", "my.reg:5000/a/b", "v1", "sha256:x"],
    ["host/a@sha256:x:y", "host/a", "", "sha256:x:y"],
    ["/lead:1", "/lead", "1", ""],
  ])("%s", (image, name, tag, digest) => {
    expect(splitImage(image)).toEqual({ name, tag, digest });
  });
});

describe("isImageMatched", () => {
  it("treats the name as an anchored regular expression", () => {
    expect(isImageMatched("nginx:1", "nginx")).toBe(true);
    expect(isImageMatched("nginxx", "nginx")).toBe(false);
    expect(isImageMatched("docker.io/nginx", "nginx")).toBe(false);
    expect(isImageMatched("dockerXio/nginx", "docker.io/nginx")).toBe(true);
    expect(isImageMatched("nginx@sha256:abc", "nginx")).toBe(true);
    expect(isImageMatched("nginx@md5:abc", "nginx")).toBe(false);
    expect(isImageMatched("nginx:a/b", "nginx")).toBe(false);
  });
});

describe("updateImage", () => {
  it("newTag drops a digest, digest drops a tag, both set both", () => {
    expect(updateImage("a:1@sha256:x", { name: "a", newTag: "2" })).toBe("a:2");
    expect(updateImage("a:1@sha256:x", { name: "a", digest: "sha256:y" })).toBe("a@sha256:y");
    expect(updateImage("a:1", { name: "a", newTag: "2", digest: "sha256:y" })).toBe("a:2@sha256:y");
    expect(updateImage("a:1@sha256:x", { name: "a", newName: "b" })).toBe("b:1@sha256:x");
    expect(updateImage("a", { name: "a", tagSuffix: "-x" })).toBe("a:-x");
    expect(updateImage("b", { name: "a", newTag: "2" })).toBeUndefined();
  });
});

describe("applyImages", () => {
  it("uses the fieldSpecs given, on top of the legacy containers scan", () => {
    const obj = {
      apiVersion: "example.com/v1",
      kind: "Thing",
      metadata: { name: "t" },
      spec: { image: "nginx:1", containers: [{ image: "nginx" }] },
    };
    const c = ctx();
    applyImages(
      [res(obj)],
      [{ name: "nginx", newTag: "2" }],
      [...DEFAULT_IMAGE_FIELD_SPECS, { path: "spec/image", kind: "Thing" }],
      c,
    );
    expect(obj.spec).toEqual({ image: "nginx:2", containers: [{ image: "nginx:2" }] });
    expect(c.diags.items).toEqual([]);
  });

  it("never creates an image field, whatever `create` says", () => {
    const obj = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "a" }] },
    };
    applyImages([res(obj)], [{ name: "nginx", newTag: "2" }], DEFAULT_IMAGE_FIELD_SPECS, ctx());
    expect(obj.spec.containers).toEqual([{ name: "a" }]);
  });

  it("reports an invalid name pattern instead of crashing like kustomize", () => {
    const c = ctx();
    applyImages([], [{ name: "app(", newTag: "2" }], DEFAULT_IMAGE_FIELD_SPECS, c);
    expect(c.diags.items.map((d) => d.code)).toEqual(["IMG001"]);
  });

  it("reports a non-scalar image", () => {
    const obj = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ image: { a: 1 } }] },
    };
    const c = ctx();
    applyImages([res(obj)], [{ name: "nginx", newTag: "2" }], DEFAULT_IMAGE_FIELD_SPECS, c);
    expect(c.diags.items.map((d) => d.code)).toContain("IMG002");
  });
});
