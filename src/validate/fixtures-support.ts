import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A fixture: files of a repository in one text file (`-- path --` headers), and what check must report. */
export interface Fixture {
  name: string;
  /** `CODE file:line:col` lines, in output order. */
  expect: string[];
  files: Record<string, string>;
}

export const FIXTURES_DIR = path.join(import.meta.dirname, "testdata", "fixtures");

/** Parses a fixture file: comment lines, then `-- expect --` and `-- <path> --` sections. */
export function parseFixture(name: string, text: string): Fixture {
  const fixture: Fixture = { name, expect: [], files: {} };
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const header = /^-- (.+) --$/.exec(line);
    if (header) {
      current = header[1]!;
      if (current !== "expect") fixture.files[current] = "";
      continue;
    }
    if (current === "expect") {
      if (line.trim() !== "") fixture.expect.push(line.trim());
    } else if (current !== undefined) fixture.files[current] += `${line}\n`;
  }
  return fixture;
}

/** Every fixture with the shared bootstrap files (`_base.txt`) under its own. */
export function loadFixtures(): Fixture[] {
  const base = parseFixture("_base", fs.readFileSync(path.join(FIXTURES_DIR, "_base.txt"), "utf8"));
  return fs
    .readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".txt") && !f.startsWith("_"))
    .sort()
    .map((f) => {
      const fx = parseFixture(f.replace(/\.txt$/, ""), fs.readFileSync(path.join(FIXTURES_DIR, f), "utf8"));
      return { ...fx, files: { ...base.files, ...fx.files } };
    });
}

/** Writes a fixture's files into a new temporary directory and returns it. */
export function materialize(fx: Fixture): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `homeops-check-${fx.name}-`));
  for (const [rel, text] of Object.entries(fx.files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  return dir;
}
