import type { Command } from "commander";

export function registerKustomize(program: Command, setCode: (c: number) => void): void {
  const k = program
    .command("kustomize")
    .description("kustomize, natively: the engine Flux builds every directory with");
  k.command("build")
    .argument("<dir>", "directory holding a kustomization file")
    .option("--load-restrictor <mode>", "rootOnly or none (Flux uses none)", "rootOnly")
    .option("--reorder <mode>", "legacy or none", "legacy")
    .option("-o, --output <format>", "yaml or json", "yaml")
    .action(() => {
      process.stderr.write("homeops kustomize build: engine not wired yet\n");
      setCode(2);
    });
}
