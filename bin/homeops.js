#!/usr/bin/env -S node --max-semi-space-size=128 --min-semi-space-size=128
import { runCli } from "../dist/cli/main.mjs";

await runCli(process.argv.slice(2));
