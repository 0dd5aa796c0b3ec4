#!/usr/bin/env bash
# Sustained load (issue 14): about 80 % of the measured capacity for 10 minutes across client credentials
# (half the requests, opaque access tokens: rows the janitor must remove), refresh-token rotation (a
# quarter) and introspection (a quarter). Reports per minute: requests, errors, p50/p99/p99.9/max, the
# server's resident memory and the row counts of the tables the load fills; then the verdicts: no errors,
# the last window's p99 within 20 % of the first's, memory and rows flat. See bench/README.md, "Soak".
#
#   SOAK_SECONDS   length of the open load (default 600)
#   SOAK_WINDOW    seconds per reported window (default 60)
#   SOAK_LOAD      fraction of the measured capacity (default 0.8)
#   SOAK_DB_URL    a PostgreSQL JDBC URL (e.g. jdbc:postgresql://127.0.0.1:5432/latch_soak?user=postgres) for
#                  an empty database; default: the embedded H2 database in a temporary data directory
#   BENCH_KEEP=1   keep the work directory
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"

seconds="${SOAK_SECONDS:-600}"
window="${SOAK_WINDOW:-60}"
fraction="${SOAK_LOAD:-0.8}"
db_url="${SOAK_DB_URL:-}"
command -v curl >/dev/null || die "needs curl"
work="$(mktemp -d -t latch-soak.XXXXXX)"
data="$work/data"
cleanup() {
  stop_server
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
clear_latch_env

build_bench
run_facts
secret="$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 64)"
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
export BENCH_SECRET="$secret" BENCH_PASSWORD="$password"
# Short lifetimes, so that within minutes every kind of row the load makes also expires and must be
# purged: access tokens (opaque rows, family access-token rows) after 60 s, refresh-token families
# after 180 s (Soak retires a family after 120 s and signs in for a new one), purged every 10 s.
cat > "$work/config.yaml" <<'EOF'
database:
  purge-interval: 10s
tokens:
  access-token-lifetime: 60s
  refresh-token-idle-lifetime: 120s
  refresh-token-absolute-lifetime: 180s
users:
  - username: soak-user
    password: ${env:BENCH_PASSWORD}
clients:
  - client_id: soak-service
    token_endpoint_auth_method: client_secret_basic
    client_secret: ${env:BENCH_SECRET}
    access_token_format: opaque
  - client_id: soak-web
    token_endpoint_auth_method: client_secret_basic
    client_secret: ${env:BENCH_SECRET}
    grant_types: [authorization_code, refresh_token]
    redirect_uris: [http://127.0.0.1:9/cb]
    scope: openid offline_access
EOF

if [[ -n "$db_url" ]]; then
  start_server auto 0 --config "$work/config.yaml" --db "$db_url"
  jdbc="$db_url"
  store="$(sed 's/^jdbc:\([a-z0-9]*\):.*/\1/' <<<"$db_url") ($(sed 's/[?;].*//' <<<"$db_url"))"
else
  start_server auto 0 --config "$work/config.yaml"
  jdbc="jdbc:h2:file:$data/latch;AUTO_SERVER=TRUE"   # as the server opens it
  store="embedded H2"
fi
wait_ready
say "JVM: $JAVA; work dir: $work; $cores cores; load average before: $load_before; $store"
say "capacity: 70 s warm-up (tables at their steady state), 30 s closed loop at 16 workers, 30 s idle, then 20 s open-load steps at 20 %, 30 %, … of that up to the highest kept up with; then a minute to settle and ${seconds}s at $fraction of it"
"$JAVA" -cp "$classes:$jar" dev.latch.bench.Soak --base "http://127.0.0.1:$port" --client-id soak-service --web-client soak-web \
  --secret "$secret" --user soak-user --password "$password" --redirect-uri http://127.0.0.1:9/cb --pid "$server_pid" \
  --jdbc "$jdbc" --seconds "$seconds" --window "$window" --load "$fraction" >"$work/soak.txt" || { cat "$work/soak.txt" >&2; die "the load failed"; }
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

capacity="$(awk '/^CAPACITY/{print $2}' "$work/soak.txt")"
closed="$(awk '/^CLOSED-CAPACITY/{print $2}' "$work/soak.txt")"
rate="$(awk '/^RATE/{print $2}' "$work/soak.txt")"
windows="$(grep -c '^WINDOW' "$work/soak.txt")"
rows_of() { tr ',' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
out="$here/results/soak.md"
{
  echo "# Soak: ${seconds} s at $fraction × capacity"
  echo
  echo "commit $commit, $started, $cores cores, load average $load_before before and $load_after after; $store."
  echo "Mix: client credentials (opaque tokens) 1/2, refresh rotation 1/4, introspection 1/4; access tokens live 60 s,"
  echo "refresh families 180 s (retired after 120 s), purge every 10 s. Closed-loop capacity (16 workers back to back): $closed requests/s;"
  echo "open-load capacity (the highest 20 s step kept up with: no error, p99 within 4 × the first step's): **$capacity requests/s**"
  echo "($(grep '^STEP' "$work/soak.txt" | awk '{printf "%s%s/s p99 %s ms %s", (NR>1?"; ":""), $2, $4, ($8=="kept"?"kept up":"fell behind")}'));"
  echo "open load at **$rate requests/s**, latency counted from each request's scheduled start; after a minute at that rate to settle"
  echo "(not counted: $(sed -n 's/^SETTLE 60 s //p' "$work/soak.txt"))."
  echo
  echo "| window (${window} s) | requests | errors | p50 ms | p99 ms | p99.9 ms | max ms | server RSS MiB | opaque_tokens | refresh_tokens | refresh_families | family_access_tokens | database MiB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  grep '^WINDOW' "$work/soak.txt" | while read -r _w i n e p50 p99 p999 max rss rows; do
    echo "| $i | $n | $e | $p50 | $p99 | $p999 | $max | $rss | $(rows_of "$rows" opaque_tokens) | $(rows_of "$rows" refresh_tokens) | $(rows_of "$rows" refresh_families) | $(rows_of "$rows" family_access_tokens) | $(rows_of "$rows" database_MiB) |"
  done
  echo
  read -r _w _i _n _e _p first_p99 _rest < <(grep '^WINDOW' "$work/soak.txt" | head -1)
  read -r _w _i _n _e _p last_p99 _rest < <(grep '^WINDOW' "$work/soak.txt" | tail -1)
  errors="$(awk '/^WINDOW/{s+=$4} END{print s+0}' "$work/soak.txt")"
  echo "- errors: **$errors**$( [[ "$errors" == 0 ]] && echo " (target 0: met)" || echo " (target 0: missed; first: $(sed -n 's/^FIRST-ERROR //p' "$work/soak.txt"))")"
  awk -v a="$first_p99" -v b="$last_p99" 'BEGIN{d=(a>0)?100*(b-a)/a:0; printf "- p99 of the first window %.2f ms, of the last %.2f ms: %+.0f %% (target within ±20 %%: %s%s)\n", a, b, d, (d<=20 && d>=-20)?"met":"missed", (d<-20)?"; lower, not worse":""}'
  # flat: over the second half of the run (the first minutes fill the tables up to their steady state)
  grep '^WINDOW' "$work/soak.txt" | awk -v n="$windows" '
    function span(name, key) { printf "- %s over the second half: %d to %d\n", name, lo[key], hi[key] }
    function see(key, value) { if (!(key in lo) || value < lo[key]) lo[key] = value; if (!(key in hi) || value > hi[key]) hi[key] = value }
    NR > n / 2 { see("rss", $9); m = split($10, kv, ","); for (i = 1; i <= m; i++) { split(kv[i], p, "="); see(p[1], p[2]); names[i] = p[1] } }
    END { span("server RSS (MiB)", "rss"); for (i = 1; i in names; i++) span(names[i] ~ /MiB/ ? names[i] : names[i] " rows", names[i]) }'
  echo "- refresh-token families made during the load: $(awk '/^FAMILIES/{print $3}' "$work/soak.txt")"
  if grep -q '^ERROR-KIND' "$work/soak.txt"; then
    echo "- errors by kind (numbers shown as N):"
    sed -n 's/^ERROR-KIND \([0-9]*\) \(.*\)/  - \1 × `\2`/p' "$work/soak.txt"
  fi
} | tee "$out"
