import { z } from "zod";
import type { RepoFs } from "../core/repo-fs.ts";
import { loadYaml } from "../core/yaml/load.ts";
import { type Finding, keyPosition } from "./context.ts";

/** How a rule's findings are reported; `warn` and `warning` are the same. */
export const ruleSettingSchema = z.enum(["off", "info", "warn", "warning", "error"]);
export type RuleSetting = z.infer<typeof ruleSettingSchema>;

/** A diagnostic code: a `CHKnnn` rule, or a code of the render (`YAML002`, `KUS010`, `FLX030`, …). */
const CODE = /^(CHK|YAML|KUS|GEN|IMG|REP|FLX|SOPS)\d{3}$/;

/** `.homeops.yaml` at the repository root; `check` is this command's section, other sections are left alone. */
export const homeopsConfigSchema = z.looseObject({
  check: z
    .strictObject({
      rules: z
        .record(z.string().regex(CODE, "a diagnostic code such as CHK101 or YAML002"), ruleSettingSchema)
        .optional()
        .describe("Severity per code: off, info, warn or error"),
      maxWarnings: z.number().int().min(0).optional().describe("Fail (exit 1) with more warnings than this"),
      strictSubstitute: z
        .boolean()
        .optional()
        .describe("Whether an unset variable without a default fails (Flux's default: true)"),
    })
    .optional(),
});

export type HomeopsConfig = z.infer<typeof homeopsConfigSchema>;
export type CheckConfig = NonNullable<HomeopsConfig["check"]>;

export const CONFIG_FILE = ".homeops.yaml";

/** The `check` section of `.homeops.yaml` (empty when the file is absent), and its problems with positions. */
export function loadCheckConfig(
  fs: RepoFs,
  ruleCodes: ReadonlySet<string>,
): { config: CheckConfig; problems: Finding[] } {
  const text = fs.tryReadRel(CONFIG_FILE);
  if (text === undefined) return { config: {}, problems: [] };
  const loaded = loadYaml(text, CONFIG_FILE);
  const problems: Finding[] = loaded.diagnostics.map((d) => ({
    message: `${CONFIG_FILE}: ${d.message}`,
    at: { file: CONFIG_FILE, ...(d.line ? { line: d.line } : {}), ...(d.column ? { column: d.column } : {}) },
  }));
  const doc = loaded.docs[0];
  if (!doc || problems.length > 0) return { config: {}, problems };
  const parsed = homeopsConfigSchema.safeParse(doc.value ?? {});
  if (parsed.success) {
    const config = parsed.data.check ?? {};
    for (const code of Object.keys(config.rules ?? {})) {
      if (!code.startsWith("CHK") || ruleCodes.has(code)) continue;
      const value = doc.positionOf(["check", "rules", code]) ?? { line: doc.line, column: doc.column };
      const pos = keyPosition(text, value, code) ?? value;
      problems.push({
        message: `${CONFIG_FILE}: check.rules.${code}: no rule has this code`,
        at: { file: CONFIG_FILE, line: pos.line, column: pos.column },
        hint: "The rules and their codes are listed in docs/rules.md.",
      });
    }
    return { config, problems };
  }
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    // An unknown key is reported at the key itself, which positionOf reaches through the parent path.
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of keys) {
      const full = key === undefined ? path : [...path, key];
      const value = doc.positionOf(full) ?? doc.positionOf(path) ?? { line: doc.line, column: doc.column };
      const last = full[full.length - 1];
      const pos = (typeof last === "string" && keyPosition(text, value, last)) || value;
      problems.push({
        message: `${CONFIG_FILE}: ${full.join(".") || "(root)"}: ${key === undefined ? issue.message : "unknown key"}`,
        at: { file: CONFIG_FILE, line: pos.line, column: pos.column },
        hint: "Keys of check: rules, maxWarnings, strictSubstitute; see docs/rules.md.",
      });
    }
  }
  return { config: {}, problems };
}

/** The JSON Schema of `.homeops.yaml`, as committed in schemas/homeops-config.schema.json. */
export function homeopsConfigJsonSchema(): string {
  const schema = z.toJSONSchema(homeopsConfigSchema, { target: "draft-2020-12" });
  return `${JSON.stringify({ ...schema, title: "homeops configuration (.homeops.yaml)" }, null, 2)}\n`;
}
