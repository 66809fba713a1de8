import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { decryptSops as sopsAgeDecrypt } from "sops-age";
import { describe, expect, it } from "vitest";
import { execArgv, which } from "../core/exec.ts";
import { renderYaml } from "../flux/output.ts";
import { renderRepository } from "../flux/render.ts";
import { parseAgeIdentities } from "./age.ts";
import { encryptBytes, openBytes, openWithKey, readEncrypted, sealBytes } from "./file.ts";
import { prepareFluxDecryption } from "./flux.ts";
import type { Format } from "./formats.ts";
import { makeRule } from "./rules.ts";
import { metadataYaml } from "./yaml-store.ts";

const here = import.meta.dirname;
const testdata = path.join(here, "testdata");
const keyText = fs.readFileSync(path.join(testdata, "age.txt"), "utf8");
const identity = parseAgeIdentities(keyText).identities[0] as string;
const recipient = /public key: (age1\S+)/.exec(keyText)?.[1] as string;

const samples: [Format, string][] = [
  [
    "yaml",
    "# top\napiVersion: v1\nkind: Secret\nmetadata: # on the key line\n    name: s # inline\nstringData:\n    a: hello\n    n: 12\n    f: 1.5\n    b: true\n    t: 2024-01-01T00:00:00Z\n    ml: |\n        one\n        two\n    list:\n        # in list\n        - x\n        - z\nbase: &b\n    k: v\nuse: *b\n---\nkind: Other\nx_unencrypted: plain\n",
  ],
  [
    "json",
    '{\n\t"a": "x",\n\t"n": 1.5,\n\t"o": {\n\t\t"b": [\n\t\t\t1,\n\t\t\ttrue,\n\t\t\tnull\n\t\t]\n\t}\n}\n',
  ],
  ["dotenv", "# comment\nA=1\nB=two\\nlines\n"],
  ["ini", "[s]\nk  = v\n; c\nk2 = w\n"],
  ["binary", "\u0000\u0001 binary \u00ff"],
];

describe("encrypt → decrypt round trips", () => {
  for (const [format, text] of samples) {
    it(`${format}: identity, unchanged content keeps its ciphertext, one edit changes one value`, async () => {
      const enc = await encryptBytes(Buffer.from(text), format, { recipients: [recipient] });
      if (!enc.ok) throw new Error(enc.error);
      const out = enc.bytes.toString("utf8");
      expect(out).not.toContain("hello");
      // The markers Flux looks for.
      const marker = {
        yaml: "mac: ENC[",
        json: '"mac": "ENC[',
        binary: '"mac": "ENC[',
        dotenv: "sops_mac=ENC[",
        ini: "[sops]",
      }[format];
      expect(out).toContain(marker);
      expect(out).toContain(format === "dotenv" ? "sops_version=3.10.2" : "3.10.2");
      const o = await openBytes(enc.bytes, format, { identities: [identity] });
      if (!o.ok) throw new Error(o.error);
      // An alias whose target gets encrypted is expanded, as sops does (one ciphertext cannot serve two paths).
      const expected = format === "yaml" ? text.replace("use: *b", "use:\n    k: v") : text;
      expect(o.opened.plaintext.toString("latin1")).toBe(Buffer.from(expected).toString("latin1"));
      const same = sealBytes(o.opened, o.opened.plaintext);
      expect(same).toMatchObject({ ok: true, changed: false });
      if (same.ok) expect(same.bytes.equals(enc.bytes)).toBe(true);
      if (format === "binary") return;
      const edited = Buffer.from(
        o.opened.plaintext.toString().replace(/\bv\b|hello|two|"x"/, (m) => (m === '"x"' ? '"x2"' : `${m}2`)),
      );
      const s = sealBytes(o.opened, edited);
      if (!s.ok) throw new Error(s.error);
      const before = new Set(out.split("\n"));
      const changed = s.bytes
        .toString()
        .split("\n")
        .filter((l) => !before.has(l) && !/lastmodified|mac/.test(l));
      expect(changed).toHaveLength(1);
      const again = await openBytes(s.bytes, format, { identities: [identity] });
      expect(again.ok && again.opened.plaintext.equals(edited)).toBe(true);
    });
  }

  it("applies every crypt rule (suffix, regex, comment regex) and decrypts by the file's own rule", async () => {
    const t =
      "# sops:enc\nsecret: s1\nplain: p1\n# sops:plain\nother: o1\nmetadata:\n    name: n1\npw_secret: s2\n";
    const encrypted = {
      encrypted_comment_regex: ["secret"],
      unencrypted_comment_regex: ["secret", "plain", "name", "pw_secret"],
      encrypted_suffix: ["pw_secret"],
      unencrypted_suffix: ["secret", "plain", "other", "name"],
      encrypted_regex: ["name"],
      unencrypted_regex: ["secret", "plain", "other", "pw_secret"],
    } as const;
    const patterns = {
      encrypted_comment_regex: "sops:enc",
      unencrypted_comment_regex: "sops:plain",
      encrypted_suffix: "_secret",
      unencrypted_suffix: "_secret",
      encrypted_regex: "^meta",
      unencrypted_regex: "^meta",
    } as const;
    for (const [key, keys] of Object.entries(encrypted)) {
      const rule = makeRule(key as keyof typeof patterns, patterns[key as keyof typeof patterns]);
      if (typeof rule === "string") throw new Error(rule);
      const r = await encryptBytes(Buffer.from(t), "yaml", { recipients: [recipient], rule });
      if (!r.ok) throw new Error(r.error);
      const body = r.bytes.toString().split("sops:\n")[0] as string;
      const enc = [...body.matchAll(/^\s*([\w]+): ENC\[/gm)].map((m) => m[1]);
      expect(enc, key).toEqual([...keys]);
      const o = await openBytes(r.bytes, "yaml", { identities: [identity] });
      expect(o.ok && o.opened.plaintext.toString(), key).toBe(t);
    }
  });

  it("mac_only_encrypted: plain values may change without breaking the MAC", async () => {
    const rule = makeRule("encrypted_regex", "^stringData$");
    if (typeof rule === "string") throw new Error(rule);
    const t = "metadata:\n    name: a1\nstringData:\n    k: v1\n";
    const r = await encryptBytes(Buffer.from(t), "yaml", {
      recipients: [recipient],
      rule,
      macOnlyEncrypted: true,
    });
    if (!r.ok) throw new Error(r.error);
    expect(r.bytes.toString()).toMatch(
      /\n {4}encrypted_regex: \^stringData\$\n {4}mac_only_encrypted: true\n {4}version: 3\.10\.2\n$/,
    );
    const renamed = Buffer.from(r.bytes.toString().replace("name: a1", "name: a2"));
    const o = await openBytes(renamed, "yaml", { identities: [identity] });
    expect(o.ok && o.opened.plaintext.toString()).toBe(t.replace("a1", "a2"));
  });

  it("reads list comments the way sops writes them (as list elements of type comment)", async () => {
    const text = "list:\n    # first\n    - x\n    # last\n";
    const enc = await encryptBytes(Buffer.from(text), "yaml", { recipients: [recipient] });
    if (!enc.ok) throw new Error(enc.error);
    const asSops = enc.bytes.toString().replace(/^ {4}#(ENC\[[^\n]*type:comment\])$/gm, "    - $1");
    expect(asSops).toMatch(/^ {4}- ENC\[.*type:comment\]$/m);
    const o = await openBytes(Buffer.from(asSops), "yaml", { identities: [identity] });
    if (!o.ok) throw new Error(o.error);
    expect(o.opened.plaintext.toString()).toBe("list:\n    # first\n    - x\n    # last\n");
  });

  it("keeps values outside encrypted_regex plain and in the MAC", async () => {
    const rule = makeRule("encrypted_regex", "^(data|stringData)$");
    if (typeof rule === "string") throw new Error(rule);
    const enc = await encryptBytes(Buffer.from(samples[0]?.[1] as string), "yaml", {
      recipients: [recipient],
      rule,
    });
    if (!enc.ok) throw new Error(enc.error);
    const text = enc.bytes.toString();
    expect(text).toContain("name: s # inline");
    expect(text).toContain("use: *b"); // nothing encrypted below the alias: it stays an alias
    const tampered = Buffer.from(text.replace("name: s", "name: t"));
    expect(await openBytes(tampered, "yaml", { identities: [identity] })).toMatchObject({
      code: "mac-mismatch",
    });
  });
});

describe("layout of sops 3.10.2", () => {
  const now = new Date("2024-01-02T03:04:05.678Z");
  const B64 = "[A-Za-z0-9+/=]+";
  const enc = `ENC\\[AES256_GCM,data:${B64},iv:${B64},tag:${B64},type:str\\]`;

  for (const indent of [4, 2]) {
    it(`YAML metadata block, indent ${indent}`, async () => {
      const r = await encryptBytes(
        Buffer.from("a: b\n"),
        "yaml",
        { recipients: [recipient], now },
        { yamlIndent: indent },
      );
      if (!r.ok) throw new Error(r.error);
      const p = " ".repeat(indent);
      const body = " ".repeat(indent * Math.floor((2 * indent + 2 + indent) / indent));
      const armor = `${body}-----BEGIN AGE ENCRYPTED FILE-----\n(?:${body}[A-Za-z0-9+/=]{1,64}\n)+${body}-----END AGE ENCRYPTED FILE-----\n`;
      const expected = new RegExp(
        `^a: ${enc}\nsops:\n${p}age:\n${p}${p}- recipient: ${recipient}\n${p}${p}  enc: \\|\n${armor}` +
          `${p}lastmodified: "2024-01-02T03:04:05Z"\n${p}mac: ${enc}\n${p}unencrypted_suffix: _unencrypted\n${p}version: 3.10.2\n$`,
      );
      expect(r.bytes.toString()).toMatch(expected);
    });
  }

  const flux = path.resolve(
    here,
    "../../../shared/sops-vectors/kustomize-controller/internal/controller/testdata/sops",
  );
  it.skipIf(!fs.existsSync(flux))(
    "re-emits the metadata of a sops 3.9.0 file as 3.10 writes it (empty key lists dropped)",
    () => {
      const text = fs.readFileSync(path.join(flux, "algorithms/age.yaml"), "utf8");
      const r = readEncrypted(Buffer.from(text), "yaml");
      if (!r.ok) throw new Error(r.error);
      const original = text.slice(text.indexOf("sops:\n"));
      const expected = original.replace(/^ {2}(kms|gcp_kms|azure_kv|hc_vault|pgp): \[\]\n/gm, "");
      expect(metadataYaml(r.metadata, 2)).toBe(expected);
    },
  );

  it("JSON, dotenv and INI metadata", async () => {
    const json = await encryptBytes(Buffer.from('{"a": "b"}'), "json", { recipients: [recipient], now });
    if (!json.ok) throw new Error(json.error);
    expect(json.bytes.toString()).toMatch(
      new RegExp(
        `^\\{\n\t"a": "${enc}",\n\t"sops": \\{\n\t\t"age": \\[\n\t\t\t\\{\n\t\t\t\t"recipient": "${recipient}",\n\t\t\t\t"enc": "-----BEGIN AGE ENCRYPTED FILE-----\\\\n[^"]+-----END AGE ENCRYPTED FILE-----\\\\n"\n\t\t\t\\}\n\t\t\\],\n\t\t"lastmodified": "2024-01-02T03:04:05Z",\n\t\t"mac": "${enc}",\n\t\t"unencrypted_suffix": "_unencrypted",\n\t\t"version": "3.10.2"\n\t\\}\n\\}\n$`,
      ),
    );
    const env = await encryptBytes(Buffer.from("A=b\n"), "dotenv", { recipients: [recipient], now });
    if (!env.ok) throw new Error(env.error);
    expect(
      env.bytes
        .toString()
        .split("\n")
        .map((l) => l.split("=")[0]),
    ).toEqual([
      "A",
      "sops_age__list_0__map_enc",
      "sops_age__list_0__map_recipient",
      "sops_lastmodified",
      "sops_mac",
      "sops_unencrypted_suffix",
      "sops_version",
      "",
    ]);
    const ini = await encryptBytes(Buffer.from("[s]\na = b\n"), "ini", { recipients: [recipient], now });
    if (!ini.ok) throw new Error(ini.error);
    expect(ini.bytes.toString()).toMatch(
      /\n\n\[sops\]\nage__list_0__map_enc {7}= -----BEGIN AGE ENCRYPTED FILE-----\\n/,
    );
    expect(ini.bytes.toString()).toContain("\nversion                    = 3.10.2\n");
  });
});

describe("hostile input", () => {
  const enc = async (t: string, f: Format = "yaml") => {
    const r = await encryptBytes(Buffer.from(t), f, { recipients: [recipient] });
    if (!r.ok) throw new Error(r.error);
    return r.bytes;
  };
  const open = (b: Buffer, f: Format = "yaml", ids = [identity]) => openBytes(b, f, { identities: ids });

  it("refuses to encrypt twice, or an empty file", async () => {
    const once = await enc("a: b\n");
    expect(await encryptBytes(once, "yaml", { recipients: [recipient] })).toMatchObject({
      code: "already-encrypted",
    });
    expect(
      await encryptBytes(await enc("A=1\n", "dotenv"), "dotenv", { recipients: [recipient] }),
    ).toMatchObject({
      code: "already-encrypted",
    });
    expect(await encryptBytes(Buffer.alloc(0), "yaml", { recipients: [recipient] })).toMatchObject({
      code: "empty",
    });
    // Keys sops reads as non-strings, and duplicate keys, are refused: sops could not open the result.
    for (const t of ["1: x\n", "a:\n    true: x\n", "a: 1\na: 2\n"])
      expect(await encryptBytes(Buffer.from(t), "yaml", { recipients: [recipient] })).toMatchObject({
        code: "bad-document",
      });
    expect(await encryptBytes(Buffer.from('"1": x\n'), "yaml", { recipients: [recipient] })).toMatchObject({
      ok: true,
    });
  });

  it("reports truncated files, wrong types, a missing MAC, a wrong key and huge files", async () => {
    const good = await enc("a: secret\nb: 2\n");
    const text = good.toString();
    for (const cut of [10, text.indexOf("sops:") + 30, text.length - 40]) {
      const r = await open(Buffer.from(text.slice(0, cut)));
      expect(r.ok).toBe(false);
    }
    const wrongType = text.replace(/^b: ENC\[[^\n]*/m, "b: 2");
    expect(await open(Buffer.from(wrongType))).toMatchObject({ code: "bad-value" });
    const noMac = text.replace(/^ {4}mac: ENC\[[^\n]*\n/m, "");
    expect(await open(Buffer.from(noMac))).toMatchObject({ code: "no-mac" });
    const other = parseAgeIdentities(
      "AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM\n",
    ).identities;
    expect(await open(good, "yaml", other)).toMatchObject({ code: "no-matching-identity" });
    expect(await open(Buffer.alloc(17 * 1024 * 1024, 0x61))).toMatchObject({ code: "too-large" });
    const huge = Buffer.from(`a: ${"x".repeat(13 * 1024 * 1024)}\n`);
    expect(await encryptBytes(huge, "yaml", { recipients: [recipient] })).toMatchObject({
      code: "too-large",
    });
    const deep = Buffer.from(`a: ${"[".repeat(20000)}${"]".repeat(20000)}\n`);
    expect(await encryptBytes(deep, "yaml", { recipients: [recipient] })).toMatchObject({
      code: "bad-document",
    });
    const moved = text.replace(/^a: (ENC\[[^\n]*)\nb: (ENC\[[^\n]*)/m, "a: $2\nb: $1");
    expect(await open(Buffer.from(moved))).toMatchObject({ code: "auth-failed" });
  });
});

describe("an independent decryptor (npm sops-age) opens what homeops writes", () => {
  const cases: [Format, "yaml" | "json" | "env", string, unknown][] = [
    [
      "yaml",
      "yaml",
      "# c\napiVersion: v1\nkind: Secret\nstringData:\n  pw: hunter2\n  n: 3\n  ok: true\n  list:\n    - a\n    - b\n",
      { apiVersion: "v1", kind: "Secret", stringData: { pw: "hunter2", n: 3, ok: true, list: ["a", "b"] } },
    ],
    ["json", "json", '{"a": "x", "o": {"f": 1.5, "b": false}}', { a: "x", o: { f: 1.5, b: false } }],
    ["dotenv", "env", "A=1\nB=two\n", { A: "1", B: "two" }],
  ];
  for (const [format, fileType, text, expected] of cases) {
    it(format, async () => {
      const enc = await encryptBytes(Buffer.from(text), format, { recipients: [recipient] });
      if (!enc.ok) throw new Error(enc.error);
      const out = await sopsAgeDecrypt(enc.bytes.toString("utf8"), { secretKey: identity, fileType });
      expect(out).toEqual(expected);
    });
  }
});

describe.skipIf(!which("age"))("interop with the age CLI", () => {
  it("age -d unwraps the data key homeops wrapped; a key age -e wrapped opens in homeops", async () => {
    const enc = await encryptBytes(Buffer.from("a: hello\n"), "yaml", { recipients: [recipient] });
    if (!enc.ok) throw new Error(enc.error);
    const r = readEncrypted(enc.bytes, "yaml");
    if (!r.ok) throw new Error(r.error);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-age-"));
    try {
      fs.writeFileSync(path.join(dir, "enc"), r.metadata.age[0]?.enc ?? "");
      const out = execArgv("age", [
        "-d",
        "-i",
        path.join(testdata, "age.txt"),
        "-o",
        path.join(dir, "key"),
        path.join(dir, "enc"),
      ]);
      expect(out.stderr).toBe("");
      const key = fs.readFileSync(path.join(dir, "key"));
      expect(key).toHaveLength(32);
      const o = openWithKey(enc.bytes, "yaml", r.body, r.metadata, key, {});
      expect(o.ok && o.opened.plaintext.toString()).toBe("a: hello\n");
      // The other way: the data key wrapped by the age CLI (as Go sops does) opens in homeops.
      const wrapped = execArgv("age", [
        "-e",
        "-a",
        "-r",
        recipient,
        "-o",
        path.join(dir, "enc2"),
        path.join(dir, "key"),
      ]);
      expect(wrapped.stderr).toBe("");
      const armored = fs.readFileSync(path.join(dir, "enc2"), "utf8");
      const ours = r.metadata.age[0]?.enc as string;
      const indent = " ".repeat(12);
      const swapped = enc.bytes
        .toString()
        .replace(
          ours.trimEnd().split("\n").join(`\n${indent}`),
          armored.trimEnd().split("\n").join(`\n${indent}`),
        );
      expect(swapped).not.toBe(enc.bytes.toString());
      const again = await openBytes(Buffer.from(swapped), "yaml", { identities: [identity] });
      expect(again.ok && again.opened.plaintext.toString()).toBe("a: hello\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
if (!which("age")) console.log("skipping age CLI interop: `age` is not on PATH");

const vectors = path.resolve(here, "../../../shared/sops-vectors/sops");
const gpg = which("gpg");
if (!gpg || !fs.existsSync(vectors))
  console.log("skipping PGP vectors: gpg or ../shared/sops-vectors is absent");

describe.skipIf(!gpg || !fs.existsSync(vectors))(
  "sops' own PGP vectors (data key unwrapped with gpg)",
  () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-gpg-"));
    const env = { ...process.env, GNUPGHOME: home };
    execArgv("gpg", ["--batch", "--import", path.join(vectors, "pgp/sops_functional_tests_key.asc")], {
      env,
    });
    const files: [string, Format][] = [
      ["example.yaml", "yaml"],
      ["example.json", "json"],
      ["example.ini", "ini"],
      ["example.txt", "binary"],
      ["functional-tests/res/format.enc.yaml", "yaml"],
      ["functional-tests/res/format.enc.json", "json"],
      ["functional-tests/res/format.enc.env", "dotenv"],
      ["functional-tests/res/format.enc.ini", "ini"],
      ["functional-tests/res/format-2.enc.ini", "ini"],
      ["functional-tests/res/comments.enc.yaml", "yaml"],
      ["functional-tests/res/multiple_keys.yaml", "yaml"],
    ];
    for (const [file, format] of files) {
      it(`${file}: MAC verified`, () => {
        const bytes = fs.readFileSync(path.join(vectors, file));
        const r = readEncrypted(bytes, format);
        if (!r.ok) throw new Error(r.error);
        const pgp = (r.metadata.others.pgp ?? []) as { enc?: string }[];
        const dk = unwrapBinary(pgp, env);
        expect(dk).toHaveLength(32);
        const o = openWithKey(bytes, format, r.body, r.metadata, dk as Buffer, {});
        if (!o.ok) throw new Error(`${o.code}: ${o.error}`);
        expect(o.opened.plaintext.length).toBeGreaterThan(0);
      });
    }
  },
);

/** gpg's stdout as bytes (execArgv decodes UTF-8, which a random key does not survive). */
function unwrapBinary(pgp: { enc?: string }[], env: NodeJS.ProcessEnv): Buffer | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-pgp-"));
  try {
    for (const p of pgp) {
      const out = path.join(dir, "key");
      fs.writeFileSync(path.join(dir, "enc"), p.enc ?? "");
      const d = execArgv(
        "gpg",
        ["--batch", "--quiet", "--yes", "-o", out, "--decrypt", path.join(dir, "enc")],
        { env },
      );
      if (d.status === 0) return fs.readFileSync(out);
    }
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("homeops build decrypts as Flux does", () => {
  const repo = path.join(testdata, "flux-repo");
  const golden = (name: string, text: string) => {
    const file = path.join(testdata, "golden", name);
    if (process.env.UPDATE_GOLDENS || !fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    expect(text).toBe(fs.readFileSync(file, "utf8"));
  };

  it("Secrets, a secretGenerator over an encrypted dotenv file, and an encrypted substituteFrom Secret", async () => {
    const decryption = await prepareFluxDecryption(repo, [identity]);
    const shown = renderRepository(repo, { decryption, showSecrets: true });
    expect([...shown.diagnostics, ...decryption.fileDiagnostics]).toEqual([]);
    const text = renderYaml(shown);
    expect(text).toContain("url: https://app.example.org");
    expect(text).toContain("password: correct-horse-battery-staple");
    expect(text).toContain(`API_TOKEN: ${Buffer.from("tok-123").toString("base64")}`);
    expect(text).toContain(
      `config.json: ${Buffer.from('{\n\t"token": "json-secret",\n\t"port": 8080\n}\n').toString("base64")}`,
    );
    golden("flux-repo.decrypted.yaml", text);
    const masked = renderYaml(renderRepository(repo, { decryption }));
    expect(masked).not.toContain("correct-horse");
    golden("flux-repo.masked.yaml", masked);
  });

  it("without a key: one info per encrypted file, values left as written and masked", async () => {
    const decryption = await prepareFluxDecryption(repo, []);
    const r = renderRepository(repo, { decryption });
    const ds = [...r.diagnostics, ...decryption.fileDiagnostics].filter((d) => d.code.startsWith("SOPS"));
    expect(ds.map((d) => `${d.severity} ${d.code} ${d.file}`).sort()).toEqual([
      "info SOPS031 apps/app.sops.env",
      "info SOPS031 apps/config.sops.json",
      "info SOPS031 apps/secret.sops.yaml",
      "info SOPS031 clusters/main/cluster-secrets.sops.yaml",
    ]);
    expect(renderYaml(r)).not.toContain("correct-horse");
  });

  const corpus = path.resolve(here, "../../../shared/corpus/carldanley__home-ops");
  it.skipIf(!fs.existsSync(corpus))(
    "one diagnostic per encrypted file of a repository whose key we lack",
    async () => {
      const decryption = await prepareFluxDecryption(corpus, [identity]);
      const r = renderRepository(corpus, { decryption });
      const sops = [...r.diagnostics, ...decryption.fileDiagnostics].filter((d) => d.code.startsWith("SOPS"));
      const files = sops.map((d) => d.file);
      expect(new Set(files).size).toBe(files.length);
      expect(sops.every((d) => d.code === "SOPS030" && d.line === undefined)).toBe(true);
      expect(files.length).toBe(23);
    },
  );
});

describe("edit", () => {
  it("leaves no plaintext on disk when killed mid-way", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homeops-kill-"));
    const tmp = path.join(dir, "tmp");
    fs.mkdirSync(tmp);
    try {
      const enc = await encryptBytes(Buffer.from("a: plaintext-marker\n"), "yaml", {
        recipients: [recipient],
      });
      if (!enc.ok) throw new Error(enc.error);
      const file = path.join(dir, "s.yaml");
      fs.writeFileSync(file, enc.bytes);
      const editor = path.join(dir, "editor.sh");
      fs.writeFileSync(editor, "#!/bin/sh\nsleep 30\n", { mode: 0o755 });
      const child = spawn(
        // node itself with tsx as a loader, so the signal reaches the process that owns the temporary file.
        process.execPath,
        [
          "--import",
          "tsx",
          path.resolve(here, "../cli/main.ts"),
          "secrets",
          "edit",
          file,
          "--age-key-file",
          path.join(testdata, "age.txt"),
        ],
        { env: { ...process.env, EDITOR: editor, TMPDIR: tmp }, stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      child.stderr?.on("data", (b: Buffer) => {
        stderr += b.toString();
      });
      let exited = false;
      child.on("exit", () => {
        exited = true;
      });
      // tsx keeps its own IPC pipe in TMPDIR; the edit directory is ours.
      const edits = () => fs.readdirSync(tmp).filter((n) => n.startsWith("homeops-edit-"));
      const seen = await waitFor(
        () => exited || edits().some((d) => fs.readdirSync(path.join(tmp, d)).length > 0),
        60_000,
      );
      expect(exited ? `edit exited early: ${stderr}` : seen).toBe(true);
      const inside = edits().flatMap((d) => fs.readdirSync(path.join(tmp, d)));
      expect(inside).toEqual(["s.yaml"]);
      // Ctrl-C belongs to the editor while it runs; SIGTERM ends the edit and removes the plaintext.
      child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 500));
      expect(exited).toBe(false);
      expect(edits()).toHaveLength(1);
      child.kill("SIGTERM");
      await waitFor(() => exited, 30_000);
      expect(edits()).toEqual([]);
      expect(fs.readFileSync(file).equals(enc.bytes)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
