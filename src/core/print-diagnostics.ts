import type { Diagnostic } from "./diagnostics.ts";

export interface PrintOptions {
  /** Reads a file's text for the code frame; return undefined when unavailable. */
  readSource?: (file: string) => string | undefined;
  color?: boolean;
}

const COLORS = { error: "\x1b[31m", warning: "\x1b[33m", info: "\x1b[36m", dim: "\x1b[2m", reset: "\x1b[0m" };

/** `file:line:col: severity CODE: message`, a code frame with a caret, then the hint. */
export function formatDiagnostic(d: Diagnostic, opts: PrintOptions = {}): string {
  const paint = (c: keyof typeof COLORS, s: string) => (opts.color ? `${COLORS[c]}${s}${COLORS.reset}` : s);
  const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : ""}: ` : "";
  const lines = [`${where}${paint(d.severity, d.severity)} ${d.code}: ${d.message}`];
  if (d.file && d.line && opts.readSource) {
    const text = opts.readSource(d.file);
    if (text !== undefined) lines.push(...codeFrame(text, d.line, d.column ?? 1).map((l) => paint("dim", l)));
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join("\n");
}

/** Up to two lines of context before the line, the line itself and a caret under the column. */
export function codeFrame(text: string, line: number, column: number): string[] {
  const all = text.split(/\r?\n/);
  if (line < 1 || line > all.length) return [];
  const first = Math.max(1, line - 2);
  const width = String(line).length;
  const out: string[] = [];
  for (let n = first; n <= line; n++) {
    out.push(`  ${String(n).padStart(width)} | ${all[n - 1] ?? ""}`);
  }
  out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1))}^`);
  return out;
}

export function formatDiagnostics(ds: readonly Diagnostic[], opts: PrintOptions = {}): string {
  if (ds.length === 0) return "";
  const body = ds.map((d) => formatDiagnostic(d, opts)).join("\n\n");
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.filter((d) => d.severity === "warning").length;
  return `${body}\n\n${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}\n`;
}

/** A diagnostic as plain data with a stable key order (for every JSON output). */
export function diagnosticJson(d: Diagnostic): Diagnostic {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.file !== undefined ? { file: d.file } : {}),
    ...(d.line !== undefined ? { line: d.line } : {}),
    ...(d.column !== undefined ? { column: d.column } : {}),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
  };
}

/** Machine-readable: one JSON array with stable key order. */
export function formatDiagnosticsJson(ds: readonly Diagnostic[]): string {
  return `${JSON.stringify(ds.map(diagnosticJson), null, 2)}\n`;
}
