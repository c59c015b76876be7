#!/usr/bin/env bash
# The two real Kafka producers the codec tests write with, installed if missing (idempotent):
#  - librdkafka, through kcat from Debian (librdkafka is what varnishkafka is built on);
#  - Kafka's own Java producer (kafka.tools.ConsoleProducer), from the broker's classpath that
#    infra/kafka.sh resolves through infra/kafka/pom.xml (the same jars, cached in ~/.m2).
# Nothing runs as a daemon. `up` prints the path of the file that holds the Java classpath.
# Usage: bash infra/kafka-producers.sh up|status
SERVICE=kafka-producers
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

CLASSPATH_FILE="$SQUALL_STATE_DIR/kafka/classpath.txt"
POM="$INFRA_DIR/kafka/pom.xml"

svc_up() {
  command -v kcat >/dev/null || ensure_packages kcat
  ensure_java
  resolve_classpath "$POM" "$CLASSPATH_FILE" "$SQUALL_STATE_DIR/kafka/logs/maven.log" "Kafka"
  say "kcat: $(kcat -V 2>/dev/null | grep -o 'librdkafka [0-9.]*' || echo '?'); Java producer: kafka.tools.ConsoleProducer"
  echo "$CLASSPATH_FILE"
}

svc_down() { :; }

svc_status() {
  local ok=0
  if command -v kcat >/dev/null; then say "kcat: $(kcat -V | grep -o 'librdkafka [0-9.]*')"; else say "kcat: not installed"; ok=3; fi
  if [[ -s "$CLASSPATH_FILE" ]] && classpath_complete "$CLASSPATH_FILE"; then say "Java producer classpath: $CLASSPATH_FILE"; else say "Java producer classpath: not resolved"; ok=3; fi
  return "$ok"
}

run_verb "$@"
