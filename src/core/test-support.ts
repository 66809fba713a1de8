/**
 * Helpers for tests across the layers: throw-away file trees and golden files. Not part of the library.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, onTestFinished } from "vitest";

/**
 * Writes a tree into a fresh temporary directory (its real path) removed when the test ends. Keys are relative
 * paths; `null` or a key ending in `/` makes a directory.
 */
export function tempTree(files: Record<string, string | Buffer | null>, prefix = "homeops-test-"): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  onTestFinished(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (content === null || rel.endsWith("/")) {
      fs.mkdirSync(abs, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    }
  }
  return root;
}

/** Compares `text` with the golden file `dir/name`; writes it when missing or UPDATE_GOLDENS is set. */
export function expectGolden(dir: string, name: string, text: string): void {
  const file = path.join(dir, name);
  if (process.env.UPDATE_GOLDENS || !fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  expect(text).toBe(fs.readFileSync(file, "utf8"));
}
