#!/usr/bin/env node
/** `warrenctl`: operate a Warren broker from a terminal or a script (packages/cli/README.md). */
import { run } from '../program.js';

process.exitCode = await run(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }, process.env);
