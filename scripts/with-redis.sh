#!/usr/bin/env bash
# Run a command with a throwaway Redis server: `scripts/with-redis.sh npm test`.
# Uses $REDIS_URL as it is when set. Otherwise makes sure `redis-server` is there (installs
# Debian's package when missing and running as root), starts one on a free loopback port with
# persistence off, exports REDIS_URL for the command, and stops the server afterwards, also on
# failure.
set -euo pipefail

if [[ -n "${REDIS_URL:-}" ]]; then
  exec "$@"
fi

if ! command -v redis-server >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "with-redis: installing redis-server (Debian package)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq redis-server >/dev/null 2>&1 || {
      apt-get update -qq >/dev/null 2>&1
      apt-get install -y -qq redis-server >/dev/null
    }
  else
    echo "with-redis: redis-server not found; install it or set REDIS_URL" >&2
    exit 2
  fi
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null

stop() {
  if [[ -f "$dir/redis.pid" ]]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap stop EXIT

for _ in $(seq 1 50); do
  if redis-cli -p "$port" ping >/dev/null 2>&1; then break; fi
  sleep 0.1
done

export REDIS_URL="redis://127.0.0.1:$port"
# Tests that stop Redis on purpose find the server's pid here.
export HOOKSEAL_REDIS_PIDFILE="$dir/redis.pid"
"$@"
