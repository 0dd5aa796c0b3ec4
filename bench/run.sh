#!/usr/bin/env bash
# Latch benchmark: client-credentials tokens/s and latency under wrk, next to the raw signature rate of
# the same key on the same crypto provider, measured in one run on this machine; plus restart to first
# token. Writes bench/results/latest.md and prints it. See bench/README.md for how to read it.
#
# Settings (environment): BENCH_SECONDS (wrk run, default 20), BENCH_WARMUP (wrk warm-up per client, default 8),
# BENCH_RAW_SECONDS (default 10), BENCH_CONNECTIONS (default 16), BENCH_PROVIDERS (default "native jdk"),
# BENCH_RESTARTS (default 3), BENCH_JAVA_OPTS (extra JVM options for the server), BENCH_KEEP=1 keeps the
# temporary data directory and server logs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
seconds="${BENCH_SECONDS:-20}"
warmup="${BENCH_WARMUP:-8}"
raw_seconds="${BENCH_RAW_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-16}"
providers="${BENCH_PROVIDERS:-native jdk}"
restarts="${BENCH_RESTARTS:-3}"
algs="RS256 ES256"

# say, die, find_jdk, nap, now_ms, CPU accounting and start_server/wait_ready/stop_server
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
# Settings from the caller's environment (LATCH_DB_URL, LATCH_MASTER_KEY…) must not reach the bench instance.
for v in $(compgen -e | grep '^LATCH_' || true); do [[ "$v" == LATCH_JAVA ]] || unset "$v"; done

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


# The clients: one per token algorithm, client_secret_basic, declared in the YAML configuration.
secret="$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 64)"
export BENCH_SECRET="$secret"
cat > "$work/config.yaml" <<'EOF'
clients:
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


declare -A R   # results by key, e.g. R[native.RS256.raw]

# ---------------------------------------------------------------- measurements
run_wrk() { # run_wrk ALG SECONDS OUTFILE -> wrk's output; sets wrk_cpu (core-seconds)
  local alg="$1" secs="$2" out="$3"
  BENCH_BASIC="$(basic "$alg")" wrk -t2 -c"$connections" -d"${secs}s" --latency -s "$here/post.lua" "http://127.0.0.1:$port/token" >"$out" &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_pid=""
}
to_ms() { # wrk latency (e.g. 612.00us, 1.23ms, 2.01s) in ms
  awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}

say "JVM: $JAVA; jar: $jar; work dir: $work; machine: $cores cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"

raw_signing() { # raw_signing PROVIDER ALG: the server's own key and signer, 2 threads, in a JVM of its own
  local provider="$1" alg="$2" _a rate cpu own other prov
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$jar:$classes" dev.latch.bench.RawSigning --data "$data" \
    --config "$work/config.yaml" --crypto "$provider" --threads 2 --warmup 3 --seconds "$raw_seconds" "$alg" \
    >"$work/raw.txt" 2>>"$work/raw.log" || { tail -20 "$work/raw.log" >&2; die "raw signing failed"; }
  read -r _ _a rate cpu own other prov < "$work/raw.txt"
  R[$provider.$alg.raw]="$rate"; R[$provider.$alg.rawcpu]="$cpu"; R[$provider.provider]="${prov//_/ }"
  R[$provider.$alg.rawshare]="$own / $other / $(( 100 - own - other < 0 ? 0 : 100 - own - other )) %"
  R[$provider.$alg.rawother]="$other"
  say "[$provider] raw $alg: $rate signatures/s ($cpu µs CPU each; machine CPU raw/other/idle ${R[$provider.$alg.rawshare]})"
}

for provider in $providers; do
  start_server "$provider" 0 --config "$work/config.yaml"
  wait_ready
  for alg in $algs; do
    status="$(token_status "$alg")"
    [[ "$status" == 200 ]] || die "[$provider] bench-$alg got HTTP $status: $(cat "$work/token.json")"
    [[ "$(jwt_alg)" == "$alg" ]] || die "[$provider] bench-$alg got a token signed with $(jwt_alg), not $alg"
  done
  # Warm up every client before measuring any: the JIT compiles the shared token path on the first.
  for alg in $algs; do
    say "[$provider] $alg: wrk warm-up ${warmup}s"
    run_wrk "$alg" "$warmup" "$work/wrk-warm.txt"
  done
  # Raw rate and token rate of one algorithm are measured back to back (the server idles during the
  # raw run), so a change in what else the machine runs skews their ratio as little as it can.
  for alg in $algs; do
    raw_signing "$provider" "$alg"
    say "[$provider] $alg: wrk ${seconds}s at $connections connections"
    busy0="$(machine_busy)"; srv0="$(proc_cpu "$server_pid")"; t0="$(now_ms)"
    TIMEFORMAT='%U %S'
    { time run_wrk "$alg" "$seconds" "$work/wrk-$provider-$alg.txt" ; } 2>"$work/wrk-time.txt"
    t1="$(now_ms)"; busy1="$(machine_busy)"; srv1="$(proc_cpu "$server_pid")"
    out="$work/wrk-$provider-$alg.txt"
    rps="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$out")"
    total="$(awk '/requests in/{print $1}' "$out")"
    non2xx="$(awk '/Non-2xx/{print $NF}' "$out")"; non2xx="${non2xx:-0}"
    sockerr="$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$out")"
    p50="$(to_ms "$(awk '$1=="50%"{print $2}' "$out")")"
    p90="$(to_ms "$(awk '$1=="90%"{print $2}' "$out")")"
    p99="$(to_ms "$(awk '$1=="99%"{print $2}' "$out")")"
    wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1000}')"
    wrk_cpu="$(tail -1 "$work/wrk-time.txt" | awk '{printf "%.3f", $1+$2}')"
    srv_cpu="$(awk -v a="$srv0" -v b="$srv1" -v t="$ticks" 'BEGIN{printf "%.3f", (b-a)/t}')"
    all_cpu="$(awk -v a="$busy0" -v b="$busy1" -v t="$ticks" 'BEGIN{printf "%.3f", (b-a)/t}')"
    R[$provider.$alg.rps]="$rps"; R[$provider.$alg.p50]="$p50"; R[$provider.$alg.p90]="$p90"; R[$provider.$alg.p99]="$p99"
    R[$provider.$alg.errors]="$non2xx${sockerr:+ (socket: $sockerr)}"
    R[$provider.$alg.ratio]="$(awk -v a="$rps" -v b="${R[$provider.$alg.raw]}" 'BEGIN{printf "%.0f %%", 100*a/b}')"
    R[$provider.$alg.srvcpu]="$(awk -v c="$srv_cpu" -v n="$total" 'BEGIN{printf "%.1f", c*1e6/n}')"
    R[$provider.$alg.wrkcpu]="$(awk -v c="$wrk_cpu" -v n="$total" 'BEGIN{printf "%.1f", c*1e6/n}')"
    R[$provider.$alg.cpus]="${R[$provider.$alg.srvcpu]} / ${R[$provider.$alg.wrkcpu]}"
    # What the ratio is when nothing but Latch and wrk runs: both rates are cores ÷ CPU per operation.
    R[$provider.$alg.norm]="$(awk -v r="${R[$provider.$alg.rawcpu]}" -v c="$srv_cpu" -v w="$wrk_cpu" -v n="$total" \
      'BEGIN{printf "%.0f %%", 100*r/((c+w)*1e6/n)}')"
    R[$provider.$alg.share]="$(awk -v s="$srv_cpu" -v w="$wrk_cpu" -v a="$all_cpu" -v t="$wall" -v k="$cores" \
      'BEGIN{o=a-s-w; if (o<0) o=0; printf "%.0f / %.0f / %.0f / %.0f %%", 100*s/(t*k), 100*w/(t*k), 100*o/(t*k), 100*(1-a/(t*k))}')"
    R[$provider.$alg.wrkother]="$(awk -v s="$srv_cpu" -v w="$wrk_cpu" -v a="$all_cpu" -v t="$wall" -v k="$cores" \
      'BEGIN{o=a-s-w; if (o<0) o=0; printf "%.0f", 100*o/(t*k)}')"
    say "[$provider] $alg: $rps tokens/s (${R[$provider.$alg.ratio]} of raw), p50 $p50 ms, p99 $p99 ms, non-2xx $non2xx; CPU server/wrk/other/idle ${R[$provider.$alg.share]}"
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
pass() { awk -v v="$1" -v t="$2" 'BEGIN{print (v+0 >= t+0) ? "met" : "missed"}'; }
noisy() { # a warning when other processes took more than 10 % of the machine while raw or wrk ran
  local o="${R[$1.$2.rawother]:-0}" w="${R[$1.$2.wrkother]:-0}"
  (( o > 10 || w > 10 )) && printf ' (⚠ other processes used %s %% / %s %% of the CPU during raw / wrk)' "$o" "$w"
  return 0
}
target_for() { # provider alg -> "text|value-to-compare|threshold"
  case "$1.$2" in
    native.RS256) echo "≥ 80 % of raw|$(awk -v a="${R[native.RS256.rps]}" -v b="${R[native.RS256.raw]}" 'BEGIN{print 100*a/b}')|80" ;;
    native.ES256) echo "≥ 10,000/s|${R[native.ES256.rps]}|10000" ;;
    jdk.ES256) echo "≥ 2,500/s|${R[jdk.ES256.rps]}|2500" ;;
    *) echo "—||" ;;
  esac
}
{
  echo "# Latch benchmark — $started"
  echo
  echo "Machine: $cores cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), load average before the run: $load_before."
  echo "JVM: $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p') ($JAVA). Latch: $commit."
  echo "Load: \`wrk -t2 -c$connections -d${seconds}s --latency -s bench/post.lua http://127.0.0.1:PORT/token\` after a ${warmup} s warm-up of each client;"
  echo "client_credentials with client_secret_basic, one client per token algorithm. Raw: the server's own key and Nimbus signer, 2 threads, ${raw_seconds} s."
  echo
  printf '| | '; for p in $providers; do for a in $algs; do printf '%s %s | ' "$a" "$p"; done; done; echo
  printf '|---|'; for p in $providers; do for a in $algs; do printf -- '---:|'; done; done; echo
  row() { local label="$1" key="$2" unit="${3:-}" v; printf '| %s | ' "$label"
    for p in $providers; do for a in $algs; do v="${R[$p.$a.$key]:-}"; if [[ -n "$v" ]]; then printf '%s%s | ' "$v" "$unit"; else printf '— | '; fi; done; done; echo; }
  row "raw signatures/s (2 threads)" raw
  row "tokens/s (wrk, $connections connections)" rps
  row "**tokens/s ÷ raw signatures/s**" ratio
  row "latency p50" p50 " ms"
  row "latency p90" p90 " ms"
  row "latency p99" p99 " ms"
  row "non-2xx responses" errors
  row "raw CPU per signature" rawcpu " µs"
  row "CPU per token: server / wrk" cpus " µs"
  row "CPU-normalised ratio: raw CPU ÷ (server + wrk CPU) per token" norm
  row "machine CPU during the raw run: signing / other processes / idle" rawshare
  row "machine CPU during the wrk run: server / wrk / other processes / idle" share
  printf '| target | '; for p in $providers; do for a in $algs; do IFS='|' read -r text v t <<<"$(target_for "$p" "$a")"; \
    if [[ -n "$t" ]]; then printf '%s: **%s**%s | ' "$text" "$(pass "$v" "$t")" "$(noisy "$p" "$a")"; else printf '— | '; fi; done; done; echo
  echo
  echo "Providers: $(for p in $providers; do printf '%s = %s; ' "$p" "${R[$p.provider]}"; done)"
  echo
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
} > "$here/results/latest.md"
cat "$here/results/latest.md"
