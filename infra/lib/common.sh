# Shared helpers for the infra/ scripts. Sourced, never run.
# Every service keeps its config, data, logs and pid files under "$SQUALL_STATE_DIR/<service>/".
# Processes are started detached (setsid) with every descriptor redirected, so they outlive the
# script that started them, and they are stopped only through the pid files written here.

set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$INFRA_DIR/.." && pwd)"
SQUALL_STATE_DIR="${SQUALL_STATE_DIR:-$REPO_DIR/.state}"
mkdir -p "$SQUALL_STATE_DIR/locks"
SQUALL_STATE_DIR="$(cd "$SQUALL_STATE_DIR" && pwd)"
export SQUALL_STATE_DIR

# Ports, one place for the bash side (infra/settings.ts mirrors these names and defaults).
SQUALL_ZK_PORT="${SQUALL_ZK_PORT:-2181}"
SQUALL_REDIS_PORT="${SQUALL_REDIS_PORT:-6379}"
SQUALL_KAFKA_PORT="${SQUALL_KAFKA_PORT:-9092}"
SQUALL_KAFKA_CONTROLLER_PORT="${SQUALL_KAFKA_CONTROLLER_PORT:-$((SQUALL_KAFKA_PORT + 1))}"
SQUALL_HDFS_NAMENODE_PORT="${SQUALL_HDFS_NAMENODE_PORT:-8020}"
SQUALL_WEBHDFS_PORT="${SQUALL_WEBHDFS_PORT:-9870}"
SQUALL_HDFS_DATANODE_PORT="${SQUALL_HDFS_DATANODE_PORT:-9866}"
SQUALL_HDFS_DATANODE_HTTP_PORT="${SQUALL_HDFS_DATANODE_HTTP_PORT:-9864}"
SQUALL_HDFS_DATANODE_IPC_PORT="${SQUALL_HDFS_DATANODE_IPC_PORT:-9867}"

# Debian packages per service (infra/lib/all.sh installs them in one batch under up.sh).
ZOOKEEPER_PACKAGES="zookeeper libnetty-java libslf4j-java liblog4j1.2-java"
REDIS_PACKAGES="redis-server redis-tools"

# How long a service may take to become ready after its process started.
SQUALL_INFRA_READY_TIMEOUT="${SQUALL_INFRA_READY_TIMEOUT:-180}"

export DEBIAN_FRONTEND=noninteractive

SERVICE="${SERVICE:-infra}"

# Every line names its service, so the output of parallel runs (infra/up.sh) stays readable.
ts() { date +%H:%M:%S; }
say() { printf '%s [%s] %s\n' "$(ts)" "$SERVICE" "$*"; }
warn() { printf '%s [%s] WARNING: %s\n' "$(ts)" "$SERVICE" "$*" >&2; }
die() { printf '%s [%s] ERROR: %s\n' "$(ts)" "$SERVICE" "$*" >&2; exit 1; }

elapsed_since() { echo "$(($(date +%s) - $1))s"; }

# --- locking -------------------------------------------------------------------------------------
# One lock per service so that two `up`/`down` runs at once (two test runs, say) do not race. The
# lock lives on fd 9, which spawn() closes in every daemon so the lock dies with this script.
take_service_lock() {
  exec 9>"$SQUALL_STATE_DIR/locks/$SERVICE.lock"
  if ! flock -n 9; then
    say "another infra/$SERVICE.sh is running; waiting for it (up to 15 min)"
    flock -w 900 9 || die "timed out waiting for the lock $SQUALL_STATE_DIR/locks/$SERVICE.lock"
  fi
}

# --- processes -----------------------------------------------------------------------------------
pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# A pid is ours when it is alive and its working directory is inside the state dir: every process
# spawn() starts runs with its cwd there. This survives pid reuse and redis rewriting its title.
pid_is_ours() {
  local pid="${1:-}" cwd
  pid_alive "$pid" || return 1
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || return 1
  [[ "$cwd" == "$SQUALL_STATE_DIR"/* ]]
}

read_pid() { [[ -f "$1" ]] && tr -dc '0-9' <"$1" || true; }

# spawn PIDFILE LOGFILE CWD CMD...: start CMD detached in its own session, stdin from /dev/null,
# stdout+stderr appended to LOGFILE, and record its pid.
spawn() {
  local pidfile="$1" logfile="$2" cwd="$3"
  shift 3
  mkdir -p "$(dirname "$logfile")" "$(dirname "$pidfile")" "$cwd"
  rm -f "$pidfile"
  # The command line, with long arguments (classpaths) cut short so the log stays readable.
  local arg shown=()
  for arg in "$@"; do
    if ((${#arg} > 160)); then shown+=("${arg:0:80}...(${#arg} chars)"); else shown+=("$arg"); fi
  done
  printf '\n===== %s starting: %s\n' "$(date -Is)" "${shown[*]}" >>"$logfile"
  (cd "$cwd" && exec setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' spawn "$pidfile" "$@" \
    </dev/null >>"$logfile" 2>&1 9>&- &)
  local deadline=$((SECONDS + 10))
  while [[ ! -s "$pidfile" ]]; do
    ((SECONDS < deadline)) || die "the process did not record its pid in $pidfile"
    sleep 0.1
  done
}

# stop_pidfile PIDFILE NAME: TERM the recorded process if it is ours, KILL it after a deadline.
stop_pidfile() {
  local pidfile="$1" name="$2" pid
  pid="$(read_pid "$pidfile")"
  if [[ -z "$pid" ]]; then
    say "$name is not running (no pid file)"
    return 0
  fi
  if ! pid_is_ours "$pid"; then
    say "$name is not running (stale pid file for pid $pid removed)"
    rm -f "$pidfile"
    return 0
  fi
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + ${SQUALL_INFRA_STOP_TIMEOUT:-30}))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "$name (pid $pid) did not stop within ${SQUALL_INFRA_STOP_TIMEOUT:-30}s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
}

# --- ports ---------------------------------------------------------------------------------------
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Who listens on a port, as far as we can tell without root-only tools.
port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -1
}

# require_free_port PORT VARNAME: fail with a message naming the variable to set.
require_free_port() {
  local port="$1" var="$2" owner
  if port_open "$port"; then
    owner="$(port_owner "$port")"
    die "port $port on 127.0.0.1 is already in use by a process that infra/ did not start${owner:+ ($owner)}. Stop it, or set $var to a free port (and use the same value when running tests)."
  fi
}

# --- readiness -----------------------------------------------------------------------------------
# wait_until DESCRIPTION PIDFILE LOGFILE CHECK...: poll CHECK until it succeeds, the process dies,
# or SQUALL_INFRA_READY_TIMEOUT passes. On failure print the log tail and exit non-zero.
wait_until() {
  local what="$1" pidfile="$2" logfile="$3"
  shift 3
  local start=$SECONDS deadline=$((SECONDS + SQUALL_INFRA_READY_TIMEOUT)) next_note=$((SECONDS + 15))
  while ! "$@" >/dev/null 2>&1; do
    if ! pid_alive "$(read_pid "$pidfile")"; then
      fail_with_log "the process exited before $what" "$logfile"
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "timed out after ${SQUALL_INFRA_READY_TIMEOUT}s waiting for $what (set SQUALL_INFRA_READY_TIMEOUT to wait longer)" "$logfile"
    fi
    if ((SECONDS >= next_note)); then
      say "still waiting for $what ($((SECONDS - start))s)"
      next_note=$((SECONDS + 15))
    fi
    sleep 0.5
  done
}

fail_with_log() {
  local msg="$1" logfile="$2"
  printf '%s [%s] ERROR: %s\n' "$(ts)" "$SERVICE" "$msg" >&2
  if [[ -f "$logfile" ]]; then
    printf '%s [%s] last 40 lines of %s:\n' "$(ts)" "$SERVICE" "$logfile" >&2
    # Long lines (classpaths) are cut; the full text stays in the log file.
    tail -n 40 "$logfile" | cut -c1-400 | sed "s/^/[$SERVICE] | /" >&2
  fi
  exit 1
}

# --- installing ----------------------------------------------------------------------------------
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root to run: $* (install it by hand, or run as root)"
  fi
}

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# ensure_packages PKG...: install the Debian packages that are missing, running `apt-get update`
# first (only then). Serialized through a lock so parallel service scripts take turns. Package
# maintainer scripts must not start system services (redis-server would take port 6379), so a
# policy-rc.d that forbids it is put in place for the install when the machine has none.
#
# Under infra/up.sh, SQUALL_APT_BATCH names the packages of every service: the first script to need
# any installs them all in one go, which saves a second `apt-get update` and dpkg run.
ensure_packages() {
  local missing=() p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  local extra
  for extra in ${SQUALL_APT_BATCH:-}; do
    [[ " ${missing[*]} " == *" $extra "* ]] || pkg_installed "$extra" || missing+=("$extra")
  done
  local start
  start=$(date +%s)
  say "installing Debian packages: ${missing[*]} (log: $SQUALL_STATE_DIR/apt.log)"
  as_root flock -w 900 "$SQUALL_STATE_DIR/locks/apt.lock" bash -c '
    set -euo pipefail
    log="$1"; shift
    missing=()
    for p in "$@"; do dpkg-query -W -f="\${Status}" "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
    ((${#missing[@]} == 0)) && exit 0
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then
      printf "#!/bin/sh\n# temporary, from squall infra/: no service starts during this install\nexit 101\n" >"$policy"
      chmod +x "$policy"
      trap "rm -f $policy" EXIT
    fi
    apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    apt-get "${apt_opts[@]}" update >>"$log" 2>&1
    apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1
  ' ensure_packages "$SQUALL_STATE_DIR/apt.log" "${missing[@]}" ||
    fail_with_log "could not install ${missing[*]}" "$SQUALL_STATE_DIR/apt.log"
  say "installed ${missing[*]} in $(elapsed_since "$start")"
}

ensure_java() {
  command -v java >/dev/null 2>&1 || ensure_packages openjdk-17-jre-headless
}

ensure_maven() {
  command -v mvn >/dev/null 2>&1 || ensure_packages maven
}

# resolve_classpath POM OUTFILE LOGFILE LABEL: have Maven resolve POM's runtime classpath into
# OUTFILE (artifacts cached in ~/.m2, or $SQUALL_MAVEN_REPO). Skipped when OUTFILE is newer than POM and every jar on it
# is still there. Serialized through a lock: parallel Maven runs on one ~/.m2 can trip each other.
resolve_classpath() {
  local pom="$1" out="$2" log="$3" label="$4"
  if [[ -s "$out" && "$out" -nt "$pom" ]] && classpath_complete "$out"; then
    return 0
  fi
  ensure_java
  ensure_maven
  mkdir -p "$(dirname "$out")" "$(dirname "$log")"
  local start
  start=$(date +%s)
  say "resolving the $label classpath with Maven (first time only; log: $log)"
  : >"$log"
  local mvn_cmd=(mvn -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$out.tmp" -Dmdep.includeScope=runtime)
  # SQUALL_MAVEN_REPO moves the artifact cache away from ~/.m2 (a CI cache directory, say).
  [[ -z "${SQUALL_MAVEN_REPO:-}" ]] || mvn_cmd+=(-Dmaven.repo.local="$SQUALL_MAVEN_REPO")
  # -o first: when ~/.m2 already has everything this needs no network at all.
  (
    flock -w 900 9 || exit 1
    "${mvn_cmd[@]}" -o >>"$log" 2>&1 || "${mvn_cmd[@]}" >>"$log" 2>&1
  ) 9>"$SQUALL_STATE_DIR/locks/maven.lock" &
  local mvn_pid=$!
  maven_note() { echo "still resolving $label: $(grep -c 'Downloaded from' "$log" 2>/dev/null || true) files downloaded so far"; }
  follow_progress "$mvn_pid" "$start" maven_note
  wait "$mvn_pid" || fail_with_log "Maven could not resolve the $label classpath" "$log"
  mv "$out.tmp" "$out"
  say "resolved $label: $(tr ':' '\n' <"$out" | grep -c .) jars in $(elapsed_since "$start")"
}

# follow_progress PID START NOTE...: wait while PID runs, saying what NOTE prints (and the time
# since START, in epoch seconds) every 15 s. The caller then `wait`s for PID's exit status.
follow_progress() {
  local pid="$1" start="$2" next_note=$((SECONDS + 15))
  shift 2
  while pid_alive "$pid"; do
    sleep 0.5
    if ((SECONDS >= next_note)); then
      say "$("$@") ($(elapsed_since "$start"))"
      next_note=$((SECONDS + 15))
    fi
  done
}

classpath_complete() {
  local jar
  while IFS= read -r jar; do
    [[ -z "$jar" || -e "$jar" ]] || return 1
  done < <(tr ':' '\n' <"$1")
}

# The module opens that Hadoop and friends need on Java 17.
JAVA17_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
)

# Small, quick-starting JVMs: this runs on 2 cores next to the tests. Sets JVM_OPTS (an array).
jvm_base_opts() {
  JVM_OPTS=(-Xms64m "-Xmx$1" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError
    -Djava.net.preferIPv4Stack=true -Djava.awt.headless=true)
}

# --- the verb dispatcher -------------------------------------------------------------------------
# run_verb VERB: calls svc_up, svc_down, svc_status, which each service script defines.
run_verb() {
  local verb="${1:-}"
  shift || true
  case "$verb" in
    up)
      take_service_lock
      local start
      start=$(date +%s)
      svc_up "$@"
      [[ -n "${ALREADY_UP:-}" ]] || say "ready in $(elapsed_since "$start")"
      ;;
    down)
      take_service_lock
      svc_down "$@"
      ;;
    restart)
      take_service_lock
      svc_down "$@"
      local start
      start=$(date +%s)
      svc_up "$@"
      say "restarted, ready in $(elapsed_since "$start")"
      ;;
    status) svc_status "$@" ;;
    reset)
      take_service_lock
      svc_down
      local dir="${SQUALL_STATE_DIR:?}/${SERVICE:?}"
      say "removing $dir"
      rm -rf "$dir"
      ;;
    *)
      echo "usage: bash infra/$SERVICE.sh up|down|restart|status|reset" >&2
      exit 2
      ;;
  esac
}
