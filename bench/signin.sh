#!/usr/bin/env bash
# Sign-in benchmark (issue 3): authorization-code round trips/s, password logins/s and refresh-token
# grants/s against `latch serve` at the default Argon2id parameters, with the Argon2id cost per
# verification and where the machine's CPU went. Writes bench/results/signin.md and prints it.
# See bench/README.md ("Sign-in"). Not part of `mvn verify`.
#
# Settings (environment): BENCH_SECONDS (measured run per figure, default 20), BENCH_WARMUP (default 8),
# BENCH_WORKERS (concurrent simulated browsers/clients, default 16), BENCH_CRYPTO (default native),
# BENCH_JAVA_OPTS (extra JVM options for the server), BENCH_KEEP=1 keeps the temporary data directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=lib.sh
source "$here/lib.sh"
seconds="${BENCH_SECONDS:-20}"
warmup="${BENCH_WARMUP:-8}"
workers="${BENCH_WORKERS:-16}"
crypto="${BENCH_CRYPTO:-native}"

build_bench

work="$(mktemp -d "${TMPDIR:-/tmp}/latch-signin.XXXXXX")"
data="$work/data"
load_pid=""
cleanup() {
  [[ -n "$load_pid" ]] && kill "$load_pid" 2>/dev/null || true
  stop_server
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

latch() { "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"; }
user="bench-user"
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
secret="$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 64)"
redirect="http://127.0.0.1:9/cb"   # never followed: the load reads the code from the Location header
export BENCH_SECRET="$secret"

say "JVM: $JAVA; work dir: $work; machine: $cores cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
printf '%s\n' "$password" | latch users add "$user" --data "$data" --password-stdin -q >/dev/null \
  || die "latch users add failed"
latch clients add --data "$data" --client-id bench-web --name "Bench Web" --auth-method client_secret_basic \
  --secret '${env:BENCH_SECRET}' --grant-type authorization_code,refresh_token --redirect-uri "$redirect" \
  --scope "openid offline_access" -q >/dev/null || die "latch clients add failed"

start_server "$crypto" 0
wait_ready
base="http://127.0.0.1:$port"
say "server on $base (pid $server_pid)"

declare -A R
run_facts

# measure MODE: runs SignInLoad with a warm-up, reads the server's and the machine's CPU around the
# measured part (the load program reports its own), and fills R[MODE.*].
measure() {
  local mode="$1" out="$work/load-$1.txt" busy0 srv0 t0 t1 busy1 srv1 _m ops secs rate p50 p99 errs busy503 loadcpu
  say "$mode: ${warmup}s warm-up, ${seconds}s measured, $workers workers"
  # the warm-up runs first inside SignInLoad; the CPU window starts when it prints WARM
  "$JAVA" -cp "$classes" dev.latch.bench.SignInLoad "$mode" --base "$base" --client-id bench-web --secret "$secret" \
    --user "$user" --password "$password" --redirect-uri "$redirect" --workers "$workers" --warmup "$warmup" \
    --seconds "$seconds" >"$out" 2>"$work/load-$mode.err" &
  load_pid=$!
  until grep -q '^WARM' "$out" 2>/dev/null; do
    kill -0 "$load_pid" 2>/dev/null || { cat "$work/load-$mode.err" "$out" >&2; die "$mode: the load program stopped"; }
    nap 0.02
  done
  thread_cpu "$server_pid" >"$work/threads0"
  busy0="$(machine_busy)"; srv0="$(proc_cpu "$server_pid")"; t0="$(now_ms)"
  wait "$load_pid" || { cat "$work/load-$mode.err" >&2; die "$mode: the load program failed"; }
  load_pid=""
  t1="$(now_ms)"; busy1="$(machine_busy)"; srv1="$(proc_cpu "$server_pid")"
  thread_cpu "$server_pid" >"$work/threads1"
  read -r _m _m ops secs rate p50 p99 errs busy503 loadcpu < <(grep '^RESULT' "$out")
  local wall srv all
  wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1000}')"
  srv="$(awk -v a="$srv0" -v b="$srv1" -v t="$ticks" 'BEGIN{printf "%.3f", (b-a)/t}')"
  all="$(awk -v a="$busy0" -v b="$busy1" -v t="$ticks" 'BEGIN{printf "%.3f", (b-a)/t}')"
  R[$mode.rate]="$rate"; R[$mode.ops]="$ops"; R[$mode.p50]="$p50"; R[$mode.p99]="$p99"
  R[$mode.errors]="$errs"; R[$mode.busy]="$busy503"
  R[$mode.first]="$(sed -n 's/^FIRST-ERROR //p' "$out")"
  R[$mode.srvcpu]="$(awk -v c="$srv" -v n="$ops" 'BEGIN{printf "%.2f", (n>0)?c*1000/n:0}')"
  R[$mode.loadcpu]="$(awk -v c="$loadcpu" -v n="$ops" 'BEGIN{printf "%.2f", (n>0)?c*1000/n:0}')"
  R[$mode.share]="$(cpu_share "$srv" "$loadcpu" "$all" "$wall")"
  R[$mode.other]="$(others_share "$srv" "$loadcpu" "$all" "$wall")"
  # where the server's CPU went, per operation: Argon2id pool, signing pool, request threads, JIT, GC, the rest
  R[$mode.threads]="$(awk -F'\t' -v n="$ops" -v t="$ticks" 'NR==FNR{a[$1]=$2; next} {d=$2-a[$1]; if (d<=0) next;
      g=($1 ~ /^latch-password/) ? "Argon2id pool" : ($1 ~ /^latch-crypto/) ? "crypto pool" : ($1 ~ /^ForkJoinPool/) ? "request threads" :
        ($1 ~ /^C[12] Compiler/) ? "JIT" : ($1 ~ /^(GC|G1)/) ? "GC" : "other"; b[g]+=d}
      END{split("Argon2id pool,signing pool,request threads,JIT,GC,other", o, ","); for (i = 1; i <= 6; i++) printf "%s %.2f ms; ", o[i], b[o[i]]*1000/t/n}' \
      "$work/threads0" "$work/threads1" | sed 's/; $//')"
  R[$mode.norm]="$(awk -v s="$srv" -v l="$loadcpu" -v n="$ops" -v k="$cores" 'BEGIN{printf "%.0f", (n>0)?k*n/(s+l):0}')"
  say "$mode: server CPU by thread per op: ${R[$mode.threads]}"
  say "$mode: $rate/s, p50 $p50 ms, p99 $p99 ms, errors $errs, 503 $busy503; server CPU ${R[$mode.srvcpu]} ms/op; CPU server/load/other/idle ${R[$mode.share]}"
  [[ -n "${R[$mode.first]}" ]] && say "$mode: first error: ${R[$mode.first]}"
  return 0
}

measure roundtrip
measure login
measure refresh
stop_server

# The Argon2id cost on its own: the server's hasher, 1 thread (CPU per verification) and 2 threads.
say "Argon2id alone (PasswordHashing, 1 and $cores threads, 10 s each)"
for t in 1 "$cores"; do
  "$JAVA" ${BENCH_JAVA_OPTS:-} -cp "$jar:$classes" dev.latch.bench.PasswordHashing --threads "$t" --seconds 10 --rounds 1 --warmup 3 \
    >"$work/argon2-$t.txt" 2>&1 || { cat "$work/argon2-$t.txt" >&2; die "PasswordHashing failed"; }
done
argon_params="$(sed -n 's/^# Argon2id \(m=[0-9]* KiB t=[0-9]* p=[0-9]*\).*/\1/p' "$work/argon2-1.txt")"
read -r argon1_rate argon1_cpu < <(sed -n 's/^ROUND 1 \([0-9.]*\)\/s .*process-cpu \([0-9.]*\) ms.*/\1 \2/p' "$work/argon2-1.txt")
read -r argon2_rate argon2_cpu argon2_others < <(sed -n 's/^ROUND 1 \([0-9.]*\)\/s .*process-cpu \([0-9.]*\) ms.*others \([0-9]*\)%.*/\1 \2 \3/p' "$work/argon2-$cores.txt")
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

pass() { awk -v v="$1" -v t="$2" 'BEGIN{print (v+0 >= t+0) ? "met" : "missed"}'; }
noisy() { local o="${R[$1.other]:-0}"; (( o > 10 )) && printf ' (⚠ other processes used %s %% of the CPU)' "$o"; return 0; }
{
  echo "# Latch sign-in benchmark — $started"
  echo
  echo "Machine: $cores cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)); load average before: $load_before, after: $load_after."
  echo "JVM: $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p'). Latch: $commit, \`latch serve --crypto $crypto\`."
  echo "Load: \`SignInLoad\` (bench/src), JDK HttpClient, $workers virtual-thread workers, each its own browser cookies;"
  echo "${warmup} s warm-up then ${seconds} s measured per figure. One user, one confidential client (client_secret_basic, PKCE S256)."
  echo
  echo "Argon2id: **$argon_params** (Latch's default, OWASP's minimum). Alone, in the server's hasher: **${argon1_cpu} ms of CPU per verification**"
  echo "(1 thread: ${argon1_rate}/s); $cores threads: ${argon2_rate}/s (${argon2_cpu} ms CPU each; others used ${argon2_others} % of the machine)."
  echo
  echo "| | auth-code round trip | password login | refresh grant |"
  echo "|---|---:|---:|---:|"
  row() { local u="${3:-}"; printf '| %s | %s | %s | %s |\n' "$1" "${R[roundtrip.$2]}$u" "${R[login.$2]}$u" "${R[refresh.$2]}$u"; }
  echo "| what one operation is | GET /authorize, POST login, POST /token (code) | GET /authorize, POST login (to the code redirect) | POST /token (refresh_token, rotated) |"
  row "**operations/s**" rate
  row "latency p50" p50 " ms"
  row "latency p99" p99 " ms"
  row "errors" errors ""
  printf '| 503 busy answers | %s | %s | %s |\n' "${R[roundtrip.busy]}" "${R[login.busy]}" "${R[refresh.busy]}"
  row "server CPU per operation" srvcpu " ms"
  row "server CPU per operation by thread" threads ""
  row "load program CPU per operation" loadcpu " ms"
  row "machine CPU: server / load / other / idle" share ""
  row "CPU-normalised rate (cores ÷ (server + load) CPU per op)" norm "/s"
  printf '| target | — | ≥ 40/s: **%s**%s | ≥ 1,000/s: **%s**%s |\n' "$(pass "${R[login.rate]}" 40)" "$(noisy login)" \
    "$(pass "${R[refresh.rate]}" 1000)" "$(noisy refresh)"
  echo
  echo "What limits each: every sign-in does one Argon2id verification (~${argon1_cpu} ms of CPU alone), on a pool of one"
  echo "platform thread per core, so at most $cores run at once; the \"Argon2id pool\" share of the server's CPU per"
  echo "operation is that cost, \"request threads\" the rest of the flow (pages, interaction, session, consent and code"
  echo "rows in the database, and for the round trip the token request), \"signing pool\" the token signatures, \"JIT\" and \"GC\" the"
  echo "JVM's own work (Argon2id allocates its 19 MiB per call). With no idle CPU left the rate is CPU-bound, and"
  echo "Argon2id is most of it. Refresh grants never touch Argon2id: client secret check, refresh-token lookup and"
  echo "rotation (database writes: the old token marked used, the new one inserted), an access token and an ID token"
  echo "signed (RS256 by default) on the signing pool, the rest on request threads."
  for m in roundtrip login refresh; do
    [[ -n "${R[$m.first]}" ]] && echo && echo "First error ($m): \`${R[$m.first]}\`"
  done
  true
} > "$here/results/signin.md"
cat "$here/results/signin.md"
