#!/usr/bin/env bash
# Brings up the services the integration tests talk to, on loopback only:
#   PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379, InfluxDB 1.x 127.0.0.1:8086.
# Idempotent: whatever already answers is left alone; what is missing is installed
# (Debian's influxdb + python3-pymodbus, and chromium for the browser test of the
# GraphQL explorer) or started. Used by .ci/run, and by
# developers: `bash .ci/services.sh`.
#
# Environment:
#   HF_SERVICE_DIR            state dir (default: <repo>/.tmp/services); InfluxDB
#                             keeps meta/data/wal, its log and pid file under ./influxdb
#   HF_SERVICE_TIMEOUT        seconds to wait for each service to answer (default 60)
#   HF_SERVICES_STARTED_FILE  if set, "influxdb <pid>" is appended to this file when
#                             this script starts influxd (.ci/run stops it on exit)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICE_DIR="${HF_SERVICE_DIR:-$REPO/.tmp/services}"
INFLUX_DIR="$SERVICE_DIR/influxdb"
INFLUX_LOG="$INFLUX_DIR/influxd.log"
INFLUX_PIDFILE="$INFLUX_DIR/influxd.pid"
INFLUX_URL="http://127.0.0.1:8086"
TIMEOUT="${HF_SERVICE_TIMEOUT:-60}"

log() { printf '[services] %s\n' "$*" >&2; }

# wait_for SECONDS CMD...: polls CMD every 0.5 s until it succeeds; 1 on time-out.
wait_for() {
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 -t 2; }
redis_up() { [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == PONG ]]; }
influx_up() { curl -sf -o /dev/null --max-time 2 "$INFLUX_URL/ping"; }

# ---------------------------------------------------------------- packages
MODBUS_PKGS=(python3-pymodbus python3-serial-asyncio)
pkg_installed() { [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]; }

install_packages() {
  local want=()
  command -v influxd >/dev/null 2>&1 || want+=(influxdb)
  # tests/e2e/graphiql.browser.test.ts drives it (headless); under REQUIRE_SERVICES=1 it must be there.
  [[ -x /usr/bin/chromium ]] || want+=(chromium)
  # pymodbus 3.0.0 (bookworm) imports serial_asyncio even for TCP client/server,
  # and that is only a Recommends of it: name it explicitly.
  local p
  for p in "${MODBUS_PKGS[@]}"; do pkg_installed "$p" || want+=("$p"); done
  ((${#want[@]})) || return 0

  log "installing from Debian: ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local apt_opts=(-o DPkg::Lock::Timeout=300 -q)
  apt-get "${apt_opts[@]}" update </dev/null >/dev/null

  # The Modbus packages are optional (only Modbus tests need them): drop any that are absent.
  local pkgs=() cand
  for p in "${want[@]}"; do
    cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    if [[ -z "$cand" || "$cand" == "(none)" ]]; then
      if [[ "$p" == influxdb || "$p" == chromium ]]; then
        log "ERROR: Debian package $p has no install candidate"; return 1
      fi
      log "WARNING: Debian package $p has no install candidate; skipping it"
      continue
    fi
    pkgs+=("$p")
  done
  ((${#pkgs[@]})) || return 0

  # The influxdb package's postinst would start its own service on default ports
  # (0.0.0.0:8086, /var/lib/influxdb). policy-rc.d exit 101 forbids that; keep an
  # existing policy-rc.d (Docker-style images already ship one that says 101).
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# temporary, from .ci/services.sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0
  apt-get "${apt_opts[@]}" install -y --no-install-recommends "${pkgs[@]}" </dev/null || rc=$?
  ((made_policy)) && rm -f "$policy"
  if ((rc)); then log "ERROR: apt-get install ${pkgs[*]} failed (exit $rc)"; return "$rc"; fi

  # Belt and braces: if a packaged service got started anyway (it runs as user
  # influxdb; ours runs as the caller), stop it so it cannot hold 8086/8088.
  local pids
  pids="$(pgrep -u influxdb -x influxd 2>/dev/null || true)"
  if [[ -n "$pids" ]]; then
    log "stopping influxd started by the package (pid $pids)"
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    wait_for 15 bash -c "! pgrep -u influxdb -x influxd" || true
  fi
  return 0
}

# ---------------------------------------------------------------- services
status_pg=down status_redis=down status_influx=down

ensure_pg() {
  if pg_up; then status_pg="up 127.0.0.1:5432 (already running)"; return 0; fi
  log "PostgreSQL not answering; starting it"
  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start </dev/null || true
  if wait_for "$TIMEOUT" pg_up; then
    status_pg="up 127.0.0.1:5432 (started)"
  else
    status_pg="DOWN: not accepting connections on 127.0.0.1:5432 after ${TIMEOUT}s"
    return 1
  fi
}

ensure_redis() {
  if redis_up; then status_redis="up 127.0.0.1:6379 (already running)"; return 0; fi
  log "Redis not answering; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log </dev/null || true
  if wait_for "$TIMEOUT" redis_up; then
    status_redis="up 127.0.0.1:6379 (started)"
  else
    status_redis="DOWN: no PONG from 127.0.0.1:6379 after ${TIMEOUT}s (log /var/log/redis/ci.log)"
    return 1
  fi
}

# pid from our pid file, if that process is alive and is influxd
our_influx_pid() {
  local pid
  [[ -r "$INFLUX_PIDFILE" ]] || return 1
  pid="$(tr -dc 0-9 <"$INFLUX_PIDFILE")"
  [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == influxd ]] || return 1
  echo "$pid"
}

stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  wait_for 15 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
}

ensure_influx() {
  if influx_up; then
    status_influx="up $INFLUX_URL (already running)"
    return 0
  fi
  if ! command -v influxd >/dev/null 2>&1; then
    status_influx="DOWN: influxd is not installed"
    return 1
  fi

  local pid
  if pid="$(our_influx_pid)"; then
    # An influxd of ours is alive but not answering yet (or stuck): give it time, else replace it.
    if wait_for "$TIMEOUT" influx_up; then
      status_influx="up $INFLUX_URL (already running, pid $pid)"
      return 0
    fi
    log "influxd pid $pid does not answer $INFLUX_URL/ping; restarting it"
    stop_pid "$pid"
  fi

  mkdir -p "$INFLUX_DIR/meta" "$INFLUX_DIR/data" "$INFLUX_DIR/wal"
  # Our own (empty) config file, so that /etc/influxdb/influxdb.conf does not apply:
  # built-in defaults + the env overrides below are the whole configuration.
  : >"$INFLUX_DIR/influxdb.conf"
  rm -f "$INFLUX_PIDFILE"
  {
    echo
    echo "=== influxd start $(date -u +%FT%TZ) ==="
  } >>"$INFLUX_LOG"

  log "starting influxd (data $INFLUX_DIR, log $INFLUX_LOG)"
  env \
    INFLUXDB_HTTP_BIND_ADDRESS=127.0.0.1:8086 \
    INFLUXDB_BIND_ADDRESS=127.0.0.1:8088 \
    INFLUXDB_META_DIR="$INFLUX_DIR/meta" \
    INFLUXDB_DATA_DIR="$INFLUX_DIR/data" \
    INFLUXDB_DATA_WAL_DIR="$INFLUX_DIR/wal" \
    INFLUXDB_REPORTING_DISABLED=true \
    INFLUXDB_HTTP_LOG_ENABLED=false \
    INFLUXDB_DATA_QUERY_LOG_ENABLED=false \
    INFLUXDB_MONITOR_STORE_ENABLED=false \
    setsid influxd run -config "$INFLUX_DIR/influxdb.conf" -pidfile "$INFLUX_PIDFILE" \
    </dev/null >>"$INFLUX_LOG" 2>&1 &
  pid=$!
  if [[ -n "${HF_SERVICES_STARTED_FILE:-}" ]]; then
    echo "influxdb $pid" >>"$HF_SERVICES_STARTED_FILE"
  fi

  local deadline=$((SECONDS + TIMEOUT))
  until influx_up; do
    if ! kill -0 "$pid" 2>/dev/null; then
      status_influx="DOWN: influxd (pid $pid) exited before answering $INFLUX_URL/ping"
      break
    fi
    if ((SECONDS >= deadline)); then
      status_influx="DOWN: influxd (pid $pid) did not answer $INFLUX_URL/ping within ${TIMEOUT}s"
      stop_pid "$pid"
      break
    fi
    sleep 0.5
  done
  if [[ "$status_influx" == DOWN* ]]; then
    log "ERROR: ${status_influx#DOWN: }; last lines of $INFLUX_LOG:"
    tail -n 40 "$INFLUX_LOG" | sed 's/^/    /' >&2
    return 1
  fi
  status_influx="up $INFLUX_URL (started, pid $pid, data $INFLUX_DIR)"
}

failed=0
install_packages || failed=1
ensure_pg || failed=1
ensure_redis || failed=1
ensure_influx || failed=1

printf '%-10s %s\n' postgresql: "$status_pg" redis: "$status_redis" influxdb: "$status_influx"
if [[ -x /usr/bin/chromium ]]; then
  printf '%-10s %s\n' chromium: "installed ($(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo unknown version))"
else
  printf '%-10s %s\n' chromium: "not installed"
fi
if ! pkg_installed python3-pymodbus; then
  printf '%-10s %s\n' pymodbus: "not installed"
elif /usr/bin/python3 -c 'import pymodbus.client, pymodbus.server' >/dev/null 2>&1; then
  printf '%-10s %s\n' pymodbus: "installed ($(dpkg-query -W -f='${Version}' python3-pymodbus)), importable by /usr/bin/python3"
else
  printf '%-10s %s\n' pymodbus: "installed but 'import pymodbus.client, pymodbus.server' fails in /usr/bin/python3"
fi
exit "$failed"
