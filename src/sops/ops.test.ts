import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAgeIdentities } from "./age.ts";
import { findSopsConfig, loadSopsConfig, ruleForFile } from "./config.ts";
import { openBytes } from "./file.ts";
import { defaultKeysFile, findAgeIdentities, generateAgeKey } from "./keys.ts";
import { editFile, encryptFileForPath, writeFileAtomic } from "./ops.ts";

let dir = "";
beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "homeops-sops-ops-")));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const R1 = "age1tuy8tmcp274w08rc2f88c5nspn5jc57pwj6pe6q8uzt6jvvqde4st9z3w6";
const R2 = "age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29";

describe(".sops.yaml", () => {
  it("first rule whose path_regex matches the path relative to the config wins", () => {
    const file = path.join(dir, ".sops.yaml");
    const text = `creation_rules:\n  - path_regex: ^talos/.*\\.sops\\.yaml$\n    age: ${R2}\n  - path_regex: \\.sops\\.ya?ml$\n    encrypted_regex: ^(data|stringData)$\n    age: "${R1}, ${R2}"\n  - key_groups:\n      - age:\n          - ${R1}\n    mac_only_encrypted: true\n`;
    const r = loadSopsConfig(file, text);
    if (!r.ok) throw new Error(r.error);
    const c = r.config;
    expect(ruleForFile(c, path.join(dir, "talos/talsecret.sops.yaml"))).toMatchObject({
      index: 0,
      age: [R2],
    });
    const k8s = ruleForFile(c, path.join(dir, "kubernetes/talos/x.sops.yaml"));
    expect(k8s).toMatchObject({ index: 1, age: [R1, R2], rule: { key: "encrypted_regex" } });
    expect(ruleForFile(c, path.join(dir, "other.txt"))).toMatchObject({
      index: 2,
      age: [R1],
      macOnlyEncrypted: true,
    });
  });

  it("is found from a directory upwards and rejects what sops rejects", () => {
    fs.mkdirSync(path.join(dir, "a/b"), { recursive: true });
    fs.writeFileSync(path.join(dir, ".sops.yaml"), "creation_rules: []\n");
    expect(findSopsConfig(path.join(dir, "a/b"))).toBe(path.join(dir, ".sops.yaml"));
    const f = path.join(dir, ".sops.yaml");
    expect(
      loadSopsConfig(f, "creation_rules:\n  - encrypted_regex: a\n    unencrypted_suffix: b\n"),
    ).toMatchObject({
      code: "bad-config",
    });
    expect(loadSopsConfig(f, "creation_rules:\n  - path_regex: (?=x)\n")).toMatchObject({
      code: "bad-config",
    });
    expect(loadSopsConfig(f, "creation_rules:\n  - key_groups: [{age: [a]}, {age: [b]}]\n")).toMatchObject({
      code: "unsupported",
    });
  });
});

describe("age identities", () => {
  it("combines --age-key-file, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the default keys.txt", async () => {
    const keys = await Promise.all([1, 2, 3, 4].map(() => generateAgeKey()));
    const [a, b, c, d] = keys as [
      Awaited<ReturnType<typeof generateAgeKey>>,
      Awaited<ReturnType<typeof generateAgeKey>>,
      Awaited<ReturnType<typeof generateAgeKey>>,
      Awaited<ReturnType<typeof generateAgeKey>>,
    ];
    fs.writeFileSync(path.join(dir, "flag.txt"), a.text);
    fs.writeFileSync(path.join(dir, "env.txt"), c.text);
    const env = {
      HOME: dir,
      XDG_CONFIG_HOME: path.join(dir, "cfg"),
      SOPS_AGE_KEY: `${b.identity} ${b.identity}`,
      SOPS_AGE_KEY_FILE: path.join(dir, "env.txt"),
    };
    const def = defaultKeysFile(env);
    expect(def).toBe(path.join(dir, "cfg/sops/age/keys.txt"));
    fs.mkdirSync(path.dirname(def), { recursive: true });
    fs.writeFileSync(def, d.text);
    const found = findAgeIdentities(path.join(dir, "flag.txt"), env);
    expect(found.errors).toEqual([]);
    expect(found.identities).toEqual([a.identity, b.identity, c.identity, d.identity]);
    const missing = findAgeIdentities(path.join(dir, "nope.txt"), { HOME: dir });
    expect(missing.errors[0]).toContain("nope.txt");
  });
});

describe("library", () => {
  it("encryptFileForPath follows the creation rule that names the file", async () => {
    const key = await generateAgeKey();
    fs.writeFileSync(
      path.join(dir, ".sops.yaml"),
      `creation_rules:\n  - path_regex: talos/.*\\.sops\\.yaml$\n    age: ${key.recipient}\n`,
    );
    fs.mkdirSync(path.join(dir, "talos"));
    const r = await encryptFileForPath(dir, "talos/talsecret.sops.yaml", "cluster:\n    id: abc\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.toString()).toContain(`recipient: ${key.recipient}`);
    const o = await openBytes(r.value as Buffer, "yaml", { identities: [key.identity] });
    expect(o.ok && o.opened.plaintext.toString()).toBe("cluster:\n    id: abc\n");
    const none = await encryptFileForPath(dir, "kubernetes/x.sops.yaml", "a: b\n");
    expect(none.diagnostics.map((d) => d.code)).toEqual(["SOPS020"]);
  });

  it("writes atomically, keeping the mode and leaving no temporary file", () => {
    const f = path.join(dir, "s.yaml");
    fs.writeFileSync(f, "old\n", { mode: 0o640 });
    writeFileAtomic(f, Buffer.from("new\n"));
    expect(fs.readFileSync(f, "utf8")).toBe("new\n");
    expect(fs.statSync(f).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir)).toEqual(["s.yaml"]);
  });

  it("edit offers to re-open the editor when the result does not parse", async () => {
    const key = await generateAgeKey();
    const keyFile = path.join(dir, "k.txt");
    fs.writeFileSync(keyFile, key.text);
    const f = path.join(dir, "s.yaml");
    const r = await encryptFileForPath(dir, "s.yaml", "a: 1\n").catch(() => undefined);
    expect(r?.value).toBeUndefined(); // no .sops.yaml here
    const { encryptBytes } = await import("./file.ts");
    const enc = await encryptBytes(Buffer.from("a: 1\n"), "yaml", { recipients: [key.recipient] });
    if (!enc.ok) throw new Error(enc.error);
    fs.writeFileSync(f, enc.bytes);
    // First run writes invalid YAML, the second a valid edit.
    const editor = path.join(dir, "ed.sh");
    const count = path.join(dir, "count");
    fs.writeFileSync(
      editor,
      `#!/bin/sh\nif [ -f ${count} ]; then printf 'a: 2\\n' > "$1"; else touch ${count}; printf 'a: [\\n' > "$1"; fi\n`,
      { mode: 0o755 },
    );
    const asked: string[] = [];
    const out = await editFile(f, {
      cwd: dir,
      ageKeyFile: keyFile,
      env: { HOME: dir },
      editor,
      retry: async (e) => {
        asked.push(e);
        return true;
      },
    });
    expect(asked).toHaveLength(1);
    expect(out.diagnostics).toEqual([]);
    const o = await openBytes(out.value?.bytes as Buffer, "yaml", {
      identities: parseAgeIdentities(key.text).identities,
    });
    expect(o.ok && o.opened.plaintext.toString()).toBe("a: 2\n");
  });
});
