#!/usr/bin/env bash
# Cluster benchmark (issue 14): client-credentials tokens/s and authorization-code round trips/s with one
# `latch serve` node and with two, on one PostgreSQL behind HAProxy (round-robin), same machine, same run.
# Reports the ratio and what limits it: where the CPU went (the nodes, PostgreSQL, HAProxy, the load
# generator) and what PostgreSQL did per operation (transactions and rows, from pg_stat_database deltas).
# Writes bench/results/cluster.md and prints it. See bench/README.md ("Cluster"). Not part of `mvn verify`.
#
# Settings (environment): BENCH_SECONDS (measured run per figure, default 20), BENCH_WARMUP (default 8),
# BENCH_CONNECTIONS (wrk connections for client credentials, default 32), BENCH_WORKERS (simulated browsers
# for the round trips, default 16), BENCH_CRYPTO (default native), BENCH_JAVA_OPTS (extra JVM options for
# the nodes), BENCH_PG (PostgreSQL as host:port, default 127.0.0.1:5432; user postgres with trust
# authentication, or BENCH_PG_USER), BENCH_KEEP=1 keeps the work directory. A database latch_bench_<random>
# is created for the run and dropped at the end.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=lib.sh
source "$here/lib.sh"
seconds="${BENCH_SECONDS:-20}"
warmup="${BENCH_WARMUP:-8}"
conns="${BENCH_CONNECTIONS:-32}"
workers="${BENCH_WORKERS:-16}"
crypto="${BENCH_CRYPTO:-native}"
pg="${BENCH_PG:-127.0.0.1:5432}"
pg_host="${pg%:*}"; pg_port="${pg##*:}"
pg_user="${BENCH_PG_USER:-postgres}"

for tool in wrk haproxy psql curl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (Debian: apt-get install wrk haproxy postgresql-client curl)"
done
psql_admin() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "${2:-postgres}" -c "$1"; }
psql_admin "SELECT 1" >/dev/null || die "PostgreSQL does not answer at $pg as $pg_user (trust authentication)"

build_bench

work="$(mktemp -d "${TMPDIR:-/tmp}/latch-cluster.XXXXXX")"
dbname="latch_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
load_pid=""
cleanup() {
  [[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null || true
  stop_started
  psql_admin "DROP DATABASE IF EXISTS $dbname" >/dev/null 2>&1 || say "could not drop database $dbname"
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_admin "CREATE DATABASE $dbname" >/dev/null
jdbc="jdbc:postgresql://$pg_host:$pg_port/$dbname"
# every node (and every admin command) has the same master key and the balancer's URL as its issuer
LATCH_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
LATCH_DB_USER="$pg_user"
export LATCH_MASTER_KEY LATCH_DB_USER
lb_port="$(free_port)"
issuer="http://127.0.0.1:$lb_port"

# Argon2id at 1 MiB and 1 pass instead of the default 19 MiB and 2: the round trips then measure the cluster path (pages,
# sessions, codes, tokens, the database) rather than password hashing, which bench/signin.sh measures at the defaults
argon_kib="${BENCH_ARGON2_KIB:-1024}"; argon_t="${BENCH_ARGON2_ITERATIONS:-1}"
printf 'passwords:\n  argon2id:\n    memory-kib: %s\n    iterations: %s\n' "$argon_kib" "$argon_t" >"$work/latch.yaml"
latch() { "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"; }
user="bench-user"
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
secret="$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 64)"
redirect="http://127.0.0.1:9/cb"   # never followed: the load reads the code from the Location header
export BENCH_SECRET="$secret"

say "JVM: $JAVA; work dir: $work; database $dbname on $pg; machine: $cores cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
printf '%s\n' "$password" | latch users add "$user" --db "$jdbc" --config "$work/latch.yaml" --password-stdin -q >/dev/null || die "latch users add failed"
latch clients add --db "$jdbc" --client-id bench-web --name "Bench Web" --auth-method client_secret_basic \
  --secret '${env:BENCH_SECRET}' --grant-type authorization_code,refresh_token --redirect-uri "$redirect" \
  --scope "openid offline_access" -q >/dev/null || die "latch clients add failed"
latch clients add --db "$jdbc" --client-id bench-m2m --auth-method client_secret_basic --secret '${env:BENCH_SECRET}' \
  --grant-type client_credentials -q >/dev/null || die "latch clients add failed"

# start_node NAME: `latch serve` on the shared database with free public and management ports
declare -A node_pid node_port node_mgmt
start_node() {
  local name="$1" p m
  p="$(free_port)"; m="$(free_port)"
  LATCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-}" "$root/latch" serve --db "$jdbc" --issuer "$issuer" --port "$p" --management-port "$m" \
    --crypto "$crypto" --data "$work/data-$name" --config "$work/latch.yaml" >"$work/$name.out" 2>"$work/$name.err" &
  node_pid[$name]=$!; node_port[$name]="$p"; node_mgmt[$name]="$m"
  started_pids+=("$!")
  wait_line "$work/$name.out" '^Latch is ready' "$!"
  say "node $name on 127.0.0.1:$p (management $m, pid ${node_pid[$name]})"
}

# start_balancer NODE...: HAProxy on the issuer's port, round-robin over the nodes, health checks on /healthz
haproxy_pid=""
start_balancer() {
  local n
  {
    printf 'global\n    maxconn 4096\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n'
    printf 'frontend latch\n    bind 127.0.0.1:%s\n    option forwardfor\n    default_backend latch_nodes\n' "$lb_port"
    printf 'backend latch_nodes\n    balance roundrobin\n    option httpchk GET /healthz\n    http-check expect status 200\n'
    for n in "$@"; do printf '    server %s 127.0.0.1:%s check port %s inter 1s\n' "$n" "${node_port[$n]}" "${node_mgmt[$n]}"; done
  } >"$work/haproxy.cfg"
  haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.out" 2>&1 &
  haproxy_pid=$!
  started_pids+=("$haproxy_pid")
  wait_http "$issuer/jwks" "$haproxy_pid"
  # every node answers through the balancer before measuring (HAProxy marks a node up after its first check)
  local deadline=$(( $(now_ms) + 30000 ))
  until [[ "$(for _ in $(seq $(( 2 * $# ))); do curl -s -o /dev/null -w '%{http_code}\n' "$issuer/jwks"; done | sort -u)" == 200 ]]; do
    (( $(now_ms) < deadline )) || die "the balancer did not answer 200 from every node within 30 s: $(cat "$work/haproxy.out")"
    nap 0.2
  done
}

postgres_pids() { pgrep -x postgres 2>/dev/null || pgrep -f '^postgres:' 2>/dev/null || true; }
# CPU ticks of every postgres process, read in one pass (a process per pid would take seconds on a busy machine)
pg_cpu() {
  local files=() p
  for p in $(postgres_pids); do files+=("/proc/$p/stat"); done
  (( ${#files[@]} )) || { echo 0; return; }
  awk '{s += $14 + $15} END {print s + 0}' "${files[@]}" 2>/dev/null || echo 0
}
# transactions and rows of the run's database: xact_commit tup_returned tup_fetched tup_inserted tup_updated tup_deleted
pg_counters() {
  psql_admin "SELECT pg_stat_clear_snapshot()" >/dev/null
  psql_admin "SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = '$dbname'" \
    | tr '|' ' '
}

nodes_cpu() { local p s=0; for p in "${node_pid[@]}"; do s=$(( s + $(proc_cpu "$p") )); done; echo "$s"; }

declare -A R
run_facts

# window_start / window_end LABEL OPS: CPU of nodes, PostgreSQL, HAProxy and the machine and the database counters
# around a measured run; fills R[LABEL.*] per operation.
window_start() {
  read -r -a w_db0 < <(pg_counters)
  w_t0="$(now_ms)"; w_busy0="$(machine_busy)"; w_nodes0="$(nodes_cpu)"; w_pg0="$(pg_cpu)"; w_lb0="$(proc_cpu "$haproxy_pid")"
}
window_end() {
  local label="$1" ops="$2" loadcpu="$3" t1 busy1 nodes1 pg1 lb1 wall
  t1="$(now_ms)"; busy1="$(machine_busy)"; nodes1="$(nodes_cpu)"; pg1="$(pg_cpu)"; lb1="$(proc_cpu "$haproxy_pid")"
  # PostgreSQL 15 backends report their counts at most once a second while busy and 10 s after going idle: wait for the last
  nap 11
  local -a db1; read -r -a db1 < <(pg_counters)
  wall="$(awk -v a="$w_t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1000}')"
  share() { awk -v c="$1" -v t="$ticks" -v w="$wall" -v k="$cores" 'BEGIN{printf "%.0f", 100*c/t/(w*k)}'; }
  per_op_ms() { awk -v c="$1" -v t="$ticks" -v n="$ops" 'BEGIN{printf "%.2f", (n>0)?c*1000/t/n:0}'; }
  R[$label.nodes]="$(share $(( nodes1 - w_nodes0 )))"
  R[$label.pg]="$(share $(( pg1 - w_pg0 )))"
  R[$label.lb]="$(share $(( lb1 - w_lb0 )))"
  R[$label.load]="$(awk -v c="$loadcpu" -v w="$wall" -v k="$cores" 'BEGIN{printf "%.0f", 100*c/(w*k)}')"
  R[$label.idle]="$(awk -v b="$(( busy1 - w_busy0 ))" -v t="$ticks" -v w="$wall" -v k="$cores" 'BEGIN{i=100-100*b/t/(w*k); if (i<0) i=0; printf "%.0f", i}')"
  R[$label.pgms]="$(per_op_ms $(( pg1 - w_pg0 )))"
  R[$label.nodems]="$(per_op_ms $(( nodes1 - w_nodes0 )))"
  R[$label.xact]="$(awk -v d="$(( db1[0] - w_db0[0] ))" -v n="$ops" 'BEGIN{printf "%.2f", (n>0)?d/n:0}')"
  R[$label.read]="$(awk -v d="$(( db1[1] + db1[2] - w_db0[1] - w_db0[2] ))" -v n="$ops" 'BEGIN{printf "%.1f", (n>0)?d/n:0}')"
  say "$label: raw: wall ${wall}s, ops $ops, ticks nodes $(( nodes1 - w_nodes0 )) postgres $(( pg1 - w_pg0 )) haproxy $(( lb1 - w_lb0 )) machine $(( busy1 - w_busy0 )), load ${loadcpu}s, database ${w_db0[*]} -> ${db1[*]}"
  R[$label.write]="$(awk -v d="$(( db1[3] + db1[4] + db1[5] - w_db0[3] - w_db0[4] - w_db0[5] ))" -v n="$ops" 'BEGIN{printf "%.2f", (n>0)?d/n:0}')"
}

# cc LABEL: client-credentials tokens through the balancer, wrk with post.lua
cc() {
  local label="$1" out="$work/wrk-$1.txt" _s total non2xx errs p50 p99 t
  say "$label: client credentials, wrk ${warmup}s warm-up, ${seconds}s measured at $conns connections"
  BENCH_BASIC="$(printf 'bench-m2m:%s' "$secret" | base64 -w0)" wrk -t2 -c"$conns" -d"${warmup}s" -s "$here/post.lua" "$issuer/token" >/dev/null
  window_start
  { time BENCH_BASIC="$(printf 'bench-m2m:%s' "$secret" | base64 -w0)" wrk -t2 -c"$conns" -d"${seconds}s" --latency \
      -s "$here/post.lua" "$issuer/token" >"$out"; } 2>"$work/wrk-time.txt"
  read -r _s _s total _s non2xx _s errs _s _s _s p50 _s _s _s p99 _s _s _s _s < <(grep '^summary ' "$out") || die "$label: no summary from wrk: $(cat "$out")"
  t="$(awk '/^(user|sys)/{split($2,a,"m"); sub("s","",a[2]); s+=a[1]*60+a[2]} END{printf "%.3f", s}' "$work/wrk-time.txt")"
  window_end "$label" "$total" "$t"
  R[$label.rate]="$(awk -v n="$total" -v s="$seconds" 'BEGIN{printf "%.0f", n/s}')"
  R[$label.p50]="$(awk -v u="$p50" 'BEGIN{printf "%.1f", u/1000}')"; R[$label.p99]="$(awk -v u="$p99" 'BEGIN{printf "%.1f", u/1000}')"
  R[$label.errors]=$(( non2xx + errs ))
  say "$label: ${R[$label.rate]}/s, p99 ${R[$label.p99]} ms, errors ${R[$label.errors]}; CPU nodes/pg/haproxy/wrk/idle ${R[$label.nodes]}/${R[$label.pg]}/${R[$label.lb]}/${R[$label.load]}/${R[$label.idle]} %; per token: ${R[$label.xact]} transactions, ${R[$label.read]} rows read, ${R[$label.write]} written"
}

# roundtrip LABEL: authorization-code round trips through the balancer (SignInLoad, a new browser each)
roundtrip() {
  local label="$1" out="$work/load-$1.txt" _m ops secs rate p50 p99 errs busy503 loadcpu
  say "$label: auth-code round trips, ${warmup}s warm-up, ${seconds}s measured, $workers workers"
  "$JAVA" -cp "$classes" dev.latch.bench.SignInLoad roundtrip --base "$issuer" --client-id bench-web --secret "$secret" \
    --user "$user" --password "$password" --redirect-uri "$redirect" --workers "$workers" --warmup "$warmup" \
    --seconds "$seconds" >"$out" 2>"$work/load-$label.err" &
  load_pid=$!
  until grep -q '^WARM' "$out" 2>/dev/null; do
    kill -0 "$load_pid" 2>/dev/null || { cat "$work/load-$label.err" "$out" >&2; die "$label: the load program stopped"; }
    nap 0.02
  done
  window_start
  wait "$load_pid" || { cat "$work/load-$label.err" >&2; die "$label: the load program failed"; }
  load_pid=""
  read -r _m _m ops secs rate p50 p99 errs busy503 loadcpu < <(grep '^RESULT' "$out")
  window_end "$label" "$ops" "$loadcpu"
  R[$label.rate]="$(awk -v r="$rate" 'BEGIN{printf "%.0f", r}')"; R[$label.p50]="$p50"; R[$label.p99]="$p99"
  R[$label.errors]=$(( errs + busy503 ))
  R[$label.first]="$(sed -n 's/^FIRST-ERROR //p' "$out")"
  say "$label: ${R[$label.rate]}/s, p99 ${R[$label.p99]} ms, errors ${R[$label.errors]}; CPU nodes/pg/haproxy/load/idle ${R[$label.nodes]}/${R[$label.pg]}/${R[$label.lb]}/${R[$label.load]}/${R[$label.idle]} %; per round trip: ${R[$label.xact]} transactions, ${R[$label.read]} rows read, ${R[$label.write]} written"
}

start_node a
start_balancer a
cc one.cc
roundtrip one.rt
stop_pid "$haproxy_pid"
start_node b
start_balancer a b
cc two.cc
roundtrip two.rt
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
pg_version="$(psql_admin "SHOW server_version")"

ratio() { awk -v a="${R[two.$1.rate]}" -v b="${R[one.$1.rate]}" 'BEGIN{printf "%.2f", (b>0)?a/b:0}'; }
{
  echo "# Latch cluster benchmark — $started"
  echo
  echo "Machine: $cores cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)); load average before: $load_before, after: $load_after."
  echo "JVM: $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p'). Latch: $commit, \`latch serve --crypto $crypto\`;"
  echo "PostgreSQL $pg_version on the same machine, one database for the run; HAProxy $(haproxy -v | sed -n '1s/^HAProxy version \([^ ]*\).*/\1/p'), round-robin, health checks on \`/healthz\`."
  echo "Everything goes through the balancer. Client credentials: \`wrk -t2 -c$conns\` (bench/post.lua, client_secret_basic, RS256 JWT);"
  echo "auth-code round trips: \`SignInLoad roundtrip\` (bench/src), $workers workers, each GET /authorize, POST login (Argon2id at"
  echo "m=$argon_kib KiB, t=$argon_t, so the figure is the cluster path rather than password hashing: bench/signin.sh measures that), consent once,"
  echo "POST /token with PKCE. ${warmup} s warm-up, then ${seconds} s measured per figure."
  echo
  echo "| | client credentials, 1 node | 2 nodes | auth-code round trips, 1 node | 2 nodes |"
  echo "|---|---:|---:|---:|---:|"
  row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "${R[one.cc.$2]}${3:-}" "${R[two.cc.$2]}${3:-}" "${R[one.rt.$2]}${3:-}" "${R[two.rt.$2]}${3:-}"; }
  row "**operations/s**" rate
  printf '| **2 nodes ÷ 1 node** | | **%s** | | **%s** |\n' "$(ratio cc)" "$(ratio rt)"
  row "latency p50" p50 " ms"
  row "latency p99" p99 " ms"
  row "errors" errors
  row "machine CPU: Latch nodes" nodes " %"
  row "machine CPU: PostgreSQL" pg " %"
  row "machine CPU: HAProxy" lb " %"
  row "machine CPU: load generator" load " %"
  row "machine idle" idle " %"
  row "Latch CPU per operation (all nodes)" nodems " ms"
  row "PostgreSQL CPU per operation" pgms " ms"
  row "PostgreSQL transactions per operation" xact
  row "rows read per operation" read
  row "rows written per operation" write
  echo
  echo "Transactions are \`pg_stat_database.xact_commit\` deltas (each autocommit statement is one; the pool's"
  echo "connection checks count too), rows read \`tup_returned + tup_fetched\`, rows written \`tup_inserted + tup_updated +"
  echo "tup_deleted\`; CPU from \`/proc\` for the node JVMs, every \`postgres\` process, HAProxy and the machine."
  for l in one.rt two.rt; do
    [[ -n "${R[$l.first]:-}" ]] && echo && echo "First error ($l): \`${R[$l.first]}\`"
  done
  true
} > "$here/results/cluster.md"
cat "$here/results/cluster.md"
