#!/usr/bin/env bash
# Starts ZooKeeper, Redis, Kafka and HDFS on 127.0.0.1, installing what is missing. Idempotent:
# services already up are left alone. State, logs and pids live in $SQUALL_STATE_DIR (.state/).
SERVICE=infra
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/all.sh
source "$INFRA_DIR/lib/all.sh"

say "bringing up ${SERVICES[*]} (state and logs in $SQUALL_STATE_DIR)"
if run_all up; then
  say "all services up. Check them with: bash infra/status.sh"
else
  say "some services failed to start; their log tails are above (logs in $SQUALL_STATE_DIR/<service>/logs/)"
  exit 1
fi
