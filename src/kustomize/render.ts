import { emitYamlStream } from "../core/yaml/emit.ts";
import { goJsonMarshal } from "../core/yaml/go-json.ts";
import type { Value } from "../core/yaml/value.ts";
import type { Resource } from "./resource.ts";

/** The output stream of a build: kustomize's YAML bytes, or a JSON array (Go's key order, indented). */
export function renderResources(resources: readonly Resource[], format: "yaml" | "json"): string {
  if (format === "yaml") return emitYamlStream(resources.map((r) => r.obj));
  if (resources.length === 0) return "[]\n";
  const items = resources.map((r) =>
    indent(JSON.stringify(JSON.parse(goJsonMarshal(r.obj as Value)), null, 2)),
  );
  return `[\n${items.join(",\n")}\n]\n`;
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
