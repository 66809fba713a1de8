import type { Diagnostic } from "../core/diagnostics.ts";
import { RULES } from "./rules/index.ts";

/** GitHub Actions workflow commands: one `::error file=…,line=…,col=…,title=CODE::message` line per finding. */
export function formatGithub(ds: readonly Diagnostic[]): string {
  return ds
    .map((d) => {
      const level = d.severity === "info" ? "notice" : d.severity;
      const props = [
        ...(d.file !== undefined ? [`file=${escapeProperty(d.file)}`] : []),
        ...(d.line !== undefined ? [`line=${d.line}`] : []),
        ...(d.column !== undefined ? [`col=${d.column}`] : []),
        `title=${escapeProperty(d.code)}`,
      ];
      const text = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
      return `::${level} ${props.join(",")}::${escapeData(text)}\n`;
    })
    .join("");
}

/** toolkit/core's escapeData: the message part. */
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** toolkit/core's escapeProperty: values of file=, title=, … */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

const SARIF_LEVEL = { error: "error", warning: "warning", info: "note" } as const;

/**
 * SARIF 2.1.0 (code scanning): one run, the `CHK` rules of the registry plus every other code that occurs, one
 * result per finding with its file, line and column relative to the repository root (`%SRCROOT%`).
 */
export function formatSarif(ds: readonly Diagnostic[], version: string): string {
  const rules = RULES.map((r) => ({
    id: r.code,
    name: r.name,
    shortDescription: { text: r.summary },
    defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
  }));
  const known = new Set(rules.map((r) => r.id));
  for (const code of [...new Set(ds.map((d) => d.code))].sort()) {
    if (known.has(code)) continue;
    known.add(code);
    rules.push({
      id: code,
      name: code,
      shortDescription: { text: `a problem found while rendering (${code}, see docs/diagnostics.md)` },
      defaultConfiguration: { level: "error" },
    });
  }
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = ds.map((d) => ({
    ruleId: d.code,
    ruleIndex: index.get(d.code) ?? 0,
    level: SARIF_LEVEL[d.severity],
    message: { text: d.hint ? `${d.message}. ${d.hint}` : d.message },
    ...(d.file !== undefined
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(d.file), uriBaseId: "%SRCROOT%" },
                ...(d.line !== undefined
                  ? {
                      region: {
                        startLine: d.line,
                        ...(d.column !== undefined ? { startColumn: d.column } : {}),
                      },
                    }
                  : {}),
              },
            },
          ],
        }
      : {}),
  }));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "homeops",
            version,
            rules,
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
