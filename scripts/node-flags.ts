/**
 * The V8 flags `homeops` runs with, read from the `#!` line of bin/homeops.js, so that benchmarks run what users
 * run. (A young generation of 64 MB from the start: a render keeps most of what it allocates, and a small,
 * growing one makes the garbage collector copy it again and again.)
 */
import * as fs from "node:fs";
import * as path from "node:path";

const BIN = path.resolve(import.meta.dirname, "..", "bin", "homeops.js");

export function nodeFlags(): string[] {
  const first = fs.readFileSync(BIN, "utf8").split("\n", 1)[0] ?? "";
  const m = /^#!\/usr\/bin\/env -S node((?: --[a-z-]+=[0-9]+)*)$/.exec(first);
  if (!m) throw new Error(`bin/homeops.js: unexpected first line ${JSON.stringify(first)}`);
  return (m[1] ?? "").trim().split(" ").filter(Boolean);
}
