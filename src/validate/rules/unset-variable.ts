// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the messages show envsubst syntax
import type { Position } from "../../core/diagnostics.ts";
import { ksKey } from "../../flux/objects.ts";
import type { CheckContext, Rule } from "../context.ts";
import { isDefaultOp, substitutionRefs, variablesKnown } from "../substitution.ts";

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
          ? `This looks like ${ref.foreign}, not a Flux variable: write $\${${ref.name}} to keep it as is, or annotate the object with kustomize.toolkit.fluxcd.io/substitute: disabled.`
          : `Define ${ref.name} in postBuild.substitute or a substituteFrom object, give it a default (\${${ref.name}:=value}), or escape it as $\${${ref.name}}.`,
      });
    }
    // The render reports the same failure per object (and for generated objects, which have no document of
    // their own): keep its report only where the scan above found nothing more precise.
    for (const d of ctx.render.diagnostics) {
      if (d.code !== "FLX101") continue;
      const m = UNSET.exec(d.message);
      if (!m) continue;
      const ks = /Kustomization (\S+?):/.exec(d.message)?.[1] ?? "";
      ctx.consumed.add(d);
      if (reported.has(`${ks}\0${d.file ?? ""}\0${m[1]}`)) continue;
      report({
        message: `\${${m[1]}} is not defined for Kustomization ${ks}: strict substitution fails ("variable not set")`,
        at: d.file !== undefined ? findInDocument(ctx, d.file, d.line ?? 1, d.column ?? 1, `\${${m[1]}`) : {},
        ...(d.hint !== undefined ? { hint: d.hint } : {}),
      });
    }
  },
};

/** The first `needle` in the YAML document starting at `line` (up to the next `---`), else the document itself. */
function findInDocument(
  ctx: CheckContext,
  file: string,
  line: number,
  column: number,
  needle: string,
): Position {
  const lines = (ctx.fs.tryReadRel(file) ?? "").split("\n");
  for (let n = line; n <= lines.length; n++) {
    const text = lines[n - 1] ?? "";
    if (n > line && text.startsWith("---")) break;
    const i = text.indexOf(needle);
    if (i >= 0 && !text.trimStart().startsWith("#")) return { file, line: n, column: i + 1 };
  }
  return { file, line, column };
}
