// Extracts the field order of Talos's machine-config Go structs into src/talos/config-types.json.
//
// Go's YAML encoder writes struct fields in declaration order and sorts map keys; a patched config must come out
// the same way, so homeops needs each document type's field list. This reads the Go sources of a Talos checkout
// (facts only: field names, yaml tags, types and `merge:"replace"` markers) and writes a compact table.
//
//   npx tsx scripts/talos-config-types.ts <talos checkout> [out.json]
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Field = [name: string, type: string, flags: string];

const root = process.argv[2];
const out = process.argv[3] ?? "src/talos/config-types.json";
if (!root) {
  console.error("usage: tsx scripts/talos-config-types.ts <talos checkout> [out.json]");
  process.exit(2);
}
const typesDir = join(root, "pkg/machinery/config/types");

function goFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...goFiles(path));
    else if (entry.endsWith(".go") && !entry.endsWith("_test.go") && !entry.includes("deep_copy"))
      files.push(path);
  }
  return files;
}

const structs: Record<string, Field[]> = {};
const aliases: Record<string, string> = {};
const kinds: Record<string, string> = {};

function qualify(pkg: string, type: string): string {
  const bare = type.replace(/^\*/, "");
  if (bare.startsWith("[]")) return `[]${qualify(pkg, bare.slice(2))}`;
  const map = /^map\[([^\]]+)\](.*)$/.exec(bare);
  if (map) return `map[${map[1]}]${qualify(pkg, map[2] ?? "")}`;
  if (bare.includes(".") || /^(string|bool|u?int\d*|float\d*|byte|any|interface\{\})$/.test(bare))
    return bare;
  return `${pkg}.${bare}`;
}

for (const file of goFiles(typesDir)) {
  const text = readFileSync(file, "utf8").replace(/^\s*\/\/.*$/gm, "");
  const pkg = /^package (\w+)/m.exec(text)?.[1] ?? "";
  const consts: Record<string, string> = {};
  for (const m of text.matchAll(/^\s*(\w+)\s*=\s*"([^"]*)"/gm)) consts[m[1] ?? ""] = m[2] ?? "";
  for (const m of text.matchAll(/^const (\w+)\s*=\s*"([^"]*)"/gm)) consts[m[1] ?? ""] = m[2] ?? "";
  for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields: Field[] = [];
    for (const line of (m[2] ?? "").split("\n")) {
      const f = /^\s*(?:(\w+)\s+)?([\w.*[\]{}]+)\s+`([^`]*)`/.exec(line);
      if (!f) continue;
      const tag = /yaml:"([^"]*)"/.exec(f[3] ?? "")?.[1];
      if (tag === undefined || tag === "-") continue;
      const [name = "", ...opts] = tag.split(",");
      const flags: string[] = opts.filter((o) => o === "inline" || o === "omitempty");
      if (/merge:"replace"/.test(f[3] ?? "")) flags.push("replace");
      fields.push([name, qualify(pkg, f[2] ?? ""), flags.join(",")]);
    }
    structs[`${pkg}.${m[1]}`] = fields;
  }
  for (const m of text.matchAll(/^type (\w+) =? ?((?:\[\]|map\[string\])[\w.*]+)$/gm)) {
    aliases[`${pkg}.${m[1]}`] = qualify(pkg, m[2] ?? "");
  }
  for (const m of text.matchAll(/registry\.Register\(\s*(\w+|"[^"]+")[\s\S]*?return &(\w+)\{\}/g)) {
    const ref = m[1] ?? "";
    const kind = ref.startsWith('"') ? ref.slice(1, -1) : consts[ref];
    if (kind) kinds[kind] = `${pkg}.${m[2]}`;
  }
}

// Types from outside the config package that configs embed.
structs["specs.Mount"] = [
  ["destination", "string", ""],
  ["type", "string", "omitempty"],
  ["source", "string", "omitempty"],
  ["options", "[]string", "omitempty"],
  ["uidMappings", "[]specs.LinuxIDMapping", "omitempty"],
  ["gidMappings", "[]specs.LinuxIDMapping", "omitempty"],
];
structs["specs.LinuxIDMapping"] = [
  ["containerID", "uint32", ""],
  ["hostID", "uint32", ""],
  ["size", "uint32", ""],
];
structs["x509.PEMEncodedCertificateAndKey"] = [
  ["crt", "string", ""],
  ["key", "string", ""],
];
structs["x509.PEMEncodedCertificate"] = [["crt", "string", ""]];
structs["x509.PEMEncodedKey"] = [["key", "string", ""]];
kinds.v1alpha1 = "v1alpha1.Config";

const sorted = <T>(o: Record<string, T>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(
  out,
  `${JSON.stringify({ kinds: sorted(kinds), aliases: sorted(aliases), structs: sorted(structs) })}\n`,
);
console.log(
  `${Object.keys(structs).length} structs, ${Object.keys(kinds).length} kinds, ${Object.keys(aliases).length} aliases → ${out}`,
);
