/**
 * qtopology's side of the ConstSpout → IdBolt → NullBolt shape, in its local (in-process)
 * topology: a spout emitting one constant message, a bolt passing it on, a bolt dropping it.
 * qtopology has no acker: a spout's next message waits for the callbacks of the whole chain
 * (its "done"), the nearest thing it has to acking. Times `--tuples` messages after a
 * warm-up of a fifth as many; prints one JSON line {"tuples","wallMs","cpuMs"}.
 *
 *   node bench/peers/qtopology/run.cjs [--tuples 200000] [--profile default|tuned]
 *
 * `tuned` passes messages by reference (`pass_binary_messages`) instead of a JSON copy per hop.
 */
/* global __filename, performance */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script for qtopology's module loader */
'use strict';
const { parseArgs } = require('node:util');
const qtopology = require('qtopology');

const { values: args } = parseArgs({ options: { tuples: { type: 'string', default: '200000' }, profile: { type: 'string', default: 'default' } } });
const N = Number(args.tuples);
const WARMUP = Math.max(1000, Math.floor(N / 5));
let emitted = 0;
let dropped = 0;
let cpu0;
let t0 = 0;

class ConstSpout {
  init(_name, _config, _context, callback) { callback(); }
  heartbeat() {}
  shutdown(callback) { callback(); }
  run() {}
  pause() {}
  next(callback) {
    if (emitted >= WARMUP + N) return callback(null, null, null);
    emitted++;
    callback(null, { str: 'some data' }, null);
  }
}

class IdBolt {
  init(_name, _config, context, callback) { this.onEmit = _config.onEmit; callback(); }
  heartbeat() {}
  shutdown(callback) { callback(); }
  receive(data, streamId, callback) { this.onEmit(data, streamId, callback); }
}

class NullBolt {
  init(_name, _config, _context, callback) { callback(); }
  heartbeat() {}
  shutdown(callback) { callback(); }
  receive(_data, _streamId, callback) {
    dropped++;
    if (dropped === WARMUP) {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    } else if (dropped === WARMUP + N) {
      const wallMs = performance.now() - t0;
      const used = process.cpuUsage(cpu0);
      console.log(JSON.stringify({ tuples: N, wallMs, cpuMs: (used.user + used.system) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
      process.exit(0);
    }
    callback();
  }
}

module.exports = { ConstSpout, IdBolt, NullBolt };

if (require.main === module) {
  const node = (name, cmd) => ({ name, type: 'module_class', working_dir: __filename, cmd, init: {} });
  const config = {
    general: { heartbeat: 1000, pass_binary_messages: args.profile === 'tuned' },
    spouts: [node('spout', 'ConstSpout')],
    bolts: [
      { ...node('id', 'IdBolt'), inputs: [{ source: 'spout' }] },
      { ...node('null', 'NullBolt'), inputs: [{ source: 'id' }] },
    ],
    variables: {},
  };
  const topology = new qtopology.TopologyLocal((e) => {
    console.error(`qtopology failed: ${e && e.message}`);
    process.exit(1);
  });
  topology.init('const-id-null', config, (err) => {
    if (err) throw err;
    topology.run((e) => { if (e) throw e; });
  });
}
