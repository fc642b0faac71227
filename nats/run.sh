#!/usr/bin/env bash
# Start local nats-server processes for TaskGraph on loopback, in the foreground (Ctrl-C stops them all).
#   nats/run.sh single    one server with JetStream        -> --nats nats://127.0.0.1:14222
#   nats/run.sh cluster   three clustered servers (R3)     -> --nats nats://127.0.0.1:14221,nats://127.0.0.1:14222,nats://127.0.0.1:14223
#   nats/run.sh edge      a hub and a leaf node            -> hub nats://127.0.0.1:14230, leaf nats://127.0.0.1:14231
# Data goes to ./.nats-data (delete it to start afresh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v nats-server >/dev/null || { echo "nats-server not found: apt-get install -y nats-server" >&2; exit 1; }
mode="${1:-single}"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
start() { nats-server -c "$here/$1" & pids+=($!); }
case "$mode" in
  single) start single.conf ;;
  cluster) start cluster-n1.conf; start cluster-n2.conf; start cluster-n3.conf ;;
  edge) start hub.conf; sleep 0.5; start leaf.conf ;;
  *) echo "usage: $0 single|cluster|edge" >&2; exit 2 ;;
esac
wait
