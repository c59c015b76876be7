/**
 * The entry point of the sink's encoder threads (a Piscina worker module): one task is one batch.
 * See {@link encodeBatch}.
 */
import { type BatchResult, type BatchTask, encodeBatch } from './batch-encoder.js';

export default function encode(task: BatchTask): BatchResult {
  return encodeBatch(task);
}
