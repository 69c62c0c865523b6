#!/usr/bin/env bash
# Start/stop a Docker daemon for tlsprobe on a machine without systemd.
#   start: no-op if a daemon already answers; else runs `dockerd --bridge=none --iptables=false`
#          (kept off the network: builds use --network host, fixtures --network none),
#          records its pid in /run/tlsprobe-dockerd.pid and waits until it answers (30 s).
#   stop:  stops the daemon only if the pid file exists, i.e. only one we started.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/docker-env.sh"

PIDFILE=/run/tlsprobe-dockerd.pid
LOGFILE=/var/log/tlsprobe-dockerd.log
SOCK=/var/run/docker.sock
TIMEOUT=30

log() { echo "tlsprobe: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { echo "usage: $0 start|stop"; }

alive() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

close_inherited_fds() {
    local fd
    for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        (( fd > 2 )) && eval "exec $fd>&-" 2>/dev/null
    done
    return 0
}

start() {
    tlsprobe_docker_ok && return 0
    if alive; then
        log "dockerd (pid $(cat "$PIDFILE")) is running but not answering yet; waiting"
    else
        rm -f "$PIDFILE"
        command -v dockerd >/dev/null || die "dockerd not found (run scripts/deps.sh)"
        log "starting dockerd (log: $LOGFILE)"
        # setsid: own session, so the daemon survives the caller's terminal/process group.
        # (No job control in a script, so setsid execs in place and $! is dockerd's pid.)
        # The daemon outlives this script: it must not keep the caller's other
        # open files (a `flock` lock held around `make test` would stay held).
        (close_inherited_fds; exec setsid dockerd --bridge=none --iptables=false \
            </dev/null >>"$LOGFILE" 2>&1) &
        echo $! >"$PIDFILE"
    fi
    for ((i = 0; i < TIMEOUT * 2; i++)); do
        [[ -S $SOCK ]] && tlsprobe_docker_ok && { log "dockerd ready (pid $(cat "$PIDFILE"))"; return 0; }
        alive || die "dockerd exited during start-up; see $LOGFILE"
        sleep 0.5
    done
    die "dockerd did not answer within ${TIMEOUT}s; see $LOGFILE"
}

stop() {
    [[ -f $PIDFILE ]] || { log "no $PIDFILE: not stopping a dockerd we did not start"; return 0; }
    local pid; pid=$(cat "$PIDFILE")
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping dockerd (pid $pid)"
        kill -TERM "$pid"
        # dockerd stops its containers and its managed containerd first; give it time.
        for ((i = 0; i < TIMEOUT * 2; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "dockerd (pid $pid) still alive after ${TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$PIDFILE"
}

[[ $# -eq 1 ]] || { usage >&2; exit 2; }
case "$1" in
    start) [[ $EUID -eq 0 ]] || die "must run as root"; start ;;
    stop)  [[ $EUID -eq 0 ]] || die "must run as root"; stop ;;
    -h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac
