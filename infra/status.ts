/**
 * `bash infra/status.sh` (or `node --import tsx infra/status.ts [service...]`): proves each
 * loopback service works with a real round trip, prints one line per service, and exits 1 if
 * any failed.
 */
import { probeKafka } from './probes/kafka-probe.js';
import { probeRedis } from './probes/redis-probe.js';
import { probeWebhdfs } from './probes/webhdfs-probe.js';
import { probeZookeeper } from './probes/zookeeper-probe.js';
import { SERVICE_NAMES, loadInfraSettings, serviceLogDir, type InfraSettings, type ServiceName } from './settings.js';

const PROBES: Record<ServiceName, (settings: InfraSettings) => Promise<string>> = {
  zookeeper: probeZookeeper,
  redis: probeRedis,
  kafka: probeKafka,
  hdfs: probeWebhdfs,
};

function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(errorText).join('; ');
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

async function main(): Promise<number> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !SERVICE_NAMES.includes(name as ServiceName));
  if (unknown.length > 0) {
    console.error(`unknown service ${unknown.join(', ')}: choose from ${SERVICE_NAMES.join(', ')}`);
    return 2;
  }
  const services = asked.length > 0 ? (asked as ServiceName[]) : [...SERVICE_NAMES];
  const settings = loadInfraSettings();
  const results = await Promise.all(
    services.map(async (service) => {
      try {
        return { service, ok: true, text: await PROBES[service](settings) };
      } catch (error) {
        return { service, ok: false, text: `${errorText(error)} (logs: ${serviceLogDir(settings, service)}/)` };
      }
    }),
  );
  for (const { service, ok, text } of results) {
    console.log(`${service.padEnd(10)} ${ok ? 'healthy' : 'FAILED '}  ${text}`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

process.exitCode = await main();
