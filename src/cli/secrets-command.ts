import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline/promises";
import type { Command } from "commander";
import { type Diagnostic, sortDiagnostics } from "../core/diagnostics.ts";
import { formatDiagnostics } from "../core/print-diagnostics.ts";
import type { SecretsEnv } from "../sops/ops.ts";

/** The SOPS library, loaded when a secrets command runs (its age code is not needed by other commands). */
async function sops() {
  const [keys, ops] = await Promise.all([import("../sops/keys.ts"), import("../sops/ops.ts")]);
  return { ...keys, ...ops };
}

interface KeyFlags {
  ageKeyFile?: string;
}

function report(ds: readonly Diagnostic[]): boolean {
  const sorted = sortDiagnostics(ds);
  if (sorted.length > 0)
    process.stderr.write(
      formatDiagnostics(sorted, { readSource: () => undefined, color: process.stderr.isTTY === true }),
    );
  return sorted.some((d) => d.severity === "error");
}

const envOf = (flags: KeyFlags): SecretsEnv => ({
  cwd: process.cwd(),
  ...(flags.ageKeyFile ? { ageKeyFile: flags.ageKeyFile } : {}),
});

/** stdout, `-o <file>` or `--in-place`; files are written atomically, decrypted output with mode 0600. */
async function emit(
  bytes: Buffer,
  input: string,
  flags: { output?: string; inPlace?: boolean },
  secret: boolean,
): Promise<number> {
  const { writeFileAtomic } = await sops();
  if (flags.inPlace) writeFileAtomic(input, bytes);
  else if (flags.output) writeFileAtomic(flags.output, bytes, secret ? 0o600 : undefined);
  else process.stdout.write(bytes);
  return 0;
}

/** Interactive edits that do not parse: Enter re-opens the editor, anything else (or EOF) gives up. */
async function askRetry(error: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `${error}\nPress Enter to fix it in the editor, or type q to discard the edit: `,
    );
    return answer.trim() === "";
  } finally {
    rl.close();
  }
}

export function registerSecrets(program: Command, setCode: (c: number) => void): void {
  const secrets = program
    .command("secrets")
    .description(
      "SOPS + age secrets, natively: files that sops and Flux read, without the sops or age binaries",
    );
  const keyOption = (c: Command) =>
    c.option(
      "--age-key-file <file>",
      "age identities (also SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, ~/.config/sops/age/keys.txt)",
    );

  secrets
    .command("keygen")
    .description("write a new age identity (mode 0600) and print its recipient")
    .requiredOption("-o, --output <file>", "key file to create (never overwritten)")
    .option("--flux", "also print the sops-age Secret Flux decrypts with (entry age.agekey)")
    .action(async (flags: { output: string; flux?: boolean }) => {
      const { generateAgeKey, fluxAgeSecret } = await sops();
      const key = await generateAgeKey();
      try {
        fs.writeFileSync(flags.output, key.text, { mode: 0o600, flag: "wx" });
      } catch (e) {
        const exists = (e as NodeJS.ErrnoException).code === "EEXIST";
        process.stderr.write(
          `homeops: ${flags.output}: ${exists ? "already exists; not overwritten" : (e as Error).message}\n`,
        );
        return setCode(exists ? 1 : 2);
      }
      process.stdout.write(`Public key: ${key.recipient}\n`);
      if (flags.flux) process.stdout.write(`---\n${fluxAgeSecret(key.text)}`);
      setCode(0);
    });

  keyOption(
    secrets
      .command("encrypt")
      .description("encrypt a file for the recipients of --age or the matching .sops.yaml creation rule")
      .argument("<file>")
      .option("--age <recipients>", "comma-separated age recipients (instead of .sops.yaml)")
      .option("-o, --output <file>", "write here instead of stdout")
      .option("-i, --in-place", "replace the file"),
  ).action(async (file: string, flags: KeyFlags & { age?: string; output?: string; inPlace?: boolean }) => {
    const recipients = flags.age
      ?.split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const { encryptFile } = await sops();
    const r = await encryptFile(path.resolve(file), {
      ...envOf(flags),
      ...(recipients ? { recipients } : {}),
    });
    if (report(r.diagnostics) || !r.value) return setCode(1);
    setCode(await emit(r.value, file, flags, false));
  });

  keyOption(
    secrets
      .command("decrypt")
      .description("print the decrypted file (MAC verified)")
      .argument("<file>")
      .option("-o, --output <file>", "write here (mode 0600) instead of stdout")
      .option("-i, --in-place", "replace the file with its plaintext")
      .option("--ignore-mac", "decrypt even if the MAC does not verify (reported loudly)"),
  ).action(
    async (file: string, flags: KeyFlags & { output?: string; inPlace?: boolean; ignoreMac?: boolean }) => {
      const { openFile } = await sops();
      const r = await openFile(path.resolve(file), {
        ...envOf(flags),
        ignoreMac: flags.ignoreMac === true,
      });
      if (report(r.diagnostics) || !r.value) return setCode(1);
      setCode(await emit(r.value.plaintext, file, flags, true));
    },
  );

  keyOption(
    secrets
      .command("edit")
      .description("edit the plaintext in $EDITOR; only changed values get new ciphertext")
      .argument("<file>")
      .option("--ignore-mac", "open even if the MAC does not verify"),
  ).action(async (file: string, flags: KeyFlags & { ignoreMac?: boolean }) => {
    const editor = process.env.SOPS_EDITOR || process.env.EDITOR || "vi";
    const { editFile, writeFileAtomic } = await sops();
    const r = await editFile(path.resolve(file), {
      ...envOf(flags),
      editor,
      ignoreMac: flags.ignoreMac === true,
      ...(process.stdin.isTTY ? { retry: askRetry } : {}),
    });
    if (report(r.diagnostics) || !r.value) return setCode(1);
    if (r.value.changed) writeFileAtomic(file, r.value.bytes);
    else process.stderr.write(`${file}: no changes\n`);
    setCode(0);
  });

  keyOption(
    secrets
      .command("set")
      .description('change one value: set <file> \'["stringData"]["key"]\' \'"value"\' (value is JSON)')
      .argument("<file>")
      .argument("<path>")
      .argument("<value>"),
  ).action(async (file: string, keyPath: string, value: string, flags: KeyFlags) => {
    const { setInFile, writeFileAtomic } = await sops();
    const r = await setInFile(path.resolve(file), keyPath, value, envOf(flags));
    if (report(r.diagnostics) || !r.value) return setCode(1);
    if (r.value.changed) writeFileAtomic(file, r.value.bytes);
    setCode(0);
  });

  keyOption(
    secrets
      .command("updatekeys")
      .description("re-wrap the data key for the recipients .sops.yaml names now (values untouched)")
      .argument("<files...>")
      .option("--dry-run", "print the recipient changes without writing"),
  ).action(async (files: string[], flags: KeyFlags & { dryRun?: boolean }) => {
    const { updateKeysFile, writeFileAtomic } = await sops();
    let failed = false;
    for (const file of files) {
      const r = await updateKeysFile(path.resolve(file), envOf(flags));
      if (report(r.diagnostics) || !r.value) {
        failed = true;
        continue;
      }
      if (!r.value.changed) {
        process.stdout.write(`${file}: recipients already up to date\n`);
        continue;
      }
      if (!flags.dryRun) writeFileAtomic(file, r.value.bytes);
      const changes = [...r.value.added.map((a) => `+${a}`), ...r.value.removed.map((a) => `-${a}`)];
      process.stdout.write(`${file}: ${changes.join(" ")}${flags.dryRun ? " (dry run)" : ""}\n`);
    }
    setCode(failed ? 1 : 0);
  });

  keyOption(
    secrets
      .command("rotate")
      .description("new data key: every value and the MAC re-encrypted (after a key leak)")
      .argument("<files...>"),
  ).action(async (files: string[], flags: KeyFlags) => {
    const { rotateFile, writeFileAtomic } = await sops();
    let failed = false;
    for (const file of files) {
      const r = await rotateFile(path.resolve(file), envOf(flags));
      if (report(r.diagnostics) || !r.value) {
        failed = true;
        continue;
      }
      writeFileAtomic(file, r.value);
      process.stdout.write(`${file}: rotated\n`);
    }
    setCode(failed ? 1 : 0);
  });

  secrets
    .command("status")
    .description("encrypted files and their recipients; files the rules name that are not encrypted")
    .argument("[dir]", "directory", ".")
    .action(async (dir: string) => {
      const { secretsStatus } = await sops();
      const r = secretsStatus(dir, { cwd: process.cwd() });
      for (const s of r.value ?? []) {
        if (!s.encrypted) continue;
        const keys = [...s.recipients, ...s.otherKeys.map((k) => `(${k})`)].join(", ");
        process.stdout.write(`encrypted  ${s.file}  ${keys}\n`);
      }
      const failed = report(r.diagnostics);
      setCode(failed || r.diagnostics.length > 0 ? 1 : 0);
    });
}
