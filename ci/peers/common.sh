# Shared helpers for the peer start/stop scripts (sourced, never run).
#
# Every peer keeps its configuration, pid files, logs and certificate under
#   $MH_PEERS_STATE/<peer>/      (default MH_PEERS_STATE=/tmp/mailharness-peers)
# and the mailboxes they deliver to / serve from under
#   $MH_PEERS_STATE/maildir/<user>/Maildir/
# so Postfix delivers where Dovecot reads. Nothing under /etc is written and no system
# service is started: each daemon runs from its private folder on a loopback high port.

# shellcheck shell=bash
set -euo pipefail

PEERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS_STATE=${MH_PEERS_STATE:-/tmp/mailharness-peers}
PEERS_MAILDIR=$PEERS_STATE/maildir
PEERS_HOST=127.0.0.1
PEERS_DOMAIN=example.test
# The accounts of the embedded default target (docs/scenario-format.md), so suites run unchanged.
PEERS_USERS=(alice bob)
declare -A PEERS_PASSWORD=([alice]=alice-pw [bob]=bob-pw)
# Mailboxes belong to an unprivileged uid that already exists on Debian (no user is created):
# Postfix's virtual(8) refuses root, and Dovecot serves them under the same uid.
PEERS_MAIL_UID=65534
PEERS_MAIL_GID=65534
# Upper bound for a daemon to open its port, in seconds.
PEERS_START_TIMEOUT=${MH_PEERS_START_TIMEOUT:-30}

log() { echo "peers[${PEER:-?}]: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# peer_dir NAME: the private state folder of one peer (created).
peer_dir() {
  mkdir -p "$PEERS_STATE/$1"
  echo "$PEERS_STATE/$1"
}

# ensure_packages PKG...: installs the Debian packages that are missing (apt-get update once
# per machine run, only when something is missing). Daemons do not start on install here
# (policy-rc.d), and nothing we run depends on them doing so.
ensure_packages() {
  local missing=() p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  local stamp=$PEERS_STATE/.apt-updated
  if [[ ! -e $stamp ]]; then
    $sudo apt-get update -qq
    mkdir -p "$PEERS_STATE" && touch "$stamp"
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/$PEERS_HOST/$1") 2>/dev/null
}

# wait_for_port PORT [LOGFILE [PIDFILE]]: waits (bounded) until the port accepts. Fails at
# once when the process of PIDFILE has died, and on timeout; either way it shows the tail of
# the peer's log.
wait_for_port() {
  local port=$1 logfile=${2:-} pidfile=${3:-} deadline=$((SECONDS + PEERS_START_TIMEOUT))
  until port_open "$port"; do
    local reason=""
    if [[ -n $pidfile ]] && ! pid_alive "$pidfile"; then
      reason="the daemon exited before opening $PEERS_HOST:$port"
    elif ((SECONDS >= deadline)); then
      reason="nothing listens on $PEERS_HOST:$port after ${PEERS_START_TIMEOUT}s"
    fi
    if [[ -n $reason ]]; then
      [[ -n $logfile && -r $logfile ]] && tail -n 20 "$logfile" >&2
      die "$reason"
    fi
    sleep 0.1
  done
}

# refuse_busy_port PORT...: fails when a port is taken by something that is not this peer.
refuse_busy_port() {
  local port
  for port in "$@"; do
    ! port_open "$port" || die "port $port is already in use by another process"
  done
}

# make_cert DIR: a self-signed certificate for localhost / 127.0.0.1 / example.test in
# DIR/cert.pem and DIR/key.pem (kept when present, so restarts are fast).
make_cert() {
  local dir=$1
  [[ -s $dir/cert.pem && -s $dir/key.pem ]] && return 0
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,DNS:mx.$PEERS_DOMAIN,IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  chmod 0644 "$dir/cert.pem"
  chmod 0640 "$dir/key.pem"
}

# make_maildirs: the shared Maildir of every account, owned by the mail uid.
make_maildirs() {
  local user sub
  mkdir -p "$PEERS_MAILDIR"
  for user in "${PEERS_USERS[@]}"; do
    for sub in cur new tmp; do
      mkdir -p "$PEERS_MAILDIR/$user/Maildir/$sub"
    done
  done
  chown -R "$PEERS_MAIL_UID:$PEERS_MAIL_GID" "$PEERS_MAILDIR"
}

# read_pid PIDFILE: the pid a pid file names (blanks around it are ignored; Postfix pads).
read_pid() {
  local pid
  [[ -r $1 ]] || return 1
  pid=$(tr -d ' \n' <"$1")
  [[ $pid =~ ^[0-9]+$ ]] && echo "$pid"
}

# write_config FILE: writes stdin to FILE when it differs, and records that in
# CONFIG_CHANGED, so a running daemon is reloaded only when needed (a reload drops Dovecot's
# auth connections, failing a Postfix AUTH in flight).
CONFIG_CHANGED=false
write_config() {
  local new
  new=$(cat)
  if [[ ! -e $1 || $(<"$1") != "$new" ]]; then
    printf '%s\n' "$new" >"$1"
    CONFIG_CHANGED=true
  fi
}

# pid_alive PIDFILE: true when the pid file names a running process.
pid_alive() {
  local pid
  pid=$(read_pid "$1") && kill -0 "$pid" 2>/dev/null
}

# descendants PID: every descendant of PID, children first listed before their own children.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# kill_tree PID: SIGTERM to PID and all its descendants, then SIGKILL whatever is left after a
# bounded wait. The tree is collected before the signal, since children reparent when the
# parent exits.
kill_tree() {
  local pids p deadline=$((SECONDS + 10))
  # shellcheck disable=SC2207
  pids=("$1" $(descendants "$1"))
  kill -TERM "${pids[@]}" 2>/dev/null || true
  while ((SECONDS < deadline)); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

# stop_pidfile PIDFILE: stops the process tree the pid file names, then removes the file.
stop_pidfile() {
  if pid_alive "$1"; then
    kill_tree "$(read_pid "$1")"
  fi
  rm -f "$1"
}

# start_daemon PIDFILE LOGFILE CMD...: runs CMD in the background (own session, output to
# LOGFILE) and records its pid. For daemons that stay in the foreground.
start_daemon() {
  local pidfile=$1 logfile=$2
  shift 2
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}
