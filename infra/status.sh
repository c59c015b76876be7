#!/usr/bin/env bash
# Proves each service works with a real round trip (infra/status.ts): Kafka produce and consume,
# a WebHDFS create, read and delete, a ZooKeeper create and delete, a Redis SET with a TTL.
# One line per service; exits non-zero if any fails.
SERVICE=infra
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

cd "$REPO_DIR"
if [[ ! -d node_modules/tsx || ! -d node_modules/kafkajs ]]; then
  die "node_modules is missing kafkajs or tsx: run 'npm ci' first"
fi
exec node --import tsx infra/status.ts "$@"
