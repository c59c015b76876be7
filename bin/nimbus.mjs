#!/usr/bin/env node
// The `nimbus` command. Squall runs from its TypeScript sources: tsx compiles them (and the
// user's topology files) on load, so there is no build step between editing and running.
import { register } from 'tsx/esm/api';

register();
// Piped into head or less that quit: stop quietly, as Unix tools do.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../nimbus/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// A connector that forgot to close a socket must not keep a finished command alive.
setTimeout(() => process.exit(), 2000).unref();
