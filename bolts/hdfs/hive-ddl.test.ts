import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AvroContainerFormat } from './avro-container-format.js';
import { hiveTableDdl, repeatedPartitionColumns } from './hive-ddl.js';
import { NdjsonFormat } from './ndjson-format.js';
import { HourlyPartitioner } from './partitioner.js';
import { compileSinkOptions } from './sink-options.js';
import { sinkContext } from './sink-test-kit.js';

const schemaWith = (...names: string[]) => ({ type: 'record', name: 'Event', fields: [{ name: 'dt', type: 'string' }, ...names.map((name) => ({ name, type: 'int' }))] });
const avroOf = (...names: string[]) => new AvroContainerFormat({ schema: schemaWith(...names) as never });
const partitioner = new HourlyPartitioner();

describe('Hive DDL: partition columns are only partition columns', () => {
  it('finds the data columns that repeat a partition column, as Hive compares names (without case)', () => {
    assert.deepEqual(repeatedPartitionColumns(avroOf('year', 'Hour', 'minute'), partitioner), ['year', 'Hour']);
    assert.deepEqual(repeatedPartitionColumns(avroOf('minute'), partitioner), []);
    assert.deepEqual(repeatedPartitionColumns(new NdjsonFormat(), partitioner), [], 'NDJSON declares no columns');
  });

  it('writes the schema literal without the partition columns, and PARTITIONED BY with them', () => {
    const ddl = hiveTableDdl({ table: 'events', location: '/data/events', format: avroOf('minute'), partitioner })!;
    assert.match(ddl, /^CREATE EXTERNAL TABLE IF NOT EXISTS `events`\nPARTITIONED BY \(`year` int, `month` int, `day` int, `hour` int\)\nSTORED AS AVRO\nLOCATION '\/data\/events'\n/);
    const literal = JSON.parse(/'avro\.schema\.literal'='(.*)'\);\n$/.exec(ddl)![1]!) as { fields: { name: string }[] };
    assert.deepEqual(literal.fields.map((f) => f.name), ['dt', 'minute']);
  });

  it('a sink whose records repeat a partition column is refused before it writes, naming the fields', () => {
    const options = { fileSystem: undefined as never, root: '/data/events', format: avroOf('year', 'month', 'day', 'hour'), availability: false as const };
    assert.throws(() => compileSinkOptions({ ...options, hive: { table: 'events' } }, sinkContext()), /year, month, day, hour.*partition columns of the Hive table 'events'.*hive: false/);
    assert.doesNotThrow(() => compileSinkOptions({ ...options, hive: false }, sinkContext()), 'without a Hive table the fields are just fields');
  });
});
