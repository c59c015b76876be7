/** Error codes of the Kafka spout and producer, beside core's `ErrorCodes`. */

/** Stable codes for errors the Kafka connector raises or reports. */
export const KafkaErrorCodes = Object.freeze({
  /** The brokers could not be reached or the group could not be joined at open. Retriable. */
  CONNECT: 'SQUALL_ERR_KAFKA_CONNECT',
  /** kafkajs's consumer crashed; `retriable` says whether kafkajs restarts it. */
  CONSUMER_CRASH: 'SQUALL_ERR_KAFKA_CONSUMER_CRASH',
  /** A record value could not be decoded. The record goes to the `errors` stream. */
  DECODE: 'SQUALL_ERR_KAFKA_DECODE',
  /** The `startOffsets` hook failed or returned something that is not an offset. */
  START_OFFSETS: 'SQUALL_ERR_KAFKA_START_OFFSETS',
  /** An offset commit failed; the next commit retries it. */
  COMMIT: 'SQUALL_ERR_KAFKA_COMMIT',
  /**
   * The group refused a commit because this member is not in its current generation (it was
   * away past its session timeout, or the group rebalanced without it): its partitions may be
   * another member's. The spout releases its leases and waits to be assigned partitions again.
   */
  STALE_MEMBER: 'SQUALL_ERR_KAFKA_STALE_MEMBER',
  /** The group is rebalancing; a commit waits for the new assignment. */
  REBALANCING: 'SQUALL_ERR_KAFKA_REBALANCING',
  /** The producer helper could not write a batch. */
  PRODUCE: 'SQUALL_ERR_KAFKA_PRODUCE',
} as const);

export type KafkaErrorCode = (typeof KafkaErrorCodes)[keyof typeof KafkaErrorCodes];
