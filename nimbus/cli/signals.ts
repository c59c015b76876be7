/**
 * The process's signal handling, installed once at the top of the CLI. The first SIGINT or
 * SIGTERM asks for a graceful stop; a second one exits at once.
 *
 * A command that runs in the foreground (all but the daemons) also stops on SIGHUP (its terminal
 * closed) and when its parent process exits: `npx nimbus ...` killed with SIGKILL leaves node
 * running as an orphan, re-parented, which must not run on unattended (issue #12). The daemons
 * (`nimbus start`, `nimbus supervisor`) are meant to outlive the shell that started them.
 */
import { ExitCode } from './exit-codes.js';

/** How often a foreground command checks that its parent process is still there, in ms. */
const PARENT_CHECK_MS = 1000;

const listeners: ((why: string) => void)[] = [];
let installed = false;
let interrupted = false;

function interrupt(why: string): void {
  if (interrupted) {
    process.stderr.write(`\n${why} again: stopping now without draining\n`);
    process.exit(ExitCode.ABORTED);
  }
  interrupted = true;
  for (const listener of listeners.splice(0)) listener(why);
}

/** True while process `pid` exists (signal 0 checks without sending anything). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Calls `onGone` once when the parent process exits. (`process.ppid` is read once, at start.) */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (exists(parent)) return;
    clearInterval(timer);
    onGone();
  }, PARENT_CHECK_MS);
  // Watching never keeps a finished command alive.
  timer.unref();
}

export interface SignalOptions {
  /** Also stop on SIGHUP and when the parent process exits. @default false */
  readonly foreground?: boolean;
}

export function installSignalHandlers(options: SignalOptions = {}): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => interrupt('interrupted'));
  process.on('SIGTERM', () => interrupt('terminated (SIGTERM)'));
  if (options.foreground) {
    process.on('SIGHUP', () => interrupt('hung up (SIGHUP)'));
    watchParent(() => interrupt(`the parent process exited`));
  }
}

/** Calls `listener` on the first interrupt, with what it was. */
export function onInterrupt(listener: (why: string) => void): void {
  if (interrupted) listener('interrupted');
  else listeners.push(listener);
}
