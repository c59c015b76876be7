/**
 * The process's signal handling, installed once at the top of the CLI. The first SIGINT or
 * SIGTERM asks for a graceful stop; a second one exits at once.
 */
import { ExitCode } from './exit-codes.js';

const listeners: (() => void)[] = [];
let installed = false;
let interrupted = false;

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const handle = () => {
    if (interrupted) {
      process.stderr.write('\ninterrupted again: stopping now without draining\n');
      process.exit(ExitCode.ABORTED);
    }
    interrupted = true;
    for (const listener of listeners.splice(0)) listener();
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/** Calls `listener` on the first interrupt. */
export function onInterrupt(listener: () => void): void {
  if (interrupted) listener();
  else listeners.push(listener);
}
