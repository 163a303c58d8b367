#!/usr/bin/env node
/** The `agent-exec` command. */
import { runCli } from "./run.js";

process.exitCode = await runCli({ argv: process.argv.slice(2) });
