/**
 * Problems found in a user's repository. They are collected and reported, never thrown:
 * a build keeps going where it safely can so that one run reports everything.
 */
export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  /** Stable identifier, e.g. `KUS001`; documented and never reused for another meaning. */
  code: string;
  severity: Severity;
  /** One sentence, no trailing period needed. */
  message: string;
  /** Path relative to the repository root (forward slashes); absent for problems with no file. */
  file?: string;
  /** 1-based line and column of the offending YAML node. */
  line?: number;
  column?: number;
  /** What to do about it. */
  hint?: string;
}

export interface Position {
  file: string;
  line: number;
  column: number;
}

export function diagnostic(
  code: string,
  severity: Severity,
  message: string,
  at?: Partial<Position> | undefined,
  hint?: string,
): Diagnostic {
  const d: Diagnostic = { code, severity, message };
  if (at?.file !== undefined) d.file = at.file;
  // Line 0 means "the file as a whole".
  if (at?.line !== undefined && at.line > 0) {
    d.line = at.line;
    if (at.column !== undefined && at.column > 0) d.column = at.column;
  }
  if (hint !== undefined) d.hint = hint;
  return d;
}

/** Collects diagnostics, dropping exact repeats so every problem is reported once. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];
  readonly #seen = new Set<string>();

  add(d: Diagnostic): void {
    const key = `${d.code}\0${d.file ?? ""}\0${d.line ?? 0}\0${d.column ?? 0}\0${d.message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.items.push(d);
  }

  error(code: string, message: string, at?: Partial<Position>, hint?: string): void {
    this.add(diagnostic(code, "error", message, at, hint));
  }

  warning(code: string, message: string, at?: Partial<Position>, hint?: string): void {
    this.add(diagnostic(code, "warning", message, at, hint));
  }

  info(code: string, message: string, at?: Partial<Position>, hint?: string): void {
    this.add(diagnostic(code, "info", message, at, hint));
  }

  addAll(ds: Iterable<Diagnostic>): void {
    for (const d of ds) this.add(d);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

/** Sorts by file, position, then code: output must not depend on discovery order. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      cmp(a.file ?? "", b.file ?? "") ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      cmp(a.code, b.code) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
