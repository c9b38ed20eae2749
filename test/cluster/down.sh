#!/usr/bin/env bash
# Stop what up.sh started (metrics-server, kwok, scheduler, controller-manager, kube-apiserver, etcd): SIGTERM, then SIGKILL after 10 s. Idempotent.
#
#   test/cluster/down.sh [--clean] STATE_DIR
#
# Without --clean nothing is removed (logs, certificates and etcd data stay for inspection);
# with --clean STATE_DIR is deleted after the processes are gone.
# STATE_DIR may also come from $KUBE_STATE_DIR (as written to STATE_DIR/env by up.sh).
set -euo pipefail

log() { printf '[kube-down] %s\n' "$*" >&2; }

CLEAN=0
STATE_DIR=""
for a in "$@"; do
  case "$a" in
    --clean) CLEAN=1 ;;
    -h|--help) sed -n '2,9p' "$0" >&2; exit 0 ;;
    *) STATE_DIR="$a" ;;
  esac
done
STATE_DIR="${STATE_DIR:-${KUBE_STATE_DIR:-}}"
[[ -n "$STATE_DIR" ]] || { log "usage: down.sh [--clean] STATE_DIR"; exit 2; }
if [[ ! -d "$STATE_DIR" ]]; then
  log "$STATE_DIR does not exist: nothing to stop"
  exit 0
fi

# running and not a zombie
running() { [[ -r "/proc/$1/stat" ]] && [[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]]; }

# pid from NAME.pid if it is still that program (a recycled pid is left alone)
live_pid() {
  local f="$STATE_DIR/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1" || return 1
  echo "$pid"
}

# what talks to the apiserver first, then the apiserver (it needs etcd to shut down cleanly), then etcd
for name in metrics-server kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  if pid="$(live_pid "$name")"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      running "$pid" || break
      sleep 0.2
    done
    if running "$pid"; then
      log "$name still running after 10 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 25); do running "$pid" || break; sleep 0.2; done
    fi
  else
    log "$name not running"
  fi
  rm -f "$STATE_DIR/$name.pid"
done

if ((CLEAN)); then
  log "removing $STATE_DIR"
  rm -rf "$STATE_DIR"
fi
