/**
 * Where the loopback services of infra/ listen: the one place that reads their environment
 * variables on the TypeScript side. The bash scripts (infra/lib/common.sh) read the same names
 * with the same defaults.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The four services infra/ runs. */
export type ServiceName = 'zookeeper' | 'redis' | 'kafka' | 'hdfs';

/** Every service, in the order the scripts and status report them. */
export const SERVICE_NAMES: readonly ServiceName[] = Object.freeze(['zookeeper', 'redis', 'kafka', 'hdfs']);

/** Connection settings of the loopback services. */
export interface InfraSettings {
  /** Absolute path of the state dir (data, logs, pid files). */
  readonly stateDir: string;
  /** Absolute path of the repository root (where infra/ lives). */
  readonly repoDir: string;
  readonly zookeeper: {
    readonly host: string;
    readonly port: number;
    /** `host:port`, as node-zookeeper-client takes it. */
    readonly connectionString: string;
  };
  readonly redis: { readonly host: string; readonly port: number; readonly url: string };
  readonly kafka: {
    readonly host: string;
    readonly port: number;
    readonly controllerPort: number;
    /** `['127.0.0.1:9092']`, as kafkajs takes it. */
    readonly brokers: readonly string[];
  };
  readonly hdfs: {
    readonly host: string;
    readonly namenodePort: number;
    readonly webhdfsPort: number;
    readonly datanodePort: number;
    readonly datanodeHttpPort: number;
    readonly datanodeIpcPort: number;
    /** `hdfs://127.0.0.1:8020` */
    readonly defaultFs: string;
    /** `http://127.0.0.1:9870/webhdfs/v1`: append an absolute HDFS path. */
    readonly webhdfsUrl: string;
  };
}

/** Environment variable names and their defaults. */
export const INFRA_ENV = Object.freeze({
  stateDir: 'SQUALL_STATE_DIR',
  /** @default 2181 */
  zookeeperPort: 'SQUALL_ZK_PORT',
  /** @default 6379 */
  redisPort: 'SQUALL_REDIS_PORT',
  /** @default 9092 */
  kafkaPort: 'SQUALL_KAFKA_PORT',
  /** @default the Kafka port + 1 */
  kafkaControllerPort: 'SQUALL_KAFKA_CONTROLLER_PORT',
  /** @default 8020 */
  namenodePort: 'SQUALL_HDFS_NAMENODE_PORT',
  /** @default 9870 */
  webhdfsPort: 'SQUALL_WEBHDFS_PORT',
  /** @default 9866 */
  datanodePort: 'SQUALL_HDFS_DATANODE_PORT',
  /** @default 9864 */
  datanodeHttpPort: 'SQUALL_HDFS_DATANODE_HTTP_PORT',
  /** @default 9867 */
  datanodeIpcPort: 'SQUALL_HDFS_DATANODE_IPC_PORT',
});

const LOOPBACK = '127.0.0.1';

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not a TCP port: set it to an integer from 1 to 65535`);
  }
  return value;
}

/** Reads the settings from `env` (default `process.env`), filling in the defaults. */
export function loadInfraSettings(env: NodeJS.ProcessEnv = process.env): InfraSettings {
  const repoDir = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const stateDir = resolve(repoDir, env[INFRA_ENV.stateDir] || '.state');
  const zkPort = port(env, INFRA_ENV.zookeeperPort, 2181);
  const redisPort = port(env, INFRA_ENV.redisPort, 6379);
  const kafkaPort = port(env, INFRA_ENV.kafkaPort, 9092);
  const namenodePort = port(env, INFRA_ENV.namenodePort, 8020);
  const webhdfsPort = port(env, INFRA_ENV.webhdfsPort, 9870);
  return Object.freeze({
    stateDir,
    repoDir,
    zookeeper: Object.freeze({ host: LOOPBACK, port: zkPort, connectionString: `${LOOPBACK}:${zkPort}` }),
    redis: Object.freeze({ host: LOOPBACK, port: redisPort, url: `redis://${LOOPBACK}:${redisPort}` }),
    kafka: Object.freeze({
      host: LOOPBACK,
      port: kafkaPort,
      controllerPort: port(env, INFRA_ENV.kafkaControllerPort, kafkaPort + 1),
      brokers: Object.freeze([`${LOOPBACK}:${kafkaPort}`]),
    }),
    hdfs: Object.freeze({
      host: LOOPBACK,
      namenodePort,
      webhdfsPort,
      datanodePort: port(env, INFRA_ENV.datanodePort, 9866),
      datanodeHttpPort: port(env, INFRA_ENV.datanodeHttpPort, 9864),
      datanodeIpcPort: port(env, INFRA_ENV.datanodeIpcPort, 9867),
      defaultFs: `hdfs://${LOOPBACK}:${namenodePort}`,
      webhdfsUrl: `http://${LOOPBACK}:${webhdfsPort}/webhdfs/v1`,
    }),
  });
}

/** Where a service's log files are, for messages that point a user at them. */
export function serviceLogDir(settings: InfraSettings, service: ServiceName): string {
  return resolve(settings.stateDir, service, 'logs');
}
