import { describe, expect, it } from "vitest";
import type { ValueMap } from "../core/yaml/value.ts";
import { SchemaSet } from "./schemas.ts";

const obj = (v: unknown) => v as ValueMap;

describe("SchemaSet", () => {
  it("accepts what the API server accepts: numbers for quantities and int-or-string, null fields", () => {
    const set = new SchemaSet();
    const problems = set.validate(
      obj({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", annotations: null },
        spec: {
          ports: [
            { port: 80, targetPort: "http" },
            { port: 81, targetPort: 8081 },
          ],
        },
      }),
    );
    expect(problems).toEqual([]);
    const pod = set.validate(
      obj({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { containers: [{ name: "c", resources: { limits: { cpu: 1, memory: "64Mi" } } }] },
      }),
    );
    expect(pod).toEqual([]);
  });

  it("reports wrong types and missing required fields with their paths", () => {
    const problems = new SchemaSet().validate(
      obj({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ image: 3 }] } }),
    );
    expect(problems).toEqual([
      { path: ["spec", "containers", 0], message: "missing required field 'name'", unknown: false },
      { path: ["spec", "containers", 0, "image"], message: "must be string", unknown: false },
    ]);
  });

  it("validates Flux objects, unknown fields of CRD schemas marked as such", () => {
    const problems = new SchemaSet().validate(
      obj({
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "apps" },
        spec: { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "x" }, dependOn: [] },
      }),
    );
    expect(problems).toEqual([{ path: ["spec", "dependOn"], message: "unknown field", unknown: true }]);
  });

  it("leaves a kind unvalidated, with the reason, when a repository's CRD does not compile", () => {
    const set = new SchemaSet();
    set.addCrd(
      obj({
        spec: {
          group: "x.io",
          names: { kind: "X" },
          versions: [
            {
              name: "v1",
              schema: { openAPIV3Schema: { type: "object", properties: { a: { pattern: "[" } } } },
            },
          ],
        },
      }),
    );
    expect(set.validate(obj({ apiVersion: "x.io/v1", kind: "X", a: "b" }))).toBeUndefined();
    expect(set.compileError("x.io/v1", "X")).toMatch(/regular expression/i);
  });
});
