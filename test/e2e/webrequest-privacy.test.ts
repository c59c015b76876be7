/**
 * The privacy test of the webrequest topology, end to end: run it as a user would (salts in the
 * real Redis), then look for every input IP, in every text form, in every output file, every
 * log line and every /metrics page. Also: no salt on disk, and salts agree across processes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import avro from 'avsc';
import { Redis } from 'ioredis';
import { avroDecoderCodecs } from '../../bolts/hdfs/index.js';
import { WebrequestGenerator } from '../../spouts/generator/index.js';
import { ensureInfra, repoTempDir, runNimbus, uniqueRedisPrefix } from '../support/index.js';

/** An IPv6 address in its full form (eight 4-digit groups, lower case), or undefined. */
function expandIPv6(text: string): string | undefined {
  if (!isIPv6(text) || text.includes('.')) return undefined;
  const [head = '', tail = ''] = text.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

/**
 * Finds input IPs in a text, whatever form they are written in: every IPv4-shaped and
 * IPv6-shaped token is read and compared, so compressed, expanded, upper-case and IPv4-mapped
 * forms all count.
 */
class IpScanner {
  readonly #v4 = new Set<string>();
  readonly #v6 = new Map<string, string>();
  constructor(ips: Iterable<string>) {
    for (const ip of ips) {
      if (isIPv4(ip)) this.#v4.add(ip);
      else if (expandIPv6(ip) !== undefined) this.#v6.set(expandIPv6(ip)!, ip);
    }
  }
  find(text: string): string[] {
    const found = new Set<string>();
    for (const m of text.matchAll(/(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g)) if (this.#v4.has(m[0])) found.add(m[0]);
    for (const m of text.matchAll(/[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}/gi)) {
      const full = expandIPv6(m[0]);
      if (full !== undefined && this.#v6.has(full)) found.add(this.#v6.get(full)!);
    }
    return [...found];
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** A file's text: decoded records for an Avro container, else its bytes as latin1. */
async function textOf(path: string): Promise<string> {
  const raw = readFileSync(path);
  if (!path.endsWith('.avro')) return raw.toString('latin1');
  const records: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    avro.createFileDecoder(path, { codecs: avroDecoderCodecs() }).on('data', (r: unknown) => records.push(r)).on('end', resolve).on('error', reject);
  });
  return `${raw.toString('latin1')}\n${JSON.stringify(records)}`;
}

let redis: Redis;
let redisUrl: string;
let redisDataDir: string;
let work: string;

before(async () => {
  const infra = await ensureInfra();
  redisUrl = `${infra.redis.host}:${infra.redis.port}`;
  redisDataDir = join(infra.stateDir, 'redis');
  redis = new Redis({ host: infra.redis.host, port: infra.redis.port, maxRetriesPerRequest: 2 });
  work = repoTempDir('privacy');
});

after(async () => {
  await redis?.quit();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('no input IP reaches an output file, a log line or /metrics, and no salt reaches disk', { timeout: 180_000 }, async () => {
  const generator = new WebrequestGenerator({ seed: 99, malformedShare: 0.05, ipv6Share: 0.4 });
  const lines: string[] = [];
  const ips = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const { line } = generator.next();
    lines.push(line);
    for (const m of line.matchAll(/"(?:ip|x_forwarded_for)":"([^"]*)"/g)) for (const ip of m[1]!.split(/,\s*/)) if (isIPv4(ip) || isIPv6(ip)) ips.add(ip);
  }
  const input = join(work, 'input.ndjson');
  writeFileSync(input, `${lines.join('\n')}\n`);
  // The scanner can fail: it finds the addresses in the input, malformed lines included.
  assert.ok(ips.size > 10_000, `expected many distinct IPs, got ${ips.size}`);
  assert.ok([...ips].some((ip) => isIPv6(ip)) && [...ips].some((ip) => isIPv4(ip)));
  const scanner = new IpScanner(ips);
  assert.equal(scanner.find(lines.join('\n')).length, ips.size, 'the scanner finds every input IP in the input');
  const sample = [...ips].find((ip) => isIPv6(ip))!;
  assert.deepEqual(scanner.find(`x ${expandIPv6(sample)!.toUpperCase()} y`), [sample], 'and in its expanded, upper-case form');
  const malformedWithIp = lines.filter((l) => { try { JSON.parse(l); return false; } catch { return /\d+\.\d+\.\d+\.\d+|::/.test(l); } });
  assert.ok(malformedWithIp.length > 0, 'some malformed lines hold an IP, so the error output is really tested');

  const output = join(work, 'out');
  const prefix = uniqueRedisPrefix('privacy');
  const scrapes: string[] = [];
  let metricsUrl: string | undefined;
  let scraping: Promise<void> | undefined;
  const r = await runNimbus(
    // Two refine threads: records are refined off the main thread, with salts handed over in memory.
    ['local', 'topologies/webrequest.ts', '--no-typecheck', '--log-level', 'debug', '--metrics-port', '0', '--status-interval', '0.2',
      '-c', `input=${input}`, '-c', `output=${output}`, '-c', `redis=${redisUrl}`, '-c', `saltKeyPrefix=${prefix}`, '-c', 'threads=2'],
    (text) => {
      metricsUrl ??= /metrics at (http:\/\/\S+)/.exec(text)?.[1];
      if (metricsUrl === undefined || scraping !== undefined) return;
      scraping = fetch(metricsUrl)
        .then((res) => res.text())
        .then((body) => void scrapes.push(body), () => {})
        .finally(() => (scraping = undefined));
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /source\s+spout\s+20,000\s+-\s+20,000\s+0/);
  assert.ok(scrapes.some((s) => /squall_emitted_total\{[^}]*component="refine"[^}]*\} [1-9]/.test(s)), 'a /metrics page was scraped while records flowed');

  const files = filesUnder(output);
  assert.ok(files.some((f) => f.endsWith('.avro')) && files.some((f) => f.includes('/errors/')), 'refined and error files were written');
  const leaks: string[] = [];
  for (const file of files) for (const ip of scanner.find(await textOf(file))) leaks.push(`${ip} in ${file}`);
  for (const ip of scanner.find(r.stdout + r.stderr)) leaks.push(`${ip} in the CLI's output`);
  for (const [i, page] of scrapes.entries()) for (const ip of scanner.find(page)) leaks.push(`${ip} in /metrics scrape ${i}`);
  assert.deepEqual(leaks.slice(0, 20), [], `${leaks.length} raw IPs leaked`);

  // Salts: only in Redis, which keeps nothing on disk; none in the output or Redis's state dir.
  assert.deepEqual(await redis.config('GET', 'save'), ['save', '']);
  assert.deepEqual(await redis.config('GET', 'appendonly'), ['appendonly', 'no']);
  const keys = await redis.keys(`${prefix}*`);
  assert.ok(keys.length >= 1, 'the run stored its salt in Redis');
  const salts = await Promise.all(keys.map((k) => redis.getBuffer(k)));
  for (const key of keys) assert.ok((await redis.pttl(key)) > 0, `${key} has a TTL`);
  const forms = salts.flatMap((s) => [s!.toString('latin1'), s!.toString('hex'), s!.toString('base64')]);
  for (const file of [...files, ...filesUnder(redisDataDir)]) {
    const bytes = readFileSync(file).toString('latin1');
    for (const form of forms) assert.ok(!bytes.includes(form), `a salt is on disk in ${file}`);
  }
  await redis.del(...keys);
});

test('two processes, one refining on its main thread and one in a thread, hash an IP alike within a period, and differently after rotation', { timeout: 120_000 }, async () => {
  const record = (sequence: number, dt: string, ip: string) =>
    JSON.stringify({ hostname: 'cp1001.eqiad.wmnet', sequence, dt, time_firstbyte: 0.01, ip, cache_status: 'hit', http_status: '200', response_size: 10, http_method: 'GET', uri_host: 'en.wikipedia.org', uri_path: '/wiki/Salt', uri_query: '', content_type: 'text/html', referer: '-', x_forwarded_for: '-', user_agent: 'Mozilla/5.0', accept_language: 'en', x_analytics: '', range: '-', x_cache: '-', accept: '-' });
  const input = join(work, 'rotation.ndjson');
  writeFileSync(input, [record(1, '2026-11-22T10:59:58Z', '203.0.113.7'), record(2, '2026-11-22T10:59:59Z', '2001:db8::7'), record(3, '2026-11-22T11:00:01Z', '203.0.113.7')].join('\n'));
  const prefix = uniqueRedisPrefix('rotation');
  const runOnce = async (name: string, threads: number) => {
    const output = join(work, name);
    const r = await runNimbus(['local', 'topologies/webrequest.ts', '--no-typecheck', '-q', '-c', `input=${input}`, '-c', `output=${output}`, '-c', 'format=ndjson',
      '-c', `redis=${redisUrl}`, '-c', `saltKeyPrefix=${prefix}`, '-c', 'saltRotationMs=3600000', '-c', `threads=${threads}`]);
    assert.equal(r.code, 0, r.stderr);
    const hashes = new Map<number, string>();
    for (const file of filesUnder(join(output, 'webrequest')).filter((f) => /part-[^/]*\.ndjson$/.test(f))) {
      for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
        const rec = JSON.parse(line) as { sequence: number; client_ip: string };
        hashes.set(rec.sequence, rec.client_ip);
      }
    }
    return hashes;
  };
  const [a, b] = await Promise.all([runOnce('process-a', 0), runOnce('process-b', 1)]);
  assert.equal(a.size, 3);
  assert.match(a.get(1)!, /^[0-9a-f]{64}$/);
  assert.deepEqual([...a], [...b], 'two processes hash every record alike');
  assert.notEqual(a.get(1), a.get(3), 'the same IP in the next period hashes differently');
  assert.notEqual(a.get(1), a.get(2));
  const keys = await redis.keys(`${prefix}*`);
  assert.equal(keys.length, 2, 'one salt per period');
  await redis.del(...keys);
});
