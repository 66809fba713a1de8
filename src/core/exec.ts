import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface ExecResult {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Runs a program with an argv array (never a shell). Used for oracles and optional external tools. */
export function execArgv(
  file: string,
  args: readonly string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): ExecResult {
  const r = spawnSync(file, args, {
    cwd: opts.cwd,
    input: opts.input,
    timeout: opts.timeoutMs ?? 120_000,
    env: opts.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    shell: false,
  });
  const out: ExecResult = { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  if (r.error) out.error = r.error;
  return out;
}

/** Absolute path of an executable `name` on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Like execArgv, with stdout as bytes (for binary output such as Git blobs). */
export function execArgvBytes(
  file: string,
  args: readonly string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number } = {},
): { status: number | null; stdout: Buffer; stderr: string; error?: Error } {
  const r = spawnSync(file, args, {
    cwd: opts.cwd,
    input: opts.input,
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
    shell: false,
  });
  const out: { status: number | null; stdout: Buffer; stderr: string; error?: Error } = {
    status: r.status,
    stdout: r.stdout ?? Buffer.alloc(0),
    stderr: r.stderr?.toString("utf8") ?? "",
  };
  if (r.error) out.error = r.error;
  return out;
}
