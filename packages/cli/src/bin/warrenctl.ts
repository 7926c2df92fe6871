#!/usr/bin/env node
/** `warrenctl`: operate a Warren broker from a terminal or a script (packages/cli/README.md). */
import { text } from 'node:stream/consumers';
import { run } from '../program.js';

const io = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s), readInput: () => text(process.stdin) };
process.exitCode = await run(process.argv.slice(2), io, process.env);
