/** @warren/cli: warrenctl, usable in-process (tests, scripts) as run(argv, io). */
export { run, program, DEFAULT_URL } from './program.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export type { Io } from './output.js';
