#!/usr/bin/env bash
# The whole stack on this machine, for tests and demos: PostgreSQL (Debian's cluster), two app servers
# (one per core, the project's venv) and HAProxy in front with cookie affinity (deploy/haproxy.cfg).
#
#   deploy/cluster.sh start | stop | status | database-url
#
# Everything listens on 127.0.0.1 (local mode has no login). Settings, all optional:
#   AUTODIAG_CLUSTER_RUN   folder for pids, logs and the generated secret (/tmp/autodiag-cluster)
#   AUTODIAG_PROXY_PORT    the proxy's port (8080); AUTODIAG_APP_PORTS: the servers' ports ("8601 8602")
#   DATABASE_URL           the PostgreSQL database (default: database autodiag_cluster of the local
#                          cluster, made here as user autodiag)
#   AUTODIAG_COOKIE_SECRET the same server.cookieSecret for every server (default: generated once into
#                          the run folder, mode 600 — never in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

RUN=${AUTODIAG_CLUSTER_RUN:-/tmp/autodiag-cluster}
PROXY_PORT=${AUTODIAG_PROXY_PORT:-8080}
read -r -a APP_PORTS <<< "${AUTODIAG_APP_PORTS:-8601 8602}"
PY=${PYTHON:-.venv/bin/python}

wait_for() {  # url, what: bounded wait for an HTTP 200
  for _ in $(seq 1 120); do
    curl -fs -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.5
  done
  echo "cluster: $2 did not answer at $1 within 60 s" >&2
  return 1
}

stop_pid() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid; pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$file"
}

database() {  # prints the database URL, and only that: everything else goes to stderr
  if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; return; fi
  local cluster; cluster=$(ls /etc/postgresql | head -n 1)
  pg_ctlcluster "$cluster" main start >&2 2>/dev/null || true  # "already running" is fine
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname='autodiag'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"CREATE ROLE autodiag LOGIN PASSWORD 'autodiag'\"" >&2
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='autodiag_cluster'\"" | grep -q 1 \
    || su postgres -c "psql -qc 'CREATE DATABASE autodiag_cluster OWNER autodiag'" >&2
  echo "postgresql+psycopg://autodiag:autodiag@127.0.0.1:5432/autodiag_cluster"
}

start() {
  mkdir -p "$RUN"
  chmod 700 "$RUN"
  local url; url=$(database)
  local secret=${AUTODIAG_COOKIE_SECRET:-}
  if [ -z "$secret" ]; then
    [ -f "$RUN/cookie-secret" ] || (umask 077; "$PY" -c "import secrets; print(secrets.token_urlsafe(48))" > "$RUN/cookie-secret")
    secret=$(cat "$RUN/cookie-secret")
  fi
  DATABASE_URL=$url "$PY" -c "from diagnostic.storage.database import get_engine; get_engine()"  # migrate once, first
  for port in "${APP_PORTS[@]}"; do
    [ -f "$RUN/app-$port.pid" ] && kill -0 "$(cat "$RUN/app-$port.pid")" 2>/dev/null && continue
    DATABASE_URL=$url STREAMLIT_SERVER_COOKIE_SECRET=$secret AUTODIAG_LOG_FORMAT=${AUTODIAG_LOG_FORMAT:-json} \
      nohup "$PY" -m streamlit run serve.py --server.headless true --server.port "$port" --server.address 127.0.0.1 \
        --server.enableXsrfProtection true --server.allowedHosts 127.0.0.1 --server.allowedHosts localhost \
        > "$RUN/app-$port.log" 2>&1 &
    echo $! > "$RUN/app-$port.pid"
  done
  for port in "${APP_PORTS[@]}"; do wait_for "http://127.0.0.1:$port/_stcore/health" "app server $port"; done
  stop_pid "$RUN/haproxy.pid"
  AUTODIAG_PROXY_BIND="127.0.0.1:$PROXY_PORT" AUTODIAG_APP1="127.0.0.1:${APP_PORTS[0]}" AUTODIAG_APP2="127.0.0.1:${APP_PORTS[1]}" \
    haproxy -f deploy/haproxy.cfg -D -p "$RUN/haproxy.pid"
  wait_for "http://127.0.0.1:$PROXY_PORT/_stcore/health" "the proxy"
  echo "cluster: http://127.0.0.1:$PROXY_PORT (servers ${APP_PORTS[*]}, logs in $RUN)"
}

stop() {
  stop_pid "$RUN/haproxy.pid"
  for port in "${APP_PORTS[@]}"; do stop_pid "$RUN/app-$port.pid"; done
  echo "cluster: stopped"
}

status() {
  for file in "$RUN"/*.pid; do
    [ -f "$file" ] || continue
    if kill -0 "$(cat "$file")" 2>/dev/null; then echo "$(basename "$file" .pid): running"; else echo "$(basename "$file" .pid): stopped"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  database-url) database ;;  # the database the servers use (made when missing): one line, the URL
  *) echo "usage: deploy/cluster.sh start|stop|status|database-url" >&2; exit 2 ;;
esac
