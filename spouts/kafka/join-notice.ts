/**
 * Says what a consumer waits for when joining its group takes long. A spout restarted after a
 * kill -9 waits for the killed member's session to expire before Kafka hands out its partitions
 * again: up to `sessionTimeoutMs`, with no record meanwhile. Said once, so the wait is not a
 * silent hang.
 */
import type { Logger } from '../../core/index.js';

/** How long a join may take before it is said: a new group's first join alone takes about 3 s (the broker's initial rebalance delay). */
export const JOIN_NOTICE_MS = 5_000;

/** Starts the notice; clear the returned timer once the group is joined (or the start failed). */
export function joinNotice(logger: Logger, groupId: string, sessionTimeoutMs: number, afterMs = JOIN_NOTICE_MS): NodeJS.Timeout {
  const timer = setTimeout(() => {
    logger.info(
      `joining consumer group '${groupId}' takes a while: Kafka assigns partitions once every member it knows has rejoined, and a member of an earlier run that was killed counts until its session expires (sessionTimeoutMs ${sessionTimeoutMs} ms after its last heartbeat); records follow then`,
      { groupId, sessionTimeoutMs },
    );
  }, afterMs);
  timer.unref();
  return timer;
}
