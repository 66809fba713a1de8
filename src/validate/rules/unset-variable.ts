// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the messages show envsubst syntax
import type { Position } from "../../core/diagnostics.ts";
import { ksKey } from "../../flux/objects.ts";
import type { CheckContext, Rule } from "../context.ts";
import { foreignText, isDefaultOp, substitutionRefs, variablesKnown } from "../substitution.ts";

const UNSET = /variable not set \(strict mode\): "([^"]*)"/;

export const rule: Rule = {
  code: "CHK201",
  name: "unset-variable",
  severity: "error",
  summary:
    "a `${VAR}` without a default whose variable the Kustomization does not define: strict substitution fails",
  run(ctx, report) {
    if (!ctx.options.strictSubstitute) return;
    const known = new Map<object, boolean>();
    const reported = new Set<string>();
    for (const ref of substitutionRefs(ctx)) {
      const ks = ref.o.ks;
      if (isDefaultOp(ref.op) || (ks.variables && ref.name in ks.variables)) continue;
      let k = known.get(ks);
      if (k === undefined) {
        k = variablesKnown(ctx, ks);
        known.set(ks, k);
      }
      if (!k) continue;
      reported.add(`${ksKey(ks)}\0${ref.o.at.file}\0${ref.name}`);
      report({
        message: `\${${ref.name}} is not defined for Kustomization ${ksKey(ks)}: strict substitution fails ("variable not set")`,
        at: ref.at,
        hint: ref.foreign
          ? foreignHint(ref.foreign, ref.name)
          : `Define ${ref.name} in postBuild.substitute or a substituteFrom object, give it a default (\${${ref.name}:=value}), or escape it as $\${${ref.name}}.`,
      });
    }
    // The render reports the same failure per object (and for generated objects, which have no document of
    // their own): keep its report only where the scan above found nothing more precise.
    for (const d of ctx.render.diagnostics) {
      if (d.code !== "FLX101") continue;
      const m = UNSET.exec(d.message);
      if (!m) continue;
      const name = m[1]!;
      const ks = /Kustomization (\S+?):/.exec(d.message)?.[1] ?? "";
      ctx.consumed.add(d);
      if (reported.has(`${ks}\0${d.file ?? ""}\0${name}`)) continue;
      const found = d.file !== undefined ? locate(ctx, d.file, d.line ?? 1, ks, name) : undefined;
      const foreign = found ? foreignText(found.text, name, found.offset, found.at.file) : undefined;
      report({
        message: `\${${name}} is not defined for Kustomization ${ks}: strict substitution fails ("variable not set")`,
        at:
          found?.at ??
          (d.file !== undefined ? { file: d.file, line: d.line ?? 1, column: d.column ?? 1 } : {}),
        ...(foreign ? { hint: foreignHint(foreign, name) } : d.hint !== undefined ? { hint: d.hint } : {}),
      });
    }
  },
};

function foreignHint(foreign: string, name: string): string {
  return `This looks like ${foreign}, not a Flux variable: write $\${${name}} to keep it as is, or annotate the object with kustomize.toolkit.fluxcd.io/substitute: disabled.`;
}

/**
 * Where `${name` is written: in the object's document (from `line` to the next `---`), else, for an object a
 * generator made from files (a dashboard JSON in a configMapGenerator), in the files its Kustomization read.
 */
function locate(
  ctx: CheckContext,
  file: string,
  line: number,
  ks: string,
  name: string,
): { at: Position; text: string; offset: number } | undefined {
  const re = new RegExp(`(?<!\\$)\\$\\{${name}(?![A-Za-z0-9_])`);
  const lines = (ctx.fs.tryReadRel(file) ?? "").split("\n");
  for (let n = line; n <= lines.length; n++) {
    const text = lines[n - 1] ?? "";
    if (n > line && text.startsWith("---")) break;
    const i = text.search(re);
    if (i >= 0 && !text.trimStart().startsWith("#"))
      return { at: { file, line: n, column: i + 1 }, text, offset: i };
  }
  const rendered = ctx.render.kustomizations.find((k) => `${k.namespace}/${k.name}` === ks);
  for (const f of [...(rendered?.files ?? [])].sort()) {
    const text = ctx.fs.tryReadRel(f);
    const i = text?.search(re) ?? -1;
    if (text === undefined || i < 0) continue;
    const before = text.slice(0, i);
    const ln = before.split("\n").length;
    return { at: { file: f, line: ln, column: i - before.lastIndexOf("\n") }, text, offset: i };
  }
  return undefined;
}
