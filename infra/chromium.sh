#!/usr/bin/env bash
# Debian's Chromium, for the web UI's browser test (playwright-core drives it; it downloads no
# browser of its own). Installed with apt as root; without root, its .deb and those of the
# libraries it lacks are downloaded with `apt-get download` and unpacked under
# $SQUALL_STATE_DIR/chromium. Nothing is started.
# Usage: bash infra/chromium.sh up|status   (`up` installs when missing; a second run is a check)
# The browser's path is printed as the last line of `up` and `status`.
SERVICE=chromium
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

DIR="$SQUALL_STATE_DIR/chromium"
LOCAL_BIN="$DIR/root/usr/bin/chromium"

browser() {
  local b
  for b in "${SQUALL_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser "$LOCAL_BIN"; do
    [[ -n "$b" && -x "$b" ]] && "$b" --headless --no-sandbox --version >/dev/null 2>&1 && { echo "$b"; return 0; }
  done
  return 1
}

install_unprivileged() {
  mkdir -p "$DIR/debs" "$DIR/root"
  say "no root: downloading chromium and its libraries with apt-get download into $DIR"
  (cd "$DIR/debs" && apt-get download chromium chromium-common $(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances chromium | grep '^\w' | sort -u | while read -r p; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"; done)) >"$DIR/download.log" 2>&1 ||
    fail_with_log "apt-get download failed" "$DIR/download.log"
  for deb in "$DIR"/debs/*.deb; do dpkg -x "$deb" "$DIR/root"; done
  # Debian's /usr/bin/chromium is a wrapper script that points at /usr/lib/chromium.
  sed -i "s#/usr/lib/chromium#$DIR/root/usr/lib/chromium#g" "$LOCAL_BIN"
}

svc_up() {
  local b
  if b="$(browser)"; then
    say "chromium already installed: $("$b" --headless --no-sandbox --version 2>/dev/null)"
    ALREADY_UP=1
    echo "$b"
    return 0
  fi
  if [[ $(id -u) -eq 0 ]] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
    ensure_packages chromium fonts-liberation
  else
    install_unprivileged
  fi
  b="$(browser)" || die "chromium was installed but does not start headless (try: chromium --headless --no-sandbox --version)"
  say "installed: $("$b" --headless --no-sandbox --version 2>/dev/null)"
  echo "$b"
}

svc_status() {
  local b
  if b="$(browser)"; then
    say "chromium installed"
    echo "$b"
  else
    say "chromium is not installed (run: bash infra/chromium.sh up)"
    exit 3
  fi
}

svc_down() {
  say "nothing runs: the browser test starts chromium itself"
}

run_verb "$@"
