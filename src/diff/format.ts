import { diagnosticJson, formatDiagnostic } from "../core/print-diagnostics.ts";
import type { ObjectDiff } from "./compare.ts";
import type { DiffResult, DiffSummary } from "./diff.ts";

/** GitHub refuses issue and pull request comments longer than this (characters; counted here in bytes, which is safe). */
export const GITHUB_COMMENT_LIMIT = 65536;

/** `3 Kustomizations changed: 5 objects changed, 1 added, 0 removed` (or that nothing changed). */
export function summaryLine(s: DiffSummary): string {
  if (s.kustomizations === 0) return "No changes";
  return `${s.kustomizations} Kustomization${s.kustomizations === 1 ? "" : "s"} changed: ${s.changed} object${s.changed === 1 ? "" : "s"} changed, ${s.added} added, ${s.removed} removed`;
}

function objectTitle(o: ObjectDiff): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

function ksTitle(k: DiffResult["kustomizations"][number]): string {
  return `Kustomization ${k.namespace}/${k.name} (cluster ${k.cluster}, path ${k.path || "."})${k.status === "changed" ? "" : ` ${k.status}`}`;
}

const ANSI = { bold: "\x1b[1m", red: "\x1b[31m", green: "\x1b[32m", cyan: "\x1b[36m", reset: "\x1b[0m" };

/** Colours a unified diff for a terminal. */
function colorDiff(diff: string): string {
  return diff
    .split("\n")
    .map((l) =>
      l.startsWith("+")
        ? `${ANSI.green}${l}${ANSI.reset}`
        : l.startsWith("-")
          ? `${ANSI.red}${l}${ANSI.reset}`
          : l.startsWith("@@")
            ? `${ANSI.cyan}${l}${ANSI.reset}`
            : l,
    )
    .join("\n");
}

/** Text for a terminal: each Kustomization, its objects' diffs, the tables, new problems, the summary. */
export function formatText(r: DiffResult, opts: { color?: boolean } = {}): string {
  const c = opts.color === true;
  const bold = (s: string) => (c ? `${ANSI.bold}${s}${ANSI.reset}` : s);
  const out: string[] = [`homeops diff ${r.base}..${r.head}`, ""];
  for (const k of r.kustomizations) {
    out.push(bold(`=== ${ksTitle(k)}`));
    if (k.note) out.push(`(${k.note})`);
    for (const o of k.objects) {
      out.push(bold(`--- ${objectTitle(o)} (${o.status})${o.note ? `: ${o.note}` : ""}`));
      if (o.diff) out.push(c ? colorDiff(o.diff.trimEnd()) : o.diff.trimEnd());
    }
    out.push("");
  }
  if (r.charts.length > 0) {
    out.push("Charts:");
    for (const c of r.charts)
      out.push(
        `  HelmRelease ${c.namespace}/${c.name} (${c.cluster}): ${c.chart} ${c.from || "—"} → ${c.to || "—"}`,
      );
    out.push("");
  }
  if (r.images.length > 0) {
    out.push("Images:");
    for (const i of r.images) out.push(`  ${i.object}: ${i.image} ${i.from || "—"} → ${i.to || "—"}`);
    out.push("");
  }
  if (r.newDiagnostics.length > 0) {
    out.push("New problems:");
    for (const d of r.newDiagnostics) out.push(`  ${formatDiagnostic(d).split("\n")[0]}`);
    out.push("");
  }
  out.push(bold(summaryLine(r.summary)));
  return `${out.join("\n")}\n`;
}

/** `--format json`: the result as data (diagnostics in the shape `homeops build -o json` uses). */
export function formatJson(r: DiffResult): string {
  const doc = {
    base: r.base,
    head: r.head,
    summary: r.summary,
    kustomizations: r.kustomizations,
    charts: r.charts,
    images: r.images,
    newDiagnostics: r.newDiagnostics.map(diagnosticJson),
    changedFiles: r.changes,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export interface MarkdownOptions {
  /** Longest comment in UTF-8 bytes (GitHub's limit by default); the largest diffs are cut first to fit. */
  maxBytes?: number;
  /** A first line (e.g. a hidden marker to find the comment again). */
  header?: string;
}

/**
 * A pull request comment: the summary, the chart and image tables, new problems, then one collapsible section per
 * Kustomization with its objects' diffs. When it does not fit, the largest diffs are replaced by a note, one by
 * one, and a list of what was cut closes the comment.
 */
export function formatMarkdown(r: DiffResult, opts: MarkdownOptions = {}): string {
  const max = opts.maxBytes ?? GITHUB_COMMENT_LIMIT;
  const size = (t: string) => Buffer.byteLength(t);
  const cut = new Set<ObjectDiff>();
  const same = sameChanges(r);
  const all = r.kustomizations.flatMap((k) => k.objects).filter((o) => o.diff !== "" && !same.has(o));
  const bySize = [...all].sort((a, b) => b.diff.length - a.diff.length);
  const renderMarkdown = (c: ReadonlySet<ObjectDiff>, header: string | undefined) =>
    markdown(r, c, same, header);
  let text = renderMarkdown(cut, opts.header);
  // Estimate what each cut saves (its diff block, less the note and its name in the closing list), then check.
  let estimate = size(text);
  let i = 0;
  while (estimate > max && i < bySize.length) {
    const o = bySize[i++]!;
    if (cut.size === 0) estimate += 200;
    cut.add(o);
    estimate -= size(diffBlock(o)) - size(cutNote(o)) - size(objectTitle(o)) - 2;
  }
  text = renderMarkdown(cut, opts.header);
  while (size(text) > max && i < bySize.length) {
    cut.add(bySize[i++]!);
    text = renderMarkdown(cut, opts.header);
  }
  if (size(text) > max) {
    // Even without diffs it is too long (thousands of objects): keep the head of it and say so.
    const tail = `\n\n… cut at ${max} bytes; run \`homeops diff\` locally for the rest.\n`;
    let keep = Math.max(0, max - size(tail));
    while (keep > 0 && size(text.slice(0, keep)) > max - size(tail)) keep -= 64;
    text = text.slice(0, Math.max(0, keep)) + tail;
  }
  return text;
}

/**
 * Objects whose change (the added and removed lines, by hunk) repeats that of an earlier object of the same kind,
 * e.g. a component used by many apps: the comment shows the first diff and points back to it.
 */
function sameChanges(r: DiffResult): Map<ObjectDiff, ObjectDiff> {
  const first = new Map<string, ObjectDiff>();
  const out = new Map<ObjectDiff, ObjectDiff>();
  for (const o of r.kustomizations.flatMap((k) => k.objects)) {
    if (o.status !== "changed" || o.diff === "") continue;
    const key = `${o.kind}\0${o.diff
      .split("\n")
      .filter((l) => l.startsWith("+") || l.startsWith("-") || l.startsWith("@@"))
      .join("\n")}`;
    const earlier = first.get(key);
    if (earlier) out.set(o, earlier);
    else first.set(key, o);
  }
  return out;
}

function markdown(
  r: DiffResult,
  cut: ReadonlySet<ObjectDiff>,
  same: ReadonlyMap<ObjectDiff, ObjectDiff>,
  header: string | undefined,
): string {
  const out: string[] = [];
  if (header) out.push(header);
  out.push(`### homeops diff ${code(r.base)} → ${code(r.head)}`, "", `**${summaryLine(r.summary)}**`, "");
  if (r.charts.length > 0) {
    out.push("| HelmRelease | Chart | From | To |", "|---|---|---|---|");
    for (const c of r.charts)
      out.push(
        `| ${cell(`${c.namespace}/${c.name}`)} | ${cell(c.chart)} | ${cell(c.from || "—")} | ${cell(c.to || "—")} |`,
      );
    out.push("");
  }
  if (r.images.length > 0) {
    out.push("| Object | Image | From | To |", "|---|---|---|---|");
    for (const i of r.images)
      out.push(`| ${cell(i.object)} | ${cell(i.image)} | ${cell(i.from || "—")} | ${cell(i.to || "—")} |`);
    out.push("");
  }
  if (r.newDiagnostics.length > 0) {
    out.push("**New problems**", "");
    for (const d of r.newDiagnostics) out.push(`- ${md(formatDiagnostic(d).split("\n")[0] ?? "")}`);
    out.push("");
  }
  for (const k of r.kustomizations) {
    const counts = (["changed", "added", "removed"] as const)
      .map((s) => [s, k.objects.filter((o) => o.status === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(", ");
    out.push(`<details><summary>${html(ksTitle(k))}: ${counts || "no objects"}</summary>`, "");
    if (k.note) out.push(`_${md(k.note)}_`, "");
    for (const o of k.objects) {
      out.push(`**${html(objectTitle(o))}** (${o.status})${o.note ? `: ${html(o.note)}` : ""}`, "");
      const earlier = same.get(o);
      if (earlier) out.push(`_the same change as ${html(objectTitle(earlier))}_`, "");
      else if (cut.has(o)) out.push(cutNote(o));
      else if (o.diff) out.push(diffBlock(o));
    }
    out.push("</details>", "");
  }
  if (cut.size > 0) {
    out.push(
      `_${cut.size} diff${cut.size === 1 ? "" : "s"} cut to fit GitHub's comment size (largest first): ${[
        ...cut,
      ]
        .map((o) => md(objectTitle(o)))
        .join(", ")}. Run \`homeops diff\` locally to see them._`,
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function diffBlock(o: ObjectDiff): string {
  const fence = "`".repeat(Math.max(3, longestRun(o.diff) + 1));
  return `${fence}diff\n${o.diff.trimEnd()}\n${fence}\n`;
}

function cutNote(o: ObjectDiff): string {
  return `_diff of ${o.diff.split("\n").length - 1} lines cut to fit the comment_\n`;
}

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

function longestRun(s: string): number {
  let best = 0;
  for (const m of s.matchAll(/`+/g)) best = Math.max(best, m[0].length);
  return best;
}

function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function md(s: string): string {
  return html(s).replace(/([\\`*_[\]|])/g, "\\$1");
}

function cell(s: string): string {
  return md(s).replace(/\n/g, " ");
}
