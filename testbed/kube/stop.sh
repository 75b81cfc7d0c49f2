#!/usr/bin/env bash
# Stops the kube-apiserver and etcd started by start.sh for STATE_DIR (pid files), apiserver first.
#
#   stop.sh [STATE_DIR] [--purge]    --purge also deletes STATE_DIR (etcd data, keys, kubeconfig)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
STATE="$HERE/state"; PURGE=0
for a in "$@"; do
  case "$a" in --purge) PURGE=1 ;; *) STATE="$a" ;; esac
done

stop_one() {
  local name=$1 pidfile="$STATE/$1.pid"
  [[ -f "$pidfile" ]] || { echo "stop.sh: no $pidfile"; return 0; }
  local pid; pid="$(cat "$pidfile")"
  # only signal the process if it is still the binary we started
  if kill -0 "$pid" 2>/dev/null && [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */"$name" ]]; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then echo "stop.sh: $name ($pid) ignored TERM for 30 s, killing"; kill -KILL "$pid"; fi
    echo "stop.sh: stopped $name ($pid)"
  else
    echo "stop.sh: $name ($pid) not running"
  fi
  rm -f "$pidfile"
}
stop_one kube-apiserver
stop_one etcd
if [[ "$PURGE" == 1 ]]; then rm -rf "$STATE"; echo "stop.sh: removed $STATE"; fi
