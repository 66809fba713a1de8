import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { capture } from "./capture-test-support.ts";
import { main } from "./main.ts";

let dir = "";
let cwd = "";
let io: ReturnType<typeof capture>;

beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "homeops-secrets-")));
  cwd = process.cwd();
  process.chdir(dir);
  io = capture();
  // Keep the user's own keys out of the tests.
  vi.stubEnv("XDG_CONFIG_HOME", path.join(dir, "config"));
  vi.stubEnv("SOPS_AGE_KEY", "");
  vi.stubEnv("SOPS_AGE_KEY_FILE", "");
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function keygen(name: string): Promise<string> {
  expect(await main(["secrets", "keygen", "-o", name])).toBe(0);
  return /Public key: (age1\S+)/.exec(io.out())?.[1] as string;
}

describe("homeops secrets", () => {
  it("keygen writes a private key, refuses to overwrite it, and prints the Flux Secret", async () => {
    const recipient = await keygen("key.txt");
    expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);
    expect(fs.statSync("key.txt").mode & 0o777).toBe(0o600);
    const before = fs.readFileSync("key.txt", "utf8");
    expect(await main(["secrets", "keygen", "-o", "key.txt"])).toBe(1);
    expect(io.err()).toContain("already exists");
    expect(fs.readFileSync("key.txt", "utf8")).toBe(before);
    io.reset();
    expect(await main(["secrets", "keygen", "-o", "other.txt", "--flux"])).toBe(0);
    expect(io.out()).toContain("name: sops-age");
    expect(io.out()).toMatch(/ {2}age\.agekey: \|\n {4}# created: /);
  });

  it("encrypt by .sops.yaml rules, decrypt, set, updatekeys, rotate, status", async () => {
    const r1 = await keygen("k1.txt");
    io.reset();
    const r2 = await keygen("k2.txt");
    fs.mkdirSync("apps");
    fs.writeFileSync(
      ".sops.yaml",
      `creation_rules:\n  - path_regex: apps/.*\\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${r1}\n  - path_regex: \\.env$\n    age: >-\n      ${r1}, ${r1}\n`,
    );
    const plain = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: s\nstringData:\n    pw: hunter2\n";
    fs.writeFileSync("apps/s.sops.yaml", plain);
    fs.writeFileSync("plain.sops.yaml", plain);
    expect(await main(["secrets", "encrypt", "--in-place", "apps/s.sops.yaml"])).toBe(0);
    const enc = fs.readFileSync("apps/s.sops.yaml", "utf8");
    expect(enc).toContain("name: s\n");
    expect(enc).toContain("encrypted_regex: ^(data|stringData)$");
    expect(enc).not.toContain("hunter2");

    // No rule matches plain.sops.yaml (outside apps/).
    expect(await main(["secrets", "encrypt", "plain.sops.yaml"])).toBe(1);
    expect(io.err()).toContain("SOPS020");

    io.reset();
    expect(await main(["secrets", "decrypt", "apps/s.sops.yaml"])).toBe(1);
    expect(io.err()).toContain("SOPS005");
    io.reset();
    expect(await main(["secrets", "decrypt", "apps/s.sops.yaml", "--age-key-file", "k1.txt"])).toBe(0);
    expect(io.out()).toBe(plain);
    expect(
      await main(["secrets", "decrypt", "apps/s.sops.yaml", "--age-key-file", "k1.txt", "-o", "out.yaml"]),
    ).toBe(0);
    expect(fs.statSync("out.yaml").mode & 0o777).toBe(0o600);
    io.reset();
    expect(await main(["secrets", "decrypt", "apps/s.sops.yaml", "--age-key-file", "k2.txt"])).toBe(1);
    expect(io.err()).toContain("SOPS006");

    vi.stubEnv("SOPS_AGE_KEY_FILE", "k1.txt");
    expect(await main(["secrets", "set", "apps/s.sops.yaml", '["stringData"]["pw"]', '"new"'])).toBe(0);
    const set = fs.readFileSync("apps/s.sops.yaml", "utf8");
    // Only the value and the MAC change (and lastmodified, unless still within the same second).
    expect(
      set
        .split("\n")
        .filter((l) => !enc.includes(l))
        .map((l) => l.trim().split(":")[0])
        .filter((k) => k !== "lastmodified"),
    ).toEqual(["pw", "mac"]);

    // The rule now names a second recipient: updatekeys adds it without touching values.
    fs.writeFileSync(
      ".sops.yaml",
      fs.readFileSync(".sops.yaml", "utf8").replace(`age: ${r1}\n`, `age: ${r1},${r2}\n`),
    );
    io.reset();
    expect(await main(["secrets", "updatekeys", "--dry-run", "apps/s.sops.yaml"])).toBe(0);
    expect(io.out()).toBe(`apps/s.sops.yaml: +${r2} (dry run)\n`);
    expect(fs.readFileSync("apps/s.sops.yaml", "utf8")).toBe(set);
    io.reset();
    expect(await main(["secrets", "updatekeys", "apps/s.sops.yaml"])).toBe(0);
    expect(io.out()).toContain(`+${r2}`);
    const updated = fs.readFileSync("apps/s.sops.yaml", "utf8");
    expect(updated.match(/^ {4}pw: .*$/m)?.[0]).toBe(set.match(/^ {4}pw: .*$/m)?.[0]);
    io.reset();
    expect(await main(["secrets", "decrypt", "apps/s.sops.yaml", "--age-key-file", "k2.txt"])).toBe(0);
    expect(io.out()).toContain("pw: new");

    expect(await main(["secrets", "rotate", "apps/s.sops.yaml"])).toBe(0);
    const rotated = fs.readFileSync("apps/s.sops.yaml", "utf8");
    expect(rotated.match(/^ {4}pw: .*$/m)?.[0]).not.toBe(updated.match(/^ {4}pw: .*$/m)?.[0]);
    io.reset();
    expect(await main(["secrets", "decrypt", "apps/s.sops.yaml", "--age-key-file", "k2.txt"])).toBe(0);
    expect(io.out()).toContain("pw: new");

    fs.writeFileSync("apps/forgotten.sops.yaml", plain);
    io.reset();
    io.reset();
    expect(await main(["secrets", "status", "."])).toBe(1);
    expect(io.out()).toContain(`encrypted  apps/s.sops.yaml  ${r1}, ${r2}`);
    expect(io.err()).toContain("apps/forgotten.sops.yaml: warning SOPS032");
  });

  it("edit re-encrypts only what the editor changed", async () => {
    const r = await keygen("k.txt");
    fs.writeFileSync("s.yaml", "a: one\nb: two\n");
    expect(await main(["secrets", "encrypt", "-i", "--age", r, "s.yaml"])).toBe(0);
    const before = fs.readFileSync("s.yaml", "utf8");
    const editor = path.join(dir, "editor.sh");
    fs.writeFileSync(editor, "#!/bin/sh\nsed -i 's/two/TWO/' \"$1\"\n", { mode: 0o755 });
    vi.stubEnv("EDITOR", editor);
    vi.stubEnv("SOPS_EDITOR", "");
    expect(await main(["secrets", "edit", "s.yaml", "--age-key-file", "k.txt"])).toBe(0);
    const after = fs.readFileSync("s.yaml", "utf8");
    expect(after.match(/^a: .*$/m)?.[0]).toBe(before.match(/^a: .*$/m)?.[0]);
    expect(after.match(/^b: .*$/m)?.[0]).not.toBe(before.match(/^b: .*$/m)?.[0]);
    io.reset();
    expect(await main(["secrets", "decrypt", "s.yaml", "--age-key-file", "k.txt"])).toBe(0);
    expect(io.out()).toBe("a: one\nb: TWO\n");
    // An editor that changes nothing leaves the file byte for byte.
    fs.writeFileSync(editor, "#!/bin/sh\ntrue\n", { mode: 0o755 });
    expect(await main(["secrets", "edit", "s.yaml", "--age-key-file", "k.txt"])).toBe(0);
    expect(fs.readFileSync("s.yaml", "utf8")).toBe(after);
    // A failing editor writes nothing.
    fs.writeFileSync(editor, '#!/bin/sh\necho x >> "$1"\nexit 3\n', { mode: 0o755 });
    expect(await main(["secrets", "edit", "s.yaml", "--age-key-file", "k.txt"])).toBe(1);
    expect(io.err()).toContain("SOPS024");
    expect(fs.readFileSync("s.yaml", "utf8")).toBe(after);
  });
});
