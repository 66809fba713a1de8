import { type Diagnostic, diagnostic } from "../core/diagnostics.ts";
import { EmitTexts, emitYaml } from "../core/yaml/emit.ts";
import { goJsonMarshal } from "../core/yaml/go-json.ts";
import type { Value } from "../core/yaml/value.ts";
import { idDisplay, idOf } from "./resid.ts";
import type { Resource } from "./resource.ts";

export interface Rendered {
  /** The stream; empty when any object could not be written. */
  output: string;
  diagnostics: Diagnostic[];
}

/**
 * The output stream of a build: kustomize's YAML bytes, or a JSON array (Go's key order, indented). An object
 * kustomize could not write either (a control character, a NaN) is a diagnostic at the object's origin.
 */
export function renderResources(resources: readonly Resource[], format: "yaml" | "json"): Rendered {
  const parts: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const texts = new EmitTexts();
  for (const r of resources) {
    try {
      parts.push(
        format === "yaml"
          ? emitYaml(r.obj, texts)
          : indent(JSON.stringify(JSON.parse(goJsonMarshal(r.obj as Value)), null, 2)),
      );
    } catch (e) {
      diagnostics.push(
        diagnostic(
          "KUS050",
          "error",
          `${idDisplay(idOf(r.obj))} cannot be written: ${(e as Error).message}`,
          r.origin,
          "Remove control characters and non-finite numbers (.inf, .nan) from the object.",
        ),
      );
    }
  }
  if (diagnostics.length > 0) return { output: "", diagnostics };
  if (format === "yaml") return { output: parts.join("---\n"), diagnostics };
  return { output: parts.length === 0 ? "[]\n" : `[\n${parts.join(",\n")}\n]\n`, diagnostics };
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
