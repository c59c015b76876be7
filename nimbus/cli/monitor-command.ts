/** `nimbus monitor <topology>`: a live view of a topology in the terminal, redrawn in place. */
import { type Observable, Subject, catchError, exhaustMap, from, map, of, takeUntil, timer } from 'rxjs';
import { type MonitorPage, renderMonitor } from '../monitor/monitor-screen.js';
import type { NimbusClient } from './cluster-client.js';
import { command } from './cluster-commands.js';
import { ExitCode } from './exit-codes.js';
import { onInterrupt } from './signals.js';

/** Each refresh: the page, or why there is none this time. */
function pages(client: NimbusClient, topology: string, everyMs: number): Observable<{ page?: MonitorPage; error?: string }> {
  return timer(0, everyMs).pipe(
    exhaustMap(() =>
      from(client.get<MonitorPage>(`/topology/${encodeURIComponent(topology)}?window=600`)).pipe(
        map((page) => ({ page })),
        catchError((error: unknown) => of({ error: (error as Error).message })),
      ),
    ),
  );
}

export const MONITOR_COMMAND = command({
  name: 'monitor',
  summary: "Watch a topology live: per component its rate, latency percentiles, capacity and failures\nwith their reasons, redrawn in place (80 columns). Works against a cluster's Nimbus and\nagainst 'nimbus local --ui' (--nimbus 127.0.0.1:<ui port>). q or Ctrl-C quits.",
  usage: 'monitor <topology> [options]',
  positionals: 1,
  mutates: false,
  options: { interval: { type: 'string' }, once: { type: 'boolean' } },
  optionsHelp: `  --interval <seconds>  Seconds between refreshes (default 1).
  --once                Print one screen and exit (for scripts).`,
  async run(client, [topology], values) {
    const interval = values.interval === undefined ? 1 : Number(values.interval);
    if (!(interval > 0)) {
      process.stderr.write(`nimbus monitor: --interval must be a positive number of seconds, got '${String(values.interval)}'\n`);
      return ExitCode.USAGE;
    }
    if (values.once) {
      const page = await client.get<MonitorPage>(`/topology/${encodeURIComponent(topology!)}?window=600`);
      process.stdout.write(`${renderMonitor(page, { frame: 1, at: new Date() }).join('\n')}\n`);
      return ExitCode.OK;
    }
    const out = process.stdout;
    const tty = out.isTTY === true;
    const quit = new Subject<void>();
    const stdin = process.stdin;
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', (key: Buffer) => {
      const k = key.toString('utf8');
      if (k === 'q' || k === 'Q' || k === '\u0003') quit.next();
    });
    onInterrupt(() => quit.next());
    // The alternate screen: the user's scrollback is as it was once the monitor quits.
    if (tty) out.write('\x1b[?1049h\x1b[?25l');
    let frame = 0;
    let last: MonitorPage | undefined;
    await new Promise<void>((resolve) => {
      pages(client, topology!, interval * 1000)
        .pipe(takeUntil(quit))
        .subscribe({
          next: ({ page, error }) => {
            if (page !== undefined) last = page;
            frame++;
            const lines = last === undefined ? [`waiting for ${topology}: ${error ?? ''}`] : renderMonitor(last, { frame, at: new Date(), ...(error === undefined ? {} : { error }) });
            out.write(tty ? `\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\n')}\x1b[J` : `${lines.join('\n')}\n\n`);
          },
          complete: resolve,
        });
    });
    if (tty) out.write('\x1b[?25h\x1b[?1049l');
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    return ExitCode.OK;
  },
});
