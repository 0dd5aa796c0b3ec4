#!/usr/bin/env bash
# Latch benchmark: token endpoint and introspection under wrk — client-credentials tokens/s (RS256, ES256),
# refresh-token grants/s and introspections/s with p50/p90/p99/p99.9 latency at each connection count —
# next to the raw signature rate of the same key on the same crypto provider, measured in the same run on
# this machine; plus restart to first token. Writes bench/results/latest.md and prints it. See
# bench/README.md for how to read it.
#
# Settings (environment): BENCH_SECONDS (each wrk run, default 20), BENCH_WARMUP (wrk warm-up per workload,
# default 8), BENCH_RAW_SECONDS (default 10), BENCH_CONNECTIONS (wrk connection counts, default "16 64"),
# BENCH_PROVIDERS (default "native jdk"), BENCH_WORKLOADS (default "RS256 ES256 refresh introspect floor";
# floor is GET /jwks: the HTTP stack's own cost per request, with no signature, no client and no body),
# BENCH_RESTARTS (default 3), BENCH_JAVA_OPTS (extra JVM options for the server), BENCH_KEEP=1 keeps the
# temporary data directory and server logs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
seconds="${BENCH_SECONDS:-20}"
warmup="${BENCH_WARMUP:-8}"
raw_seconds="${BENCH_RAW_SECONDS:-10}"
connection_counts="${BENCH_CONNECTIONS:-16 64}"
providers="${BENCH_PROVIDERS:-native jdk}"
workloads="${BENCH_WORKLOADS:-RS256 ES256 refresh introspect floor}"
restarts="${BENCH_RESTARTS:-3}"
algs="RS256 ES256"   # the clients' token algorithms (every workload needs the RS256 client)

# say, die, find_jdk, nap, now_ms, CPU accounting (cpu_share, others_share) and start_server/wait_ready/stop_server
source "$here/lib.sh"

# ---------------------------------------------------------------- prerequisites
if ! command -v wrk >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing wrk (apt-get install -y wrk)"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; } \
      || die "could not install wrk; install it ('apt-get install wrk') and run again"
  else
    die "wrk is not installed: run 'sudo apt-get install wrk' (Debian/Ubuntu) or see https://github.com/wg/wrk, then run again"
  fi
fi
command -v curl >/dev/null 2>&1 || die "curl is not installed ('apt-get install curl')"

JAVA="$(find_jdk || true)"
[[ -n "$JAVA" ]] || die "needs a JDK 21+ with javac (set JAVA_HOME or LATCH_JAVA); e.g. 'apt-get install openjdk-21-jdk'"
export LATCH_JAVA="$JAVA"   # the ./latch launcher then runs the server on the same JVM
clear_latch_env

# The launcher builds the jar when it is missing or older than the sources.
"$root/latch" --version >/dev/null || die "building latch failed (try: mvn -B -DskipTests -pl latch-cli -am package)"
jar="$root/latch-cli/target/latch.jar"
classes="$here/target/classes"
mkdir -p "$classes" "$here/results"
"$(dirname "$JAVA")/javac" -nowarn -cp "$jar" -d "$classes" "$here"/src/dev/latch/bench/*.java

# ---------------------------------------------------------------- state and clean-up
work="$(mktemp -d "${TMPDIR:-/tmp}/latch-bench.XXXXXX")"
data="$work/data"
server_pid=""
wrk_pid=""
cleanup() {
  [[ -n "$wrk_pid" ]] && kill "$wrk_pid" 2>/dev/null || true
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# The clients: one per token algorithm, client_secret_basic, and a web client whose refresh tokens the
# refresh workload rotates (made by signing in as bench-user), declared in the YAML configuration.
secret="$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 64)"
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
redirect="http://127.0.0.1:9/cb"   # never followed: SignInLoad reads the code from the Location header
export BENCH_SECRET="$secret" BENCH_PASSWORD="$password"
cat > "$work/config.yaml" <<'EOF'
users:
  - username: bench-user
    password: ${env:BENCH_PASSWORD}
clients:
  - client_id: bench-web
    token_endpoint_auth_method: client_secret_basic
    client_secret: ${env:BENCH_SECRET}
    grant_types: [authorization_code, refresh_token]
    redirect_uris: [http://127.0.0.1:9/cb]
    scope: openid offline_access
    access_token_signed_response_alg: RS256
  - client_id: bench-RS256
    token_endpoint_auth_method: client_secret_basic
    access_token_signed_response_alg: RS256
    client_secret: ${env:BENCH_SECRET}
  - client_id: bench-ES256
    token_endpoint_auth_method: client_secret_basic
    access_token_signed_response_alg: ES256
    client_secret: ${env:BENCH_SECRET}
EOF
basic() { printf '%s:%s' "bench-$1" "$secret" | base64 -w0; }

token_status() { curl -s -o "$work/token.json" -w '%{http_code}' -u "bench-$1:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/token" || true; }
jwt_alg() { # alg of the access token in token.json
  local h; h="$(sed -n 's/.*"access_token":"\([^."]*\)\..*/\1/p' "$work/token.json" | tr '_-' '/+')"
  while (( ${#h} % 4 )); do h="$h="; done
  echo "$h" | base64 -d 2>/dev/null | sed -n 's/.*"alg":"\([^"]*\)".*/\1/p'
}


declare -A R   # results by key, e.g. R[native.RS256.raw], R[native.RS256.64.p99]

# ---------------------------------------------------------------- measurements
# run_wrk WORKLOAD CONNECTIONS SECONDS OUTFILE: one wrk run of a workload (post.lua; its done() prints the summary line)
run_wrk() {
  local workload="$1" conns="$2" secs="$3" out="$4" url="http://127.0.0.1:$port/token"
  local -a env=(BENCH_BASIC="$(basic RS256)" BENCH_BODY="grant_type=client_credentials" BENCH_REFRESH_FILES="" BENCH_METHOD=POST)
  case "$workload" in
    RS256|ES256) env[0]="BENCH_BASIC=$(basic "$workload")" ;;
    introspect) url="http://127.0.0.1:$port/introspect"; env[1]="BENCH_BODY=token=$introspected" ;;
    floor) url="http://127.0.0.1:$port/jwks"; env[3]="BENCH_METHOD=GET" ;;
    refresh) env[0]="BENCH_BASIC=$(printf 'bench-web:%s' "$secret" | base64 -w0)"; refresh_families "$conns"
      env[2]="BENCH_REFRESH_FILES=$work/families." ;;
  esac
  env "${env[@]}" wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/post.lua" "$url" >"$out" &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_pid=""
}
# refresh_families CONNECTIONS: fresh refresh-token families for one wrk run (a rotated token cannot be
# replayed), split between wrk's two threads, a few more than each thread's connections
refresh_families() {
  "$JAVA" -cp "$classes" dev.latch.bench.SignInLoad families --count "$(( $1 + 8 ))" --base "http://127.0.0.1:$port" \
    --client-id bench-web --secret "$secret" --user bench-user --password "$password" --redirect-uri "$redirect" \
    >"$work/families.txt" 2>>"$work/families.log" || { tail -5 "$work/families.log" >&2; die "making refresh-token families failed"; }
  rm -f "$work"/families.[0-9]*
  split -n r/2 -d "$work/families.txt" "$work/families."
}
us_to_ms() { awk -v v="$1" 'BEGIN{printf "%.2f", v/1000}'; }

say "JVM: $JAVA; jar: $jar; work dir: $work; machine: $cores cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
run_facts

raw_signing() { # raw_signing PROVIDER ALG: the server's own key and signer, 2 threads, in a JVM of its own
  local provider="$1" alg="$2" _a rate cpu own other prov
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$jar:$classes" dev.latch.bench.RawSigning --data "$data" \
    --config "$work/config.yaml" --crypto "$provider" --threads 2 --warmup 3 --seconds "$raw_seconds" "$alg" \
    >"$work/raw.txt" 2>>"$work/raw.log" || { tail -20 "$work/raw.log" >&2; die "raw signing failed"; }
  read -r _ _a rate cpu own other prov < "$work/raw.txt"
  R[$provider.$alg.raw]="$rate"; R[$provider.$alg.rawcpu]="$cpu"; R[$provider.provider]="${prov//_/ }"
  R[$provider.$alg.rawother]="$other"
  say "[$provider] raw $alg: $rate signatures/s ($cpu µs CPU each; machine CPU raw/other/idle $own / $other / $(( 100 - own - other < 0 ? 0 : 100 - own - other )) %)"
}

# measure PROVIDER WORKLOAD CONNECTIONS: one measured wrk run; fills R[PROVIDER.WORKLOAD.CONNECTIONS.*]
measure() {
  local provider="$1" w="$2" c="$3" k="$1.$2.$3" out="$work/wrk-$1-$2-$3.txt" busy0 srv0 t0 t1 busy1 srv1
  local _s total non2xx errs starved p50 p90 p99 p999 max wall wrk_cpu srv_cpu all_cpu raw_alg
  say "[$provider] $w: wrk ${seconds}s at $c connections"
  busy0="$(machine_busy)"; srv0="$(proc_cpu "$server_pid")"; t0="$(now_ms)"
  TIMEFORMAT='%U %S'
  { time run_wrk "$w" "$c" "$seconds" "$out" ; } 2>"$work/wrk-time.txt"
  t1="$(now_ms)"; busy1="$(machine_busy)"; srv1="$(proc_cpu "$server_pid")"
  read -r _s _s total _s non2xx _s errs _s starved _s p50 _s p90 _s p99 _s p999 _s max < <(grep '^summary ' "$out") \
    || die "[$provider] $w: no summary from wrk: $(cat "$out")"
  R[$k.rps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$out")"
  R[$k.p50]="$(us_to_ms "$p50")"; R[$k.p90]="$(us_to_ms "$p90")"; R[$k.p99]="$(us_to_ms "$p99")"
  R[$k.p999]="$(us_to_ms "$p999")"; R[$k.max]="$(us_to_ms "$max")"
  # fairness, which CPU taken by other processes hardly changes: p99 over the mean wait (connections ÷ rate, Little's law)
  R[$k.fair]="$(awk -v p="$p99" -v c="$c" -v r="${R[$k.rps]}" 'BEGIN{printf "%.1f", (r>0)?(p/1000)/(1000*c/r):0}')"
  R[$k.errors]="$non2xx"; (( errs > 0 )) && R[$k.errors]+=" (socket errors: $errs)"; (( starved > 0 )) && R[$k.errors]+=" (no token left: $starved)"
  wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1000}')"
  wrk_cpu="$(tail -1 "$work/wrk-time.txt" | awk '{printf "%.3f", $1+$2}')"
  srv_cpu="$(awk -v a="$srv0" -v b="$srv1" -v t="$ticks" 'BEGIN{printf "%.3f", (b-a)/t}')"
  all_cpu="$(awk -v a="$busy0" -v b="$busy1" -v t="$ticks" 'BEGIN{printf "%.3f", (b-a)/t}')"
  R[$k.srvcpu]="$(awk -v c="$srv_cpu" -v n="$total" 'BEGIN{printf "%.1f", c*1e6/n}')"
  R[$k.wrkcpu]="$(awk -v c="$wrk_cpu" -v n="$total" 'BEGIN{printf "%.1f", c*1e6/n}')"
  R[$k.share]="$(cpu_share "$srv_cpu" "$wrk_cpu" "$all_cpu" "$wall")"
  R[$k.wrkother]="$(others_share "$srv_cpu" "$wrk_cpu" "$all_cpu" "$wall")"
  # the ceiling: the raw rate of the algorithm the workload signs with (refresh: RS256, an access and an ID token)
  case "$w" in RS256|ES256) raw_alg="$w" ;; refresh) raw_alg=RS256 ;; *) raw_alg="" ;; esac
  if [[ -n "$raw_alg" && -n "${R[$provider.$raw_alg.raw]:-}" ]]; then
    R[$k.ratio]="$(awk -v a="${R[$k.rps]}" -v b="${R[$provider.$raw_alg.raw]}" 'BEGIN{printf "%.0f %%", 100*a/b}')"
    R[$k.rawref]="${R[$provider.$raw_alg.raw]}"; R[$k.rawother]="${R[$provider.$raw_alg.rawother]}"
    # what the ratio is when nothing but Latch and wrk runs: both rates are cores ÷ CPU per operation
    R[$k.norm]="$(awk -v r="${R[$provider.$raw_alg.rawcpu]}" -v c="$srv_cpu" -v w="$wrk_cpu" -v n="$total" \
      'BEGIN{printf "%.0f %%", 100*r/((c+w)*1e6/n)}')"
  fi
  say "[$provider] $w at $c: ${R[$k.rps]}/s${R[$k.ratio]:+ (${R[$k.ratio]} of raw $raw_alg)}, p50/p90/p99/p99.9 ${R[$k.p50]} / ${R[$k.p90]} / ${R[$k.p99]} / ${R[$k.p999]} ms, non-2xx ${R[$k.errors]}; CPU server/wrk/other/idle ${R[$k.share]}"
}

for provider in $providers; do
  start_server "$provider" 0 --config "$work/config.yaml"
  wait_ready
  for alg in $algs; do
    status="$(token_status "$alg")"
    [[ "$status" == 200 ]] || die "[$provider] bench-$alg got HTTP $status: $(cat "$work/token.json")"
    [[ "$(jwt_alg)" == "$alg" ]] || die "[$provider] bench-$alg got a token signed with $(jwt_alg), not $alg"
  done
  # introspection asks about one RS256 access token, as the client it was issued to (RFC 7662)
  token_status RS256 >/dev/null
  introspected="$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$work/token.json")"
  [[ "$(curl -s -u "bench-RS256:$secret" -d "token=$introspected" "http://127.0.0.1:$port/introspect")" == '{"active":true'* ]] \
    || die "[$provider] introspection of a fresh token did not answer active"
  # Warm up every workload before measuring any: the JIT compiles the shared token path on the first.
  for w in $workloads; do
    say "[$provider] $w: wrk warm-up ${warmup}s"
    run_wrk "$w" "${connection_counts%% *}" "$warmup" "$work/wrk-warm.txt"
  done
  # Raw rate and token rate of one algorithm are measured back to back (the server idles during the
  # raw run), so a change in what else the machine runs skews their ratio as little as it can.
  for w in $workloads; do
    case "$w" in RS256|ES256) raw_signing "$provider" "$w" ;; esac
    for c in $connection_counts; do measure "$provider" "$w" "$c"; done
  done
  stop_server
done

# Restart to first token: the data directory exists and the jar is built; time from launching the
# server until the first successful token response, polling /token every 5 ms.
restart_provider="${providers%% *}"
[[ -n "$port" ]] || die "no port known for the restart measurement"
restart_once() { # restart_once java|launcher: sets elapsed (ms)
  local how="$1" t0 status
  : > "$work/server.out"
  t0="$(now_ms)"
  if [[ "$how" == java ]]; then
    "$JAVA" --enable-native-access=ALL-UNNAMED ${BENCH_JAVA_OPTS:-} -jar "$jar" serve --data "$data" --config "$work/config.yaml" \
      --port "$port" --management-port 0 --crypto "$restart_provider" >"$work/server.out" 2>>"$work/server.log" &
    server_pid=$!
  else
    start_server "$restart_provider" "$port" --config "$work/config.yaml"
  fi
  while :; do
    status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -u "bench-RS256:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/token" || true)"
    [[ "$status" == 200 ]] && break
    kill -0 "$server_pid" 2>/dev/null || { tail -5 "$work/server.log" >&2; die "the server stopped during restart"; }
    (( $(now_ms) - t0 < 60000 )) || die "no token within 60 s of restart"
    nap 0.005
  done
  elapsed=$(( $(now_ms) - t0 ))
  elapsed_cpu=$(( $(proc_cpu "$server_pid") * 1000 / ticks ))
  stop_server
}
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
for how in java launcher; do
  times=(); cpus=()
  for _ in $(seq "$restarts"); do restart_once "$how"; times+=("$elapsed"); cpus+=("$elapsed_cpu"); done
  R[restart.$how]="$(echo "${times[@]}" | median)"
  R[restart.$how.all]="${times[*]}"
  R[restart.$how.cpu]="$(echo "${cpus[@]}" | median)"
  say "restart to first token ($how): ${times[*]} ms (server CPU ${cpus[*]} ms)"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
below() { awk -v v="$1" -v t="$2" 'BEGIN{exit !(v+0 < t+0)}'; }
atleast() { awk -v v="$1" -v t="$2" 'BEGIN{exit !(v+0 >= t+0)}'; }
# target PROVIDER WORKLOAD CONNECTIONS -> the issue's target for the row and whether it was met
target() {
  local k="$1.$2.$3" text="p99 < 30 ms" ok=1
  [[ "$2" == floor ]] && { printf 'none (the cost every request pays before any OAuth work)'; return 0; }
  below "${R[$k.p99]}" 30 || ok=0
  case "$1.$2" in
    native.RS256) text="≥ 80 % of raw, $text"; atleast "$(awk -v a="${R[$k.rps]}" -v b="${R[$k.rawref]:-0}" 'BEGIN{print (b>0)?100*a/b:0}')" 80 || ok=0 ;;
    native.ES256) text="≥ 10,000/s, $text"; atleast "${R[$k.rps]}" 10000 || ok=0 ;;
    jdk.ES256) text="≥ 2,500/s, $text"; atleast "${R[$k.rps]}" 2500 || ok=0 ;;
  esac
  [[ "${R[$k.errors]}" == 0 ]] || ok=0
  printf '%s: **%s**' "$text" "$( ((ok)) && echo met || echo missed)"
  local o="${R[$k.rawother]:-}" w="${R[$k.wrkother]:-0}"
  if [[ -n "$o" ]]; then
    (( o > 10 || w > 10 )) && printf ' (⚠ others used %s %% / %s %% of the CPU during raw / wrk)' "$o" "$w"
  else
    (( w > 10 )) && printf ' (⚠ others used %s %% of the CPU during wrk)' "$w"
  fi
  return 0
}
label() {
  case "$1" in
    RS256|ES256) echo "client credentials, $1" ;;
    refresh) echo "refresh grant (RS256 access + ID token)" ;;
    introspect) echo "introspection (RS256 JWT)" ;;
    floor) echo "HTTP floor: GET /jwks (no signature)" ;;
  esac
}
{
  echo "# Latch benchmark — $started"
  echo
  echo "Machine: $cores cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load average before the run: $load_before."
  echo "JVM: $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p') ($JAVA). Latch: $commit."
  echo "Load: \`wrk -t2 -cN -d${seconds}s --latency -s bench/post.lua URL\` at N = $connection_counts connections, after a ${warmup} s warm-up"
  echo "of each workload; client_secret_basic throughout. Latency percentiles are wrk's (its \`done()\` prints p99.9)."
  echo "Raw: the server's own key and Nimbus signer, 2 threads, ${raw_seconds} s, right before the workload's wrk runs."
  echo
  echo "| provider | workload | conn. | **requests/s** | raw signatures/s | **÷ raw** | CPU-normalised ÷ raw | p50 | p90 | **p99** | **p99.9** | max | p99 ÷ mean | non-2xx | CPU per request: server / wrk | machine CPU: server / wrk / others / idle | target |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
  for p in $providers; do for w in $workloads; do for c in $connection_counts; do
    k="$p.$w.$c"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s ms | %s ms | %s ms | %s ms | %s ms | %s | %s | %s / %s µs | %s | %s |\n' \
      "$p" "$(label "$w")" "$c" "${R[$k.rps]}" "${R[$k.rawref]:-—}" "${R[$k.ratio]:-—}" "${R[$k.norm]:-—}" \
      "${R[$k.p50]}" "${R[$k.p90]}" "${R[$k.p99]}" "${R[$k.p999]}" "${R[$k.max]}" "${R[$k.fair]}" "${R[$k.errors]}" \
      "${R[$k.srvcpu]}" "${R[$k.wrkcpu]}" "${R[$k.share]}" "$(target "$p" "$w" "$c")"
  done; done; done
  echo
  echo "Raw CPU per signature: $(for p in $providers; do for a in $algs; do [[ -n "${R[$p.$a.rawcpu]:-}" ]] && printf '%s %s %s µs; ' "$p" "$a" "${R[$p.$a.rawcpu]}"; done; done)"
  echo "Providers: $(for p in $providers; do printf '%s = %s; ' "$p" "${R[$p.provider]:-not measured}"; done)"
  # where an RS256 token's CPU goes: the raw signature, the HTTP floor every request pays, and the rest
  # (client authentication, claims, JSON, the hand-off to the signing pool); and the ÷ raw ratio that
  # this floor alone would allow if everything else cost nothing
  for p in $providers; do
    c="${connection_counts%% *}"
    if [[ -n "${R[$p.RS256.$c.srvcpu]:-}" && -n "${R[$p.floor.$c.srvcpu]:-}" && -n "${R[$p.RS256.rawcpu]:-}" ]]; then
      echo "$p RS256 at $c connections, server CPU per token ${R[$p.RS256.$c.srvcpu]} µs = raw signature ${R[$p.RS256.rawcpu]} µs + HTTP floor ${R[$p.floor.$c.srvcpu]} µs + the rest $(awk -v t="${R[$p.RS256.$c.srvcpu]}" -v r="${R[$p.RS256.rawcpu]}" -v f="${R[$p.floor.$c.srvcpu]}" 'BEGIN{printf "%.1f", t-r-f}') µs; with wrk's ${R[$p.RS256.$c.wrkcpu]} µs per request the floor alone caps ÷ raw at $(awk -v r="${R[$p.RS256.rawcpu]}" -v f="${R[$p.floor.$c.srvcpu]}" -v w="${R[$p.RS256.$c.wrkcpu]}" 'BEGIN{printf "%.0f %%", 100*r/(r+f+w)}'), and 80 % leaves $(awk -v r="${R[$p.RS256.rawcpu]}" -v f="${R[$p.floor.$c.srvcpu]}" -v w="${R[$p.RS256.$c.wrkcpu]}" 'BEGIN{printf "%.0f", r/0.8-r-f-w}') µs for everything else."
    fi
  done
  echo
  if (( restarts > 0 )); then
    echo "Restart to first token (existing data directory, built jar; from launching the server to the first 200 from /token,"
    echo "polled every 5 ms; median of $restarts; target < 2 s). Load average at the end: $load_after."
    echo
    echo "| command | wall time to first token | server CPU until then | runs (ms) | target |"
    echo "|---|---:|---:|---|---|"
    for how in launcher java; do
      case "$how" in
        launcher) label='`./latch serve` (launcher: class-data archive beside the jar)' ;;
        java) label='`java -jar latch-cli/target/latch.jar serve` (no archive)' ;;
      esac
      ms="${R[restart.$how]}"
      echo "| $label | $ms ms | ${R[restart.$how.cpu]} ms | ${R[restart.$how.all]} | $( (( ms < 2000 )) && echo met || echo missed) |"
    done
  else
    echo "Restart to first token: not measured (BENCH_RESTARTS=0)."
  fi
} > "$here/results/latest.md"
cat "$here/results/latest.md"
