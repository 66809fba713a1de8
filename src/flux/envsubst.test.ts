// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the inputs are envsubst templates
import { describe, expect, it } from "vitest";
import { envsubst, envsubstSyntaxError } from "./envsubst.ts";

function run(text: string, vars: Record<string, string>, strict = false): string {
  const r = envsubst(text, vars, { strict });
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.text;
}

function fail(text: string, vars: Record<string, string> = {}, strict = false) {
  const r = envsubst(text, vars, { strict });
  if (r.ok) throw new Error(`${text}: expected an error, got ${JSON.stringify(r.text)}`);
  return r;
}

describe("envsubst: fluxcd/pkg envsubst eval_test.go expectations", () => {
  // Inputs and outputs of TestExpand (non-strict mapper: every name is "set").
  const cases: [Record<string, string>, string, string][] = [
    [{}, "abcdEFGH28ij", "abcdEFGH28ij"],
    [{ var01: "abcdEFGH28ij" }, "${#var01}", "12"],
    [{ var01: "abcdEFGH28ij" }, "${var01^}", "AbcdEFGH28ij"],
    [{ var01: "abcdEFGH28ij" }, "${var01^^}", "ABCDEFGH28IJ"],
    [{ var01: "ABCDEFGH28IJ" }, "${var01,}", "aBCDEFGH28IJ"],
    [{ var01: "ABCDEFGH28IJ" }, "${var01,,}", "abcdefgh28ij"],
    [{ path_name: "/home/bozo/ideas/thoughts.for.today" }, "${path_name:11}", "ideas/thoughts.for.today"],
    [{ path_name: "/home/bozo/ideas/thoughts.for.today" }, "${path_name:11:5}", "ideas"],
    [{ var: "abc" }, "${var=xyz}", "abc"],
    [{}, "${var=xyz}", "xyz"],
    [{ default_var: "foo" }, "something ${var=${default_var}}", "something foo"],
    [{ default_var: "foo1" }, "foo: ${var=${default_var}-suffix}", "foo: foo1-suffix"],
    [{ default_var: "foo1" }, "foo: ${var=prefix${default_var}-suffix}", "foo: prefixfoo1-suffix"],
    [{}, "${var:=xyz}", "xyz"],
    [{ stringZ: "abcABC123ABCabc" }, "${stringZ/%abc/XYZ}", "abcABC123ABCXYZ"],
    [{ stringZ: "abcABC123ABCabc" }, "${stringZ/#abc/XYZ}", "XYZABC123ABCabc"],
    [{ stringZ: "abcABC123ABCabc" }, "${stringZ//abc/xyz}", "xyzABC123ABCxyz"],
    [{ stringZ: "abcABC123ABCabc" }, "${stringZ/abc/xyz}", "xyzABC123ABCabc"],
    [{ filename: "bash.string.txt" }, "${filename#*.}", "string.txt"],
    [{ filename: "path/to/file" }, "${filename#*/}", "to/file"],
    [{ filename: "/path/to/file" }, "${filename#*/}", "path/to/file"],
    [{ filename: "bash.string.txt" }, "${filename##*.}", "txt"],
    [{ filename: "path/to/file" }, "${filename##*/}", "file"],
    [{ filename: "/path/to/file" }, "${filename##*/}", "file"],
    [{ filename: "bash.string.txt" }, "${filename%.*}", "bash.string"],
    [{ filename: "bash.string.txt" }, "${filename%%.*}", "bash"],
    [{ var01: "abcdEFGH28ij" }, "${var=${var01^^}}", "ABCDEFGH28IJ"],
    [{ var01: "abcdEFGH28ij" }, "$${var01}", "${var01}"],
    [
      { var01: "abcdEFGH28ij" },
      "some text ${var01}$${var$${var01}$var01${var01}",
      "some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij",
    ],
    [{ default_var: "foo" }, "something $${var=${default_var}}", "something ${var=foo}"],
    [{ stringZ: "foo/bar" }, "${stringZ/\\//-}", "foo-bar"],
    [{ stringZ: "foo/bar/baz" }, "${stringZ//\\//-}", "foo-bar-baz"],
    [{ default_var: "foo" }, "\\\\something ${var=${default_var}}", "\\\\something foo"],
    [{ stringZ: "foo.bar" }, "${stringZ/./}", "foobar"],
  ];
  it.each(cases)("%j %s", (vars, input, output) => {
    expect(run(input, vars)).toBe(output);
  });

  // TestExpandStrict: transformations of a missing variable fail, default operators do not.
  it.each([
    "${missing}",
    "${#missing}",
    "${missing^}",
    "${missing^^}",
    "${missing,}",
    "${missing,,}",
    "${missing:0}",
    "${missing:0:10}",
    "${missing/pattern/replacement}",
    "${missing//pattern/replacement}",
    "${missing/#pattern/replacement}",
    "${missing/%pattern/replacement}",
    "${missing#pattern}",
    "${missing##pattern}",
    "${missing%pattern}",
    "${missing%%pattern}",
  ])("strict refuses %s", (input) => {
    const r = fail(input, { foo: "bar" }, true);
    expect(r).toMatchObject({ kind: "unset", variable: "missing", offset: 0 });
    expect(r.error).toBe('variable not set (strict mode): "missing"');
  });

  it.each([
    ["${foo}", "bar"],
    ["${empty}", ""],
    ["${missing:=default}", "default"],
    ["${missing:-fallback}", "fallback"],
    ["${missing:=assigned}", "assigned"],
    ["${missing=assigned}", "assigned"],
    ["${missing:+x}", "x"],
    ["${missing:?x}", "x"],
  ])("strict accepts %s", (input, output) => {
    expect(run(input, { foo: "bar", empty: "" }, true)).toBe(output);
  });
});

describe("envsubst: dialect details", () => {
  const vars = { A: "hello", E: "", U: "héllo", N: "3", NEG: "-3", P: "a/b/c.tar.gz", S: "x/y" };
  const table: [string, string][] = [
    // Only `${` starts an expression; `$VAR` and a lone `$` are text.
    ["$A", "$A"],
    ["a $ b", "a $ b"],
    ["$", "$"],
    ["cost: 5$", "cost: 5$"],
    ["$(date)", "$(date)"],
    ["$1 ${A}", "$1 hello"],
    // `$$` is an escape anywhere in plain text.
    ["$$", "$"],
    ["$$$", "$$"],
    ["$$$$", "$$"],
    ["$$A", "$A"],
    ["$${A}", "${A}"],
    ["$$${A}", "$hello"],
    ["$$$${A}", "$${A}"],
    // `:=`, `=`, `:-`, `:+`, `:?` all default on empty; set-but-empty counts as empty.
    ["${E:-d}", "d"],
    ["${E=d}", "d"],
    ["${A:+other}", "hello"],
    ["${A:?msg}", "hello"],
    ["${X:-}", ""],
    ["${X:-a b:c}", "a b:c"],
    ["${X:-$A}", "$A"],
    ["${X:-$$}", "$$"],
    ["${X:-a\\/b}", "a\\/b"],
    ["${X:-${Y:-${A}}}", "hello"],
    ["${X:-pre-${A}-${N}-post}", "pre-hello-3-post"],
    ["${X:=x}${X}", "x"], // no assignment side effect
    ["${A:-x}}", "hello}"],
    ["${X==x}", "=x"],
    ["${X:==x}", "=x"],
    // Length and substrings count UTF-8 bytes.
    ["${#U}", "6"],
    ["${#E}", "0"],
    ["${A:0}", "hello"],
    ["${A:10}", ""],
    ["${A:1:100}", "ello"],
    ["${A:5:1}", ""],
    ["${A:0:0}", ""],
    ["${A:${N}}", "lo"],
    ["${A:${NEG}}", "llo"],
    ["${A:-10}", "hello"], // a default, not a negative offset
    ["${A:x}", "hello"], // offset that does not parse: unchanged
    ["${A:1:x}", "hello"],
    ["${A:1::2}", "el"], // any run of ':' separates
    ["${A:1:2:3}", "hello"], // "2:3" is not a number
    ["${A: 1}", "hello"],
    ["${A:+1}", "hello"],
    // Case.
    ["${U^^}", "HÉLLO"],
    ["${U^}", "Héllo"],
    ["${A,^}", "hello"], // mixed operators fall back to the value
    ["${A^,}", "hello"],
    // Globs: `*` crosses '/', `?`, classes, escapes; suffix forms reverse the pattern.
    ["${P#*/}", "b/c.tar.gz"],
    ["${P##*/}", "c.tar.gz"],
    ["${P%/*}", "a/b"],
    ["${P%%/*}", "a"],
    ["${P#?/}", "b/c.tar.gz"],
    ["${P#[a-b]/}", "b/c.tar.gz"],
    ["${P#[!a]}", "/b/c.tar.gz"], // no `!` negation: the class holds "!" and "a"
    ["${P#[^a]}", "a/b/c.tar.gz"],
    ["${P%.[a-z][a-z]}", "a/b/c.tar.gz"], // reversed pattern "]z-a[]z-a[." is malformed
    ["${P#zzz}", "a/b/c.tar.gz"],
    ["${P#\\a}", "/b/c.tar.gz"],
    ["${P%%.*}", "a/b/c"],
    // Replacement is literal, not a glob; escapes `\/` and `\\` and `$$` inside its params.
    ["${A/l/L}", "heLlo"],
    ["${A//l/L}", "heLLo"],
    ["${A//l/}", "heo"],
    ["${A/*/x}", "hello"],
    ["${S/\\//-}", "x-y"],
    ["${S/x\\/y/z}", "z"],
    ["${A/#h/H}", "Hello"],
    ["${A/#e/E}", "hello"],
    ["${A/%o/O}", "hellO"],
    ["${A/#h/}", "hello"], // prefix/suffix forms need two args
    ["${A/l//L}", "heLlo"], // a run of '/' separates
    ["${A/}/x}", "hello"],
    ["${A/${E}/x}", "xhello"], // an empty pattern matches before the first rune
    ["${A//${E}/-}", "-h-e-l-l-o-"],
    ["${A/$$/x}", "hello"],
    ["${A/l/$${X}}", "he${Xlo}"], // the param ends at the first `}`
    ["${A/l/${N}}", "he3lo"],
    // Identifiers: letters of any script, digits anywhere.
    ["${1}", ""],
    ["${ünï}", ""],
    // Unclosed text and stray braces are fine outside expressions.
    ["}text{", "}text{"],
    ["http://github.com", "http://github.com"],
    ["\\\\.\\pipe\\pipename", "\\\\.\\pipe\\pipename"],
    ["{{ .Release.Name }}", "{{ .Release.Name }}"],
    ["${A}{{ .password }}${N}", "hello{{ .password }}3"],
  ];
  it.each(table)("%s → %s", (input, output) => {
    expect(run(input, vars)).toBe(output);
  });

  it("drops text after a NUL byte, as Go's scanner reads rune 0 as the end", () => {
    expect(run("a${A}\0b${A}", vars)).toBe("ahello");
  });

  it("evaluates default arguments first: strict fails on an unset nested var even when not needed", () => {
    expect(fail("${A:-${Z}}", vars, true)).toMatchObject({ variable: "Z", offset: 5 });
    expect(run("${A:-${Z}}", vars, false)).toBe("hello");
  });

  it("reports references and whether they were set", () => {
    const r = envsubst("x: ${A}\ny: ${Z:-d}\nz: ${Q}", vars, { strict: false });
    expect(r.ok && r.refs).toEqual([
      { name: "A", op: "", set: true, offset: 3 },
      { name: "Z", op: ":-", set: false, offset: 11 },
      { name: "Q", op: "", set: false, offset: 22 },
    ]);
  });

  it("offsets count characters of the input", () => {
    expect(fail("é ${Q}", {}, true).offset).toBe(2);
  });

  it("flags byte slicing that cuts a multi-byte character", () => {
    const r = envsubst("${U:1:1}", vars, { strict: false });
    expect(r.ok && r.invalidUtf8).toBe(true);
    const ok = envsubst("${U:1:2}", vars, { strict: false });
    expect(ok.ok && ok.text).toBe("é");
    expect(ok.ok && ok.invalidUtf8).toBe(false);
  });

  it("a negative substring length panics in Go (recovered by controller-runtime)", () => {
    expect(fail("${A:2:-1}", vars)).toMatchObject({
      kind: "panic",
      error: "panic: runtime error: slice bounds out of range [2:1]",
    });
    expect(fail("${A:0:-1}", vars).error).toBe(
      "panic: runtime error: slice bounds out of range [:-1] with length 5",
    );
  });

  it("accepts a Map of variables", () => {
    expect(run("${A}", Object.fromEntries(new Map([["A", "m"]])))).toBe("m");
    const r = envsubst("${A}", new Map([["A", "m"]]), { strict: true });
    expect(r.ok && r.text).toBe("m");
  });
});

describe("envsubst: syntax errors (whole template is refused)", () => {
  const errors: [string, string][] = [
    ["${", "unable to parse variable name"],
    ["${}", "unable to parse variable name"],
    ["${ A}", "unable to parse variable name"],
    ["${-x}", "unable to parse variable name"],
    ["${A", "missing closing brace"],
    ["${A B}", "missing closing brace"],
    ["${A.B}", "missing closing brace"],
    ["${arr[@]}", "missing closing brace"],
    ["${A-default}", "missing closing brace"],
    ["${A+x}", "missing closing brace"],
    ["${A?x}", "missing closing brace"],
    ["${A:-x", "unable to parse substitution within function"],
    ["${A:}", "unable to parse substitution within function"],
    ["${A::2}", "unable to parse substitution within function"],
    ["${A:1:}", "unable to parse substitution within function"],
    ["${A:1", "bad substitution"],
    ["${A:1${N}}", "bad substitution"],
    ["${A:é}", "bad substitution"], // Go unreads by the peeked rune's width
    ["${A#}", "unable to parse substitution within function"],
    ["${A#}}", "unable to parse substitution within function"],
    ["${A##}", "unable to parse substitution within function"],
    ["${A#x${N}}", "bad substitution"],
    ["${A/x}", "bad substitution"],
    ["${A//x}", "bad substitution"],
    ["${A///}", "unable to parse substitution within function"],
    ["${A/x${N}/y}", "bad substitution"],
    ["${A/x/y${N}}", "bad substitution"],
    ["${A^^^}", "bad substitution"],
    ["${#}", "bad substitution"],
    ["${##A}", "bad substitution"],
    ["${#A:-x}", "bad substitution"],
    ["ok ${A} then ${B", "missing closing brace"],
  ];
  it.each(errors)("%s → %s", (input, error) => {
    const r = fail(input, { A: "a", N: "1" });
    expect(r.kind).toBe("syntax");
    expect(r.error).toBe(error);
    expect(envsubstSyntaxError(input)?.error).toBe(error);
  });

  it("a syntax error wins over strict mode", () => {
    expect(fail("${MISSING} ${A", {}, true).error).toBe("missing closing brace");
  });

  it("reports where parsing stopped", () => {
    expect(fail("line1\nx: ${A B}").offset).toBe(13);
  });

  it("deep nesting is an error, not a crash", () => {
    const deep = `${"${A:-".repeat(20000)}x${"}".repeat(20000)}`;
    const r = envsubst(deep, {}, { strict: false });
    expect(r.ok || r.kind === "syntax" || r.kind === "depth").toBe(true);
  });
});
