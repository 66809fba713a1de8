export * from "./core/diagnostics.ts";
export * from "./core/print-diagnostics.ts";
export * from "./core/repo-fs.ts";
export type { Value, ValueMap } from "./core/yaml/value.ts";
