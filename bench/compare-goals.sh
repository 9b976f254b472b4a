# The goals of issue 6, measured side by side (sourced by bench/compare, which provides
# run_once, median, log, die, wait_for_port, kill_tree and the settings). Sets $goals to the
# Markdown tables. Everything runs at c=10 with connection reuse.
# shellcheck shell=bash

c=10
state=$(peer_dir bench)

# mh_rate ARGS...: units/s of one `mailharness bench` run: the units its JSON counts over the
# wall time of the whole process, measured here exactly as source_rate measures smtp-source
# (so process start, connection setup and teardown count on both sides); CPU in $state/cpu.
mh_rate() {
  local json=$state/run.json start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$state/cpu" "$mailharness" bench "$@" --quiet --json "$json" >&2 ||
    die "mailharness bench $* failed"
  end=$(date +%s.%N)
  python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["units"] / (float(sys.argv[3]) - float(sys.argv[2]))))' \
    "$json" "$start" "$end"
}
# cpu_per_msg COUNT: microseconds of CPU per message of the last timed run.
cpu_per_msg() { awk -v n="$1" '{ printf "%.1f\n", ($1 + $2) * 1e6 / n }' "$state/cpu"; }

source_rate() {  # PORT RCPT: smtp-source msg/s, its CPU in $state/cpu
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$state/cpu" smtp-source -d -s "$c" -m "$messages" -l "$size" \
    -f "bench@$PEERS_DOMAIN" -t "$2" "$PEERS_HOST:$1" >&2 || die "smtp-source against port $1 failed"
  end=$(date +%s.%N)
  awk -v m="$messages" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f\n", m / (e - s) }'
}

# The two reference servers: durable Maildir (group commit) and discard; POP3 on the durable one
# with ten accounts (a POP3 session locks its maildrop, RFC 1939 8).
ref_store=$state/reference-maildir
rm -rf "$ref_store"
for mode in durable discard; do
  port=$ref_port
  [[ $mode == discard ]] && port=$((ref_port + 1))
  {
    echo "domains: [$PEERS_DOMAIN]"
    echo "maildir: $ref_store/$mode"
    echo "durable: $([[ $mode == durable ]] && echo true || echo false)"
    echo "quiet: true"
    echo "listeners:"
    echo "  smtp: $PEERS_HOST:$port"
    [[ $mode == durable ]] && echo "  pop3: $PEERS_HOST:$((ref_port + 2))"
    echo "smtp: {auth_requires_tls: false}"
    echo "limits: {max_messages_per_session: 1000000, connections_per_address: 1024}"
    echo "accounts:"
    for i in 0 1 2 3 4 5 6 7 8 9; do
      echo "  - {name: u$i, address: u$i@$PEERS_DOMAIN, password: pw}"
    done
    echo "  - {name: alice, address: alice@$PEERS_DOMAIN, password: alice-pw}"
  } >"$state/reference-$mode.yaml"
  refuse_busy_port "$port"
  "$mailharness" serve --config "$state/reference-$mode.yaml" >"$state/reference-$mode.log" 2>&1 &
  ref_pids+=($!)
  wait_for_port "$port" "$state/reference-$mode.log"
done
wait_for_port $((ref_port + 2)) "$state/reference-durable.log"

declare -A g cpu
# record NAME FIGURE [CPU]: a failed run's $(...) leaves FIGURE empty (set -e does not see it).
record() {
  [[ -n $2 ]] || die "no figure for $1 (the run above failed)"
  g[$1]+="$2 "
  [[ -z ${3:-} ]] || cpu[$1]+="$3 "
}
med() { tr ' ' '\n' <<<"${g[$1]}" | grep . | median; }
medcpu() { tr ' ' '\n' <<<"${cpu[$1]}" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rcpt=bench@bench.$PEERS_DOMAIN

for ((round = 1; round <= repeats; round++)); do
  # 1. load generators against the same smtp-sink
  r=$(source_rate "$sink_port" "$rcpt"); record gen_source "$r" "$(cpu_per_msg "$messages")"
  r=$(mh_rate smtp --smtp "$PEERS_HOST:$sink_port" -c $c --messages "$messages" --size "$size" --to "$rcpt")
  record gen_lockstep "$r" "$(cpu_per_msg "$messages")"
  r=$(mh_rate smtp --smtp "$PEERS_HOST:$sink_port" -c $c --messages "$messages" --size "$size" --to "$rcpt" --pipelining)
  record gen_pipelined "$r" "$(cpu_per_msg "$messages")"
  # 2. servers under smtp-source
  record srv_durable "$(source_rate "$ref_port" "u0@$PEERS_DOMAIN")"
  record srv_discard "$(source_rate $((ref_port + 1)) "u0@$PEERS_DOMAIN")"
  record srv_postfix "$(source_rate 2525 "$rcpt")"
  record srv_nodemailer "$(source_rate 2527 "alice@$PEERS_DOMAIN")"
  record srv_sink "$(source_rate "$sink_port" "$rcpt")"
  log "round $round: generators ${g[gen_source]}/${g[gen_lockstep]}/${g[gen_pipelined]}; servers ${g[srv_durable]}/${g[srv_discard]}/${g[srv_postfix]}/${g[srv_nodemailer]}/${g[srv_sink]}"
  ci/peers/empty-mailboxes 2>/dev/null || true
  rm -rf "$ref_store/durable/u0"
done

# 3. POP3 logins, on empty maildrops on both servers. The reference locks a maildrop per
# session (RFC 1939 8), hence ten accounts; Dovecot does not lock by default (pop3_lock_session).
ref_accounts=()
for i in 0 1 2 3 4 5 6 7 8 9; do ref_accounts+=(--auth "u$i:pw"); done
for ((round = 1; round <= repeats; round++)); do
  record pop_login_ref "$(mh_rate pop3 --pop3 "$PEERS_HOST:$((ref_port + 2))" -c $c --sessions 2000 --workload login "${ref_accounts[@]}")"
  record pop_login_dovecot "$(mh_rate pop3 --pop3 "$PEERS_HOST:1110" -c $c --sessions 2000 --workload login --auth alice:alice-pw --auth bob:bob-pw)"
  log "round $round: POP3 login ${g[pop_login_ref]}/${g[pop_login_dovecot]}"
done

# 4. POP3 LIST+RETR: 1,000 messages in alice's maildrop on both servers (the same files)
"$mailharness" bench smtp --smtp "$PEERS_HOST:$ref_port" -c 4 --messages 1000 --size "$size" \
  --to "alice@$PEERS_DOMAIN" --quiet >&2
dovecot_new=$PEERS_MAILDIR/alice/Maildir/new
mkdir -p "$dovecot_new"
cp "$ref_store"/durable/alice/Maildir/new/* "$dovecot_new"/
chown -R "$PEERS_MAIL_UID:$PEERS_MAIL_GID" "$PEERS_MAILDIR/alice"
for ((round = 1; round <= repeats; round++)); do
  for p in lockstep pipelined; do
    flag=()
    [[ $p == pipelined ]] && flag=(--pipelining)
    record "pop_retr_ref_$p" "$(mh_rate pop3 --pop3 "$PEERS_HOST:$((ref_port + 2))" -c 1 --sessions 3 --workload retr-all --auth alice:alice-pw "${flag[@]}")"
    record "pop_retr_dovecot_$p" "$(mh_rate pop3 --pop3 "$PEERS_HOST:1110" -c 1 --sessions 3 --workload retr-all --auth alice:alice-pw "${flag[@]}")"
  done
  log "round $round: POP3 retr ${g[pop_retr_ref_lockstep]}/${g[pop_retr_dovecot_lockstep]} pipelined ${g[pop_retr_ref_pipelined]}/${g[pop_retr_dovecot_pipelined]}"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
goals=$(
  echo "| goal (c=$c, $size B, reuse) | mailharness side | peer side | ratio | target |"
  echo "|---|---|---|---|---|"
  s=$(med gen_source); l=$(med gen_lockstep); p=$(med gen_pipelined)
  echo "| bench smtp lockstep vs smtp-source, into smtp-sink (msg/s; CPU us/msg) | $l; $(medcpu gen_lockstep) | $s; $(medcpu gen_source) | $(ratio "$l" "$s") | >= 1.0x, less CPU |"
  echo "| bench smtp --pipelining vs smtp-source, into smtp-sink | $p; $(medcpu gen_pipelined) | $s | $(ratio "$p" "$s") | >= 1.8x |"
  d=$(med srv_durable); x=$(med srv_discard); pf=$(med srv_postfix); n=$(med srv_nodemailer); k=$(med srv_sink)
  echo "| reference durable vs Postfix smtpd, under smtp-source | $d | $pf | $(ratio "$d" "$pf") | >= 3x |"
  echo "| reference discard vs nodemailer smtp-server | $x | $n | $(ratio "$x" "$n") | >= 1.0x |"
  echo "| reference discard vs smtp-sink | $x | $k | $(ratio "$x" "$k") | >= 0.8x |"
  a=$(med pop_login_ref); b=$(med pop_login_dovecot)
  echo "| POP3 login+STAT+QUIT sessions/s, reference vs Dovecot | $a | $b | $(ratio "$a" "$b") | >= 10x |"
  for p in lockstep pipelined; do
    a=$(med "pop_retr_ref_$p"); b=$(med "pop_retr_dovecot_$p")
    echo "| POP3 LIST+RETR of 1,000 messages ($p), msg/s, reference vs Dovecot | $a | $b | $(ratio "$a" "$b") | >= 1.5x |"
  done
  printf '\nmedians of %s alternating rounds, %s messages per SMTP run; %s, %s cores, load %s\n' \
    "$repeats" "$messages" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
)
