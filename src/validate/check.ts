import {
  type Diagnostic,
  Diagnostics,
  diagnostic,
  type Severity,
  sortDiagnostics,
} from "../core/diagnostics.ts";
import { RepoFs } from "../core/repo-fs.ts";
import { renderRepository } from "../flux/render.ts";
import { loadCheckConfig, type RuleSetting } from "./config.ts";
import { CheckContext } from "./context.ts";
import { RULES } from "./rules/index.ts";

export interface CheckOptions {
  /** Severity overrides by code (the command line's `--rule`); they win over `.homeops.yaml`. */
  rules?: Record<string, RuleSetting>;
  /** Strict substitution (Flux's default); overrides `.homeops.yaml`. */
  strictSubstitute?: boolean;
  /** Render from this repo-relative directory instead of discovering entry points (as `homeops build --path`). */
  path?: string;
}

export interface CheckResult {
  /** Every finding once, sorted by file and position. */
  diagnostics: Diagnostic[];
  /** `check.maxWarnings` of `.homeops.yaml`, when set. */
  maxWarnings?: number;
  /** How much was checked. */
  checked: { clusters: number; kustomizations: number; objects: number };
}

/**
 * `homeops check`: renders the repository as `homeops build` does, then runs every rule over the result. The
 * render's own diagnostics (YAML, kustomize, Flux) are part of the result, except those a rule re-reports
 * more precisely. Severities follow the rule defaults, then `.homeops.yaml`, then `options.rules`.
 */
export function checkRepository(root: string, options: CheckOptions = {}): CheckResult {
  const fs = new RepoFs(root);
  const { config, problems } = loadCheckConfig(fs, new Set(RULES.map((r) => r.code)));
  const strictSubstitute = options.strictSubstitute ?? config.strictSubstitute ?? true;
  const render = renderRepository(fs.root, {
    strictSubstitute,
    ...(options.path ? { path: options.path } : {}),
  });
  const ctx = new CheckContext(fs, render, { strictSubstitute }, problems);
  const out = new Diagnostics();
  for (const rule of RULES) {
    rule.run(ctx, (f) => out.add(diagnostic(rule.code, rule.severity, f.message, f.at, f.hint)));
  }
  for (const d of render.diagnostics) if (!ctx.consumed.has(d)) out.add(d);
  const settings = { ...config.rules, ...options.rules };
  const result: CheckResult = {
    diagnostics: sortDiagnostics(applySettings(out.items, settings)),
    checked: {
      clusters: render.clusters.length,
      kustomizations: render.kustomizations.length,
      objects: ctx.objects.length,
    },
  };
  if (config.maxWarnings !== undefined) result.maxWarnings = config.maxWarnings;
  return result;
}

function applySettings(ds: readonly Diagnostic[], settings: Record<string, RuleSetting>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const s = settings[d.code];
    if (s === undefined) out.push(d);
    else if (s !== "off") out.push({ ...d, severity: severityOf(s) });
  }
  return out;
}

function severityOf(s: Exclude<RuleSetting, "off">): Severity {
  return s === "warn" ? "warning" : s;
}
