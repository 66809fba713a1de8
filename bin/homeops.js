#!/usr/bin/env -S node --max-semi-space-size=8
import { main } from "../dist/cli/main.mjs";

process.exitCode = await main(process.argv.slice(2));
