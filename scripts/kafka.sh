#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft: broker + controller in one JVM) on 127.0.0.1,
# for the streaming tests and benchmarks. No Docker: the broker's jars come from
# Maven Central through `mvn dependency:copy-dependencies` on scripts/kafka/pom.xml.
#
#   scripts/kafka.sh start    fetch jars (once), format storage (once), start, wait until ready
#   scripts/kafka.sh stop     stop the broker (SIGTERM, then SIGKILL after a grace period)
#   scripts/kafka.sh restart  stop + start, keeping the data (used by the broker-restart test)
#   scripts/kafka.sh status   exit 0 and print the bootstrap address when it answers
#   scripts/kafka.sh reset    stop and delete the data (topics, offsets)
#
# Knobs (environment):
#   KAFKA_WORK_DIR    where jars, config, data, pid and log live   (default: <checkout>/.kafka)
#   KAFKA_PORT        client listener port                         (default: 9092)
#   KAFKA_CONTROLLER_PORT  controller listener port                (default: 9093)
#   KAFKA_HEAP_OPTS   JVM heap                                     (default: -Xms256m -Xmx768m)
#   KAFKA_READY_TIMEOUT  seconds to wait for the broker to answer  (default: 90)
#
# Re-runnable: a second `start` while it runs just reports it; jars already in
# ~/.m2 make the fetch a few seconds; formatting happens only on an empty data dir.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${KAFKA_WORK_DIR:-$ROOT/.kafka}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
POM="$ROOT/scripts/kafka/pom.xml"
JARS="$WORK/jars"
DATA="$WORK/data"
PIDFILE="$WORK/kafka.pid"
LOG="$WORK/kafka.log"
PROPS="$WORK/server.properties"

log() { echo "kafka.sh: $*" >&2; }

running_pid() {
  # The pid in the pid file, if that process is alive and is our java.
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  grep -q "kafka.Kafka" "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

fetch_jars() {
  # The pom's hash is stamped in the jar dir, so a changed pom (new Kafka version)
  # refetches and an unchanged one costs nothing.
  local stamp
  stamp="$(sha256sum "$POM" | cut -c1-16)"
  if [[ -f "$JARS/.stamp" && "$(cat "$JARS/.stamp")" == "$stamp" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || { log "mvn is not installed (apt-get install -y maven)"; exit 1; }
  command -v java >/dev/null || { log "java is not installed (apt-get install -y openjdk-17-jre-headless)"; exit 1; }
  log "fetching the Kafka broker jars from Maven Central (once; cached in ~/.m2)"
  rm -rf "$JARS"
  mkdir -p "$JARS"
  mvn -q -B -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$JARS" -DincludeScope=runtime >"$WORK/mvn.log" 2>&1 \
    || { log "mvn failed, see $WORK/mvn.log"; tail -20 "$WORK/mvn.log" >&2; exit 1; }
  echo "$stamp" >"$JARS/.stamp"
}

write_config() {
  cat >"$PROPS" <<EOF
# Written by scripts/kafka.sh; edits are overwritten on the next start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
# One node: every internal topic has a single replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
default.replication.factor=1
num.partitions=4
auto.create.topics.enable=true
# Tests start and stop consumer groups often: don't wait 3 s before the first rebalance.
group.initial.rebalance.delay.ms=0
# The machine is shared: few threads.
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=67108864
log.cleaner.dedupe.buffer.size=16777216
EOF
}

format_storage() {
  # Only an empty data dir is formatted; the cluster id is kept beside it.
  if [[ -f "$DATA/meta.properties" ]]; then
    return 0
  fi
  mkdir -p "$DATA"
  local cid
  if [[ -f "$WORK/cluster.id" ]]; then
    cid="$(cat "$WORK/cluster.id")"
  else
    # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding.
    cid="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    echo "$cid" >"$WORK/cluster.id"
  fi
  log "formatting storage (cluster $cid)"
  java -cp "$JARS/*" kafka.tools.StorageTool format -t "$cid" -c "$PROPS" --ignore-formatted \
    >>"$LOG" 2>&1 || { log "storage format failed, see $LOG"; tail -20 "$LOG" >&2; exit 1; }
}

wait_ready() {
  # Ready = the client port accepts connections and the log says the server started
  # (the port opens a moment before the broker can answer metadata requests).
  local deadline=$((SECONDS + READY_TIMEOUT)) pid=$1
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the broker exited during start-up; last lines of $LOG:"
      tail -30 "$LOG" >&2
      return 1
    fi
    if port_open "$PORT" && grep -q "Kafka Server started" "$LOG" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  log "the broker did not become ready within ${READY_TIMEOUT}s; see $LOG"
  return 1
}

start() {
  mkdir -p "$WORK"
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on 127.0.0.1:$PORT"
    echo "127.0.0.1:$PORT"
    return 0
  fi
  if port_open "$PORT"; then
    log "port $PORT is taken by another process; set KAFKA_PORT"
    exit 1
  fi
  fetch_jars
  write_config
  format_storage
  : >"$LOG"
  # setsid: the broker outlives the shell that started it (CI steps, pytest fixtures).
  # shellcheck disable=SC2086
  setsid java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$WORK/log4j.properties" \
    -cp "$JARS/*" kafka.Kafka "$PROPS" >>"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"
  if ! wait_ready "$pid"; then
    stop
    exit 1
  fi
  log "ready (pid $pid) on 127.0.0.1:$PORT"
  echo "127.0.0.1:$PORT"
}

write_log4j() {
  # Broker logs go to stdout (our log file) at INFO, without the request chatter.
  mkdir -p "$WORK"
  cat >"$WORK/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.storage.internals.log=WARN
log4j.logger.kafka.log=WARN
EOF
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PIDFILE"
    log "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  # A clean shutdown writes a clean-shutdown marker, so the next start skips log recovery.
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker did not stop in 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  log "stopped"
}

status() {
  local pid
  if pid="$(running_pid)" && port_open "$PORT"; then
    echo "127.0.0.1:$PORT (pid $pid)"
    return 0
  fi
  echo "not running" >&2
  return 1
}

case "${1:-}" in
  start) write_log4j; start ;;
  stop) stop ;;
  restart) stop; write_log4j; start ;;
  status) status ;;
  reset) stop; rm -rf "$DATA" "$WORK/cluster.id"; log "data deleted" ;;
  *) echo "usage: $0 start|stop|restart|status|reset" >&2; exit 2 ;;
esac
