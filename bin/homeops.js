#!/usr/bin/env -S node --max-semi-space-size=64 --min-semi-space-size=64
import { runCli } from "../dist/cli/main.mjs";

await runCli(process.argv.slice(2));
