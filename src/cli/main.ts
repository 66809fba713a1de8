import { Command, CommanderError } from "commander";
import { registerBuild } from "./build-command.ts";
import { registerCheck } from "./check-command.ts";
import { registerDiff } from "./diff-command.ts";
import { registerKustomize } from "./kustomize-command.ts";
import { registerSecrets } from "./secrets-command.ts";
import { registerTalos } from "./talos-command.ts";

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("homeops")
    .description("GitOps home-lab clusters: render, check and bootstrap Flux + Talos repositories")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code = 0;
  const setCode = (c: number) => {
    code = c;
  };
  registerBuild(program, setCode);
  registerCheck(program, setCode);
  registerDiff(program, setCode);
  registerKustomize(program, setCode);
  registerTalos(program, setCode);
  registerSecrets(program, setCode);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}

/**
 * The process around main, for bin/homeops.js and `tsx src/cli/main.ts`: a reader that stops early
 * (`homeops build | head`) closes the pipe, and homeops stops quietly, as a SIGPIPE would; an exception is an
 * internal error (exit 3).
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
      throw e;
    });
  }
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    process.stderr.write(
      `homeops: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 3;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/src/cli/main.ts")) {
  await runCli(process.argv.slice(2));
}
