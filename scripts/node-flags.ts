/**
 * The V8 flags `homeops` runs with, read from the `#!` line of bin/homeops.js, so that benchmarks run what users
 * run. (A young generation of 128 MB from the start: a render keeps most of what it allocates, and a small,
 * growing one makes the garbage collector copy it again and again. At 128 MB a one-shot `homeops build` of the
 * largest corpus repository runs without a single collection (at 64 MB one scavenge took ~23 ms); its peak RSS
 * does not change, since a run that never fills the young generation never touches all of it.)
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
