#!/usr/bin/env bash
# Stops the services infra/up.sh started (through their pid files; nothing else is touched).
# Data stays in $SQUALL_STATE_DIR; remove that directory to start from scratch.
SERVICE=infra
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/all.sh
source "$INFRA_DIR/lib/all.sh"

run_all down
