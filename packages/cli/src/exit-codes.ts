/** warrenctl's exit codes: stable, documented in the package README, for scripts to branch on. */
export const EXIT = {
  /** Done as asked. */
  ok: 0,
  /** The broker answered with an error (its `{error, reason}` is printed). */
  brokerError: 1,
  /** Bad command line or input file: nothing was sent. */
  usage: 2,
  /** The broker could not be reached (refused, unknown host, timed out). */
  unreachable: 3,
  /** The broker answered 404: the queue, exchange, policy, job… does not exist. */
  notFound: 4,
  /** Done, but not as hoped: a mandatory publish no queue took, a followed redrive that failed or was stopped. */
  incomplete: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command with a given exit code and message. */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}
