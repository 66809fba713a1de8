import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../core/diagnostics.ts";
import type { ValueMap } from "../../core/yaml/value.ts";
import type { TransformContext } from "../context.ts";
import { makeResource, type Resource } from "../resource.ts";
import { defaultTransformerConfig } from "../transformer-config.ts";
import { annotationsTransformer } from "./annotations.ts";
import { labelEntryFieldSpecs, labelTransformer } from "./labels.ts";

const at = { file: "k.yaml", line: 1, column: 1 };
const ctx = (): TransformContext => ({ diags: new Diagnostics(), at });
const res = (o: object): Resource => makeResource(JSON.parse(JSON.stringify(o)) as ValueMap, at);

describe("labels", () => {
  it("labels: without selectors only writes metadata/labels (and templates when asked)", () => {
    const tc = defaultTransformerConfig();
    expect(labelEntryFieldSpecs({ pairs: {} }, tc, ctx())).toEqual([
      { path: "metadata/labels", create: true },
    ]);
    expect(labelEntryFieldSpecs({ pairs: {}, includeTemplates: true }, tc, ctx())).toHaveLength(10);
    expect(labelEntryFieldSpecs({ pairs: {}, includeSelectors: true }, tc, ctx())).toHaveLength(32);
  });

  it("reports a conflicting create flag in an entry's own fields", () => {
    const c = ctx();
    labelEntryFieldSpecs({ pairs: {}, fields: [{ path: "metadata/labels" }] }, defaultTransformerConfig(), c);
    expect(c.diags.items[0]?.message).toBe("failed to merge labels: conflicting fieldspecs");
  });

  it("sets string values and leaves null fields alone without create", () => {
    const r = res({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j" },
      spec: { selector: { matchLabels: null } },
    });
    labelTransformer([r], { a: "1" }, defaultTransformerConfig().commonLabels, ctx());
    expect(r.obj).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j", labels: { a: "1" } },
      spec: { selector: { matchLabels: null }, template: { metadata: { labels: { a: "1" } } } },
    });
  });

  it("reports labels fields that are not maps", () => {
    const c = ctx();
    const r = res({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: "oops" } });
    labelTransformer([r], { a: "1" }, [{ path: "metadata/labels", create: true }], c);
    expect(c.diags.items[0]?.code).toBe("KUS332");
  });

  it("annotations go to metadata and pod templates", () => {
    const r = res({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: {} });
    annotationsTransformer([r], { x: "y" }, defaultTransformerConfig().commonAnnotations, ctx());
    expect(r.obj).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", annotations: { x: "y" } },
      spec: { template: { metadata: { annotations: { x: "y" } } } },
    });
  });
});
