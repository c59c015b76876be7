/** What `nimbus` exit codes mean. Scripts can rely on these. */
export const ExitCode = Object.freeze({
  /** The command did what it was asked. */
  OK: 0,
  /** The topology or the command failed while running. */
  FAILURE: 1,
  /** The command line or a config value is wrong; `--help` says how to use it. */
  USAGE: 2,
  /** The topology file has a syntax, type or validation error. */
  TOPOLOGY_INVALID: 3,
  /** Shutdown reached its deadline with tuples still in flight (they will be replayed). */
  FORCED_SHUTDOWN: 4,
  /** Nimbus could not be reached at the address tried. */
  NIMBUS_UNREACHABLE: 5,
  /** Nimbus refused the token (missing or wrong). */
  UNAUTHORIZED: 6,
  /** Nimbus refused the request: a name taken, no free slots, a bad value. */
  REFUSED: 7,
  /** No topology by that name runs. */
  NOT_FOUND: 8,
  /** Interrupted twice, or during start-up: stopped at once without draining. */
  ABORTED: 130,
});
