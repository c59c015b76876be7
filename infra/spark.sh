#!/usr/bin/env bash
# Spark SQL with Hive support, for the tests that read our output with a real engine: pyspark from
# PyPI in a virtualenv under $SQUALL_STATE_DIR/spark/venv. Nothing is started: Spark runs in local
# mode inside the test's own process, with an embedded (Derby) metastore.
# Usage: bash infra/spark.sh up|status|reset   (`up` installs when missing; a second run is a check)
#
# pyspark's wheel carries Spark's jars, Hive 2.3's AvroSerDe included, so `STORED AS AVRO` tables
# need nothing from Maven. Java comes from Debian's openjdk-17 when the machine has none.
SERVICE=spark
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SQUALL_PYSPARK_VERSION="${SQUALL_PYSPARK_VERSION:-3.5.8}"
DIR="$SQUALL_STATE_DIR/spark"
VENV="$DIR/venv"
LOG="$DIR/logs/install.log"
# Written last, once pyspark imports: its presence (with the same version) means installed.
STAMP="$DIR/installed-pyspark"

installed() {
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$SQUALL_PYSPARK_VERSION" && -x "$VENV/bin/python" ]] &&
    "$VENV/bin/python" -c 'import pyspark' >/dev/null 2>&1
}

find_python() {
  local py
  for py in "${SQUALL_PYTHON:-}" python3 python; do
    [[ -n "$py" ]] && command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null &&
      { command -v "$py"; return 0; }
  done
  return 1
}

make_venv() {
  local py
  py="$(find_python)" || die "no Python 3.8 or newer found (looked for \$SQUALL_PYTHON, python3, python): install python3 and python3-venv"
  if ! "$py" -m venv --help >/dev/null 2>&1 || ! "$py" -c 'import ensurepip' >/dev/null 2>&1; then
    ensure_packages python3-venv
  fi
  say "creating the virtualenv $VENV with $("$py" --version 2>&1)"
  rm -rf "$VENV"
  "$py" -m venv "$VENV" >>"$LOG" 2>&1 || fail_with_log "could not create a virtualenv with $py -m venv" "$LOG"
}

svc_up() {
  ensure_java
  if installed; then
    say "pyspark $SQUALL_PYSPARK_VERSION already installed in $VENV; nothing to do"
    ALREADY_UP=1
    return 0
  fi
  mkdir -p "$DIR/logs"
  : >"$LOG"
  rm -f "$STAMP"
  [[ -x "$VENV/bin/python" ]] || make_venv
  "$VENV/bin/python" -m pip --version >>"$LOG" 2>&1 ||
    fail_with_log "pip does not run in $VENV (remove it with 'bash infra/spark.sh reset' and try again)" "$LOG"
  local start
  start=$(date +%s)
  say "installing pyspark==$SQUALL_PYSPARK_VERSION from PyPI into $VENV (about 320 MB, first time only; log: $LOG)"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off "pyspark==$SQUALL_PYSPARK_VERSION" >>"$LOG" 2>&1 &
  local pip_pid=$!
  pip_note() { echo "still installing pyspark: $(tail -n 1 "$LOG" | cut -c1-120)"; }
  follow_progress "$pip_pid" "$start" pip_note
  if ! wait "$pip_pid"; then
    fail_with_log "pip could not install pyspark==$SQUALL_PYSPARK_VERSION: is PyPI reachable (or a pip index configured)?" "$LOG"
  fi
  "$VENV/bin/python" -c 'import pyspark; print("pyspark", pyspark.__version__)' >>"$LOG" 2>&1 ||
    fail_with_log "pyspark installed but does not import" "$LOG"
  echo "$SQUALL_PYSPARK_VERSION" >"$STAMP"
  say "installed pyspark $SQUALL_PYSPARK_VERSION in $(elapsed_since "$start"); python: $VENV/bin/python"
}

svc_status() {
  if installed; then
    say "pyspark $SQUALL_PYSPARK_VERSION installed; python: $VENV/bin/python"
  else
    say "pyspark $SQUALL_PYSPARK_VERSION is not installed (run: bash infra/spark.sh up)"
    exit 3
  fi
}

svc_down() {
  say "nothing runs: Spark runs in local mode inside the tests"
}

run_verb "$@"
