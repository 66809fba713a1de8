/**
 * Regenerates src/kustomize/testdata/cases/<case>/expected.yaml with `kubectl kustomize` (the oracle), and
 * expected-diagnostics.json for cases kubectl rejects, from homeops' own diagnostics (review the diff!).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execArgv, which } from "../src/core/exec.ts";
import { RepoFs } from "../src/core/repo-fs.ts";
import { KustomizeEngine } from "../src/kustomize/build.ts";

if (!which("kubectl")) {
  console.error("kubectl is required to regenerate goldens");
  process.exit(2);
}
const casesDir = path.resolve(import.meta.dirname, "..", "src", "kustomize", "testdata", "cases");
const engine = new KustomizeEngine(new RepoFs(casesDir));
for (const name of fs.readdirSync(casesDir).sort()) {
  if (name === "shared") continue;
  const dir = path.join(casesDir, name);
  const target = fs.existsSync(path.join(dir, "app")) ? path.join(dir, "app") : dir;
  const r = execArgv("kubectl", ["kustomize", target]);
  fs.rmSync(path.join(dir, "expected.yaml"), { force: true });
  fs.rmSync(path.join(dir, "expected-diagnostics.json"), { force: true });
  if (r.status === 0) {
    fs.writeFileSync(path.join(dir, "expected.yaml"), r.stdout);
    console.log(`${name}: expected.yaml`);
  } else {
    const diags = engine
      .build(target)
      .diagnostics.filter((d) => d.severity === "error")
      .map((d) => ({ code: d.code, file: d.file, line: d.line, column: d.column }));
    fs.writeFileSync(path.join(dir, "expected-diagnostics.json"), `${JSON.stringify(diags, null, 2)}\n`);
    console.log(
      `${name}: kubectl failed; homeops reports ${diags.map((d) => d.code).join(", ") || "nothing (!)"}`,
    );
  }
}
