#!/usr/bin/env bash
# Token-endpoint latency while the expiry purge removes a large backlog (issue 14), next to the same
# load with the same backlog and no purge. See bench/README.md, "Purge".
#
#   PURGE_ROWS       expired rows to purge (default 1000000)
#   BENCH_SECONDS    length of each measured wrk run (default 20)
#   BENCH_WARMUP     wrk warm-up per server start (default 8)
#   BENCH_CONNECTIONS  wrk connections (default 16)
#   BENCH_KEEP=1     keep the work directory
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"

rows="${PURGE_ROWS:-1000000}"
secs="${BENCH_SECONDS:-20}"
warmup="${BENCH_WARMUP:-8}"
conns="${BENCH_CONNECTIONS:-16}"
command -v wrk >/dev/null || die "needs wrk (apt-get install -y wrk)"
command -v curl >/dev/null || die "needs curl"
work="$(mktemp -d -t latch-purge-bench.XXXXXX)"
data="$work/data"
wrk_pid=""
cleanup() {
  [[ -n "$wrk_pid" ]] && kill "$wrk_pid" 2>/dev/null || true
  stop_server
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_bench
run_facts
secret="$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 64)"
export BENCH_SECRET="$secret"
# the same clients both times; only how often the purge runs differs: 1d (never during the run) or
# soon after the warm-up, so that it works through the backlog during the measured run
config() { # config FILE PURGE_INTERVAL
  cat > "$1" <<EOF2
database:
  purge-interval: $2
clients:
  - client_id: bench-RS256
    token_endpoint_auth_method: client_secret_basic
    access_token_signed_response_alg: RS256
    client_secret: \${env:BENCH_SECRET}
EOF2
}
config "$work/idle.yaml" 1d
config "$work/purging.yaml" "$(( warmup + 4 ))s"
basic="$(printf 'bench-RS256:%s' "$secret" | base64 -w0)"

serve() { # serve CONFIG: starts latch serve on free ports, waits until ready

  start_server auto 0 --config "$1"
  wait_ready
  mgmt="$(sed -n 's/.*(management http:\/\/[^:]*:\([0-9]*\)).*/\1/p' "$work/server.out")"
}
purged() { # rows the purge removed from opaque_tokens so far, by this server
  curl -s "http://127.0.0.1:$mgmt/metrics" | awk '/^latch_purged_rows_total\{table="opaque_tokens"/{printf "%d", $NF; f=1} END{if (!f) print 0}'
}
load() { # load SECONDS OUT
  BENCH_BASIC="$basic" BENCH_BODY="grant_type=client_credentials" BENCH_REFRESH_FILES="" BENCH_METHOD=POST \
    wrk -t2 -c"$conns" -d"$1s" --latency -s "$here/post.lua" "http://127.0.0.1:$port/token" >"$2" &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_pid=""
}
summary() { # summary OUT: "requests non2xx p50 p99 p99.9 max" (latencies in ms)
  local _s total non2xx errs starved p50 p90 p99 p999 max
  read -r _s _s total _s non2xx _s errs _s starved _s p50 _s p90 _s p99 _s p999 _s max < <(grep '^summary ' "$1") \
    || die "no summary from wrk: $(cat "$1")"
  awk -v t="$total" -v n="$non2xx" -v e="$errs" -v a="$p50" -v b="$p99" -v c="$p999" -v m="$max" -v s="$secs" \
    'BEGIN{printf "| %.0f | %d | %.2f | %.2f | %.2f | %.2f |", t/s, n+e, a/1000, b/1000, c/1000, m/1000}'
}

say "JVM: $JAVA; work dir: $work; $cores cores; load average before: $load_before"
say "filling the database with $rows expired access tokens"
"$JAVA" -cp "$classes:$jar" dev.latch.bench.ExpiredRows --data "$data" --config "$work/idle.yaml" --rows "$rows" >&2

say "without purge: warm-up ${warmup}s, then ${secs}s at $conns connections"
serve "$work/idle.yaml"
load "$warmup" "$work/warm1.txt"
load "$secs" "$work/idle.txt"
[[ "$(purged)" == 0 ]] || die "the purge ran in the run without purge"
stop_server

say "with the purge of $rows rows running: warm-up ${warmup}s, the purge starts, then ${secs}s"
serve "$work/purging.yaml"
load "$warmup" "$work/warm2.txt"
deadline=$(( $(now_ms) + 60000 ))
until (( $(purged) > 0 )); do
  (( $(now_ms) < deadline )) || die "the purge did not start within 60 s"
  nap 0.2
done
before="$(purged)"
load "$secs" "$work/purging.txt"
after="$(purged)"
stop_server

out="$here/results/purge.md"
{
  echo "# Token endpoint during the expiry purge"
  echo
  echo "commit $commit, $started, $cores cores, load average before $load_before; client_credentials RS256, $conns connections, ${secs}s each; embedded H2."
  echo
  echo "| run | tokens/s | non-2xx | p50 ms | p99 ms | p99.9 ms | max ms |"
  echo "|---|---|---|---|---|---|---|"
  echo "| $rows expired rows, no purge $(summary "$work/idle.txt")"
  echo "| the purge removing them $(summary "$work/purging.txt")"
  echo
  echo "The purge removed $(( after - before )) rows during the measured run ($before before it began, $after by its end, of $rows)."
  (( after >= rows )) && echo "It finished before the run ended: the run's tail saw no purge." || true
} | tee "$out"
