import type { InfraSettings } from '../settings.js';
import { probeSuffix, withDeadline } from './deadline.js';
import { httpRequest, redirectLocation } from './http.js';

/**
 * Creates a file through WebHDFS (following the NameNode's redirect to the DataNode, as clients
 * do), reads it back the same way, and deletes it.
 */
export async function probeWebhdfs(settings: InfraSettings, timeoutMs = 30_000): Promise<string> {
  const path = `/tmp/squall-status-${probeSuffix()}`;
  const url = (op: string, extra = '') => `${settings.hdfs.webhdfsUrl}${path}?op=${op}&user.name=squall${extra}`;
  const payload = Buffer.from(`squall status probe ${path}\n`);
  const started = Date.now();
  let created = false;
  try {
    await withDeadline(
      (async () => {
        const create = await httpRequest(url('CREATE', '&overwrite=true'), { method: 'PUT' });
        const written = await httpRequest(redirectLocation(create, 'CREATE on the NameNode'), { method: 'PUT', body: payload });
        if (written.status !== 201) throw new Error(`CREATE on the DataNode answered ${written.status} ${written.body.toString().slice(0, 300)}`);
        created = true;
        const open = await httpRequest(url('OPEN'));
        const read = await httpRequest(redirectLocation(open, 'OPEN on the NameNode'));
        if (read.status !== 200 || !read.body.equals(payload)) {
          throw new Error(`OPEN read ${read.status} ${JSON.stringify(read.body.toString().slice(0, 100))}, expected the bytes written`);
        }
      })(),
      timeoutMs,
      `WebHDFS on ${settings.hdfs.webhdfsUrl}`,
    );
  } finally {
    if (created) await httpRequest(url('DELETE'), { method: 'DELETE' }).catch(() => undefined);
  }
  return `created, read and deleted ${payload.length} bytes in ${Date.now() - started} ms (${settings.hdfs.webhdfsUrl})`;
}
