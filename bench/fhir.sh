#!/usr/bin/env bash
# What `latch gateway` `mode: smart` costs in front of a real FHIR server (HAPI FHIR, latch-fhir-sample),
# in one run on loopback: a read (GET Patient/p1) and a search (GET Observation?patient=p1) sent to HAPI
# direct, then through the gateway with a system/*.rs token (allowed by type, the response streamed), with
# a patient/*.rs token for p1 (the request confined, the response read whole and checked), and with
# check-active: true and introspection-cache: 5s. See bench/README.md, "FHIR". Writes bench/results/fhir-latest.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

threads="${BENCH_THREADS:-2}"          # wrk threads
connections="${BENCH_CONNECTIONS:-16}"
seconds="${BENCH_SECONDS:-15}"         # each measured wrk run
warmup="${BENCH_WARMUP:-5}"            # wrk on the same URL and token before each measured run
first_warmup="${BENCH_FIRST_WARMUP:-10}" # per URL and token, once, before the first measured run (the JIT)
low_seconds="${BENCH_LOW_SECONDS:-5}"  # the one-connection latency runs (0 skips them)
active="${BENCH_ACTIVE:-1}"            # 0: no check-active rows
jfr="${BENCH_JFR:-0}"                  # 1: a JFR CPU-time profile of the gateway during each gateway run, in bench/results/fhir-raw/
keep="${BENCH_KEEP:-0}"
gw_java_opts="${LATCH_JAVA_OPTS:-}"    # extra JVM options of the gateway
fhir_java_opts="${BENCH_FHIR_JAVA_OPTS:-}" # extra JVM options of the FHIR server

# ---------------------------------------------------------------- prerequisites
missing=()
for tool in nginx:nginx wrk:wrk curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [[ -x "/usr/sbin/${tool%%:*}" ]] || missing+=("${tool#*:}")
done
(( ${#missing[@]} == 0 )) || die "needs ${missing[*]}: apt-get install -y ${missing[*]}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
JAVA="$(find_jdk || true)"
[[ -n "$JAVA" ]] || die "needs a JDK 21+ (java with javac beside it: bench/gateway/Tokens.java is launched from source); set JAVA_HOME or LATCH_JAVA"
export LATCH_JAVA="$JAVA"
"$root/latch" --version >/dev/null || die "building latch failed (try: mvn -B -DskipTests -pl latch-cli -am package)"
fhir_jar_built="$root/latch-fhir-sample/target/latch-fhir-sample.jar"
if [[ ! -f "$fhir_jar_built" ]]; then
  say "building $fhir_jar_built"
  (cd "$root" && mvn -q -B -pl latch-fhir-sample -am package -DskipTests) || die "building latch-fhir-sample failed"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/latch-fhir-bench.XXXXXX")"
chmod 755 "$work"
raw="$here/results/fhir-raw"
mkdir -p "$here/results" "$raw"
rm -f "$raw"/*.txt "$raw"/*.jfr
# Copies of the jars: others may rebuild them while the run goes on.
cp "$root/latch-cli/target/latch.jar" "$work/latch.jar"
cp "$fhir_jar_built" "$work/latch-fhir-sample.jar"
jar="$work/latch.jar"
latch() { "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"; }

cleanup() {
  stop_started
  if [[ "$keep" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "JVM: $JAVA; work dir: $work; machine: $cores cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
run_facts

# ---------------------------------------------------------------- the pieces
# The issuer is faked as in bench/gateway.sh: an nginx serving its discovery document and JWKS (tokens are
# minted by bench/gateway/Tokens.java with its key) and an introspection endpoint that answers every
# token active (logged, so the run counts how often the gateway asked).
iss_port="$(free_port)"
issuer="http://127.0.0.1:$iss_port"
audience="https://fhir.bench.example/fhir"    # the FHIR base apps use: the aud of their tokens
latch keys generate --alg RS256 --out "$work/issuer" >/dev/null 2>"$work/keys.err"
jwks="$(tr -d '\n' < "$work/issuer.jwks.json")"
cat > "$work/issuer.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $work/issuer.pid;
error_log $work/issuer.err warn;
$( [[ "$(id -u)" == 0 ]] && echo "user root;" || true )
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/iss-body; proxy_temp_path $work/iss-proxy; fastcgi_temp_path $work/iss-fcgi;
  uwsgi_temp_path $work/iss-uwsgi; scgi_temp_path $work/iss-scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$iss_port;
    location = /.well-known/openid-configuration { return 200 '{"issuer":"$issuer","jwks_uri":"$issuer/jwks","introspection_endpoint":"$issuer/introspect"}'; }
    location = /.well-known/smart-configuration { return 200 '{"issuer":"$issuer","jwks_uri":"$issuer/jwks","introspection_endpoint":"$issuer/introspect"}'; }
    location = /jwks { return 200 '$jwks'; }
    location = /introspect { access_log $work/introspect.log; return 200 '{"active":true}'; }
  }
}
EOF
"$NGINX" -t -q -p "$work" -c "$work/issuer.conf" 2>"$work/issuer-test.err" || { cat "$work/issuer-test.err" >&2; die "nginx issuer.conf invalid"; }
"$NGINX" -p "$work" -c "$work/issuer.conf" 2>>"$work/issuer.err" & iss_pid=$!; started_pids+=("$iss_pid")
wait_http "$issuer/jwks" "$iss_pid"

# The FHIR server: HAPI FHIR (latch-fhir-sample) with its sample data, on the same JVM as the gateway.
"$JAVA" $fhir_java_opts -jar "$work/latch-fhir-sample.jar" --port 0 >"$work/fhir.out" 2>"$work/fhir.err" & fhir_pid=$!
started_pids+=("$fhir_pid")
wait_line "$work/fhir.out" '^FHIR server ready' "$fhir_pid"
fhir_base="$(sed -n 's/^FHIR server ready: \(http[^ ]*\).*/\1/p' "$work/fhir.out")"
fhir_base="${fhir_base%/}"

cat > "$work/gateway.yaml" <<EOF
host: 127.0.0.1
issuers:
  - id: bench
    issuer: $issuer
    audience: $audience
    typ: at+jwt
    introspection:
      client-id: bench-gateway
      client-secret: \${env:BENCH_INTROSPECTION_SECRET}
routes:
  - path: /fhir/
    upstream: $fhir_base/
    mode: smart
    issuer: bench
    check-active: false
  - path: /fhir-active/
    upstream: $fhir_base/
    mode: smart
    issuer: bench
    check-active: true
    introspection-cache: 5s
EOF
export BENCH_INTROSPECTION_SECRET=not-checked-by-the-fake-issuer
: > "$work/gateway.out"
"$JAVA" --enable-native-access=ALL-UNNAMED $gw_java_opts -jar "$jar" gateway --config "$work/gateway.yaml" \
  --port 0 --management-port 0 >"$work/gateway.out" 2>"$work/gateway.err" & gw_pid=$!
started_pids+=("$gw_pid")
wait_line "$work/gateway.out" '^Latch gateway is ready' "$gw_pid"
gw_port="$(sed -n 's/^Latch gateway is ready: http:\/\/localhost:\([0-9]*\).*/\1/p' "$work/gateway.out")"
[[ -n "$gw_port" ]] || die "no gateway port in $(cat "$work/gateway.out")"
gw="http://127.0.0.1:$gw_port"

tokens_java() { "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$jar" "$here/gateway/Tokens.java" "$@"; }
mint_one() { # mint_one NAME CLAIM=VALUE...: one token, printed
  local name="$1"; shift
  tokens_java mint "$work/issuer.jwk.json" "$issuer" "$audience" 1 "$work/$name-token.txt" 1 "$@" 2>>"$work/tokens.err" \
    || { tail -5 "$work/tokens.err" >&2; die "minting the $name token failed"; }
  head -1 "$work/$name-token.txt"
}
sys_token="$(mint_one system "scope=system/*.rs" client_id=bench-backend sub=bench-backend)"
pat_token="$(mint_one patient "scope=launch/patient patient/*.rs" patient=p1 client_id=bench-app sub=bench-user)"

# ---------------------------------------------------------------- sanity checks: the right answers, not refusals
accept="application/fhir+json"
expect() { # expect NAME STATUS URL [curl args...]: the body in $work/check.body
  local name="$1" want="$2" url="$3" got; shift 3
  got="$(curl -s -o "$work/check.body" -w '%{http_code}' --max-time 20 -H "Accept: $accept" "$@" "$url" || true)"
  [[ "$got" == "$want" ]] || die "$name: HTTP $got from $url, expected $want: $(head -c 400 "$work/check.body")"
}
count_json() { grep -o "\"$1\" *: *\"$2\"" "$work/check.body" | wc -l; }
expect_read() { # expect_read NAME URL [curl args...]: Patient p1
  expect "$1" 200 "$2" "${@:3}"
  [[ "$(count_json resourceType Patient)" == 1 && "$(count_json id p1)" == 1 ]] \
    || die "$1: not Patient p1 from $2: $(head -c 400 "$work/check.body")"
}
expect_search() { # expect_search NAME URL [curl args...]: a Bundle of p1's four observations and nothing else
  expect "$1" 200 "$2" "${@:3}"
  [[ "$(count_json resourceType Bundle)" == 1 && "$(count_json resourceType Observation)" == 4 \
     && "$(count_json reference Patient/p1)" -ge 4 && "$(grep -c 'Patient/p[^1]' "$work/check.body")" == 0 ]] \
    || die "$1: not p1's 4 observations from $2: $(head -c 600 "$work/check.body")"
}
read_path="Patient/p1"
search_path="Observation?patient=p1"
sys=(-H "Authorization: Bearer $sys_token")
pat=(-H "Authorization: Bearer $pat_token")
expect_read "HAPI direct read" "$fhir_base/$read_path"
expect_search "HAPI direct search" "$fhir_base/$search_path"
expect_read "gateway read, system/*.rs" "$gw/fhir/$read_path" "${sys[@]}"
expect_search "gateway search, system/*.rs" "$gw/fhir/$search_path" "${sys[@]}"
expect_read "gateway read, patient/*.rs" "$gw/fhir/$read_path" "${pat[@]}"
expect_search "gateway search, patient/*.rs" "$gw/fhir/$search_path" "${pat[@]}"
# the checks are live: without a token, another patient, and a search naming no patient (confined to p1)
expect "gateway, no token" 401 "$gw/fhir/$read_path"
expect "gateway read of p2, patient/*.rs for p1" 403 "$gw/fhir/Patient/p2" "${pat[@]}"
expect "gateway search of p2's observations, patient/*.rs for p1" 403 "$gw/fhir/Observation?patient=p2" "${pat[@]}"
expect_search "gateway search naming no patient, patient/*.rs for p1 (confined)" "$gw/fhir/Observation" "${pat[@]}"
if [[ "$active" == 1 ]]; then
  expect_read "gateway read, check-active" "$gw/fhir-active/$read_path" "${sys[@]}"
  expect_search "gateway search, check-active" "$gw/fhir-active/$search_path" "${sys[@]}"
  [[ -s "$work/introspect.log" ]] || die "check-active route answered without asking the issuer"
fi
say "all set: HAPI $fhir_base, gateway $gw, fake issuer $issuer; every row answers 200 with the right data"

# ---------------------------------------------------------------- measuring
declare -A R
run_wrk() { # run_wrk SECONDS OUT URL [ENV=VALUE...]
  local s="$1" out="$2" url="$3"; shift 3
  env BENCH_ACCEPT="$accept" "$@" wrk -t"${wrk_t:-$threads}" -c"${wrk_c:-$connections}" -d"${s}s" --latency \
    -s "$here/gateway/wrk.lua" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed on $url"; }
}
warm() { # warm SECONDS URL [ENV=VALUE...]
  local s="$1" url="$2"; shift 2
  say "  warm-up ${s}s: $url"
  run_wrk "$s" "$work/warm.txt" "$url" "$@"
  local bad; read -r _ _ _ _ bad _ <<<"$(grep '^summary ' "$work/warm.txt")"
  [[ "$bad" == 0 ]] || die "warm-up on $url: $bad non-2xx answers"
}
# measure KEY LABEL URL [ENV=VALUE...]: one wrk run; CPU of the gateway, of HAPI, of wrk and of the machine
measure() {
  local key="$1" label="$2" url="$3"; shift 3
  local out="$raw/$key.txt" busy0 busy1 gw0 gw1 fh0 fh1 t0 t1 line n i0 i1 wall wrk_cpu
  say "[$label] wrk -t$threads -c$connections -d${seconds}s $url"
  [[ "$jfr" == 1 && "$url" == "$gw"/* ]] && "$(dirname "$JAVA")/jcmd" "$gw_pid" JFR.start name="$key" \
    jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=1ms filename="$raw/$key.jfr" >/dev/null
  i0="$(wc -l < "$work/introspect.log" 2>/dev/null || echo 0)"
  gw0="$(proc_cpu "$gw_pid")"; fh0="$(proc_cpu "$fhir_pid")"; busy0="$(machine_busy)"; t0="$(now_ms)"
  TIMEFORMAT='%U %S'
  { time run_wrk "$seconds" "$out" "$url" "$@" ; } 2>"$work/wrk-time.txt"
  t1="$(now_ms)"; busy1="$(machine_busy)"; gw1="$(proc_cpu "$gw_pid")"; fh1="$(proc_cpu "$fhir_pid")"
  i1="$(wc -l < "$work/introspect.log" 2>/dev/null || echo 0)"
  [[ "$jfr" == 1 && "$url" == "$gw"/* ]] && "$(dirname "$JAVA")/jcmd" "$gw_pid" JFR.stop name="$key" >/dev/null
  line="$(grep '^summary ' "$out")" || die "no summary line from wrk.lua in $out"
  read -r _ _ n _ R[$key.non2xx] _ R[$key.errors] _ _ _ R[$key.p50] _ R[$key.p90] _ R[$key.p99] _ R[$key.p999] _ R[$key.max] <<<"$line"
  R[$key.n]="$n"; R[$key.label]="$label"; R[$key.introspections]=$(( i1 - i0 ))
  R[$key.rps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$out")"
  wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1000}')"
  wrk_cpu="$(tail -1 "$work/wrk-time.txt" | awk '{printf "%.3f", $1+$2}')"
  R[$key.gwcpu]="$(awk -v a="$gw0" -v b="$gw1" -v t="$ticks" -v n="$n" 'BEGIN{printf "%.1f", (b-a)/t*1e6/n}')"
  R[$key.fhcpu]="$(awk -v a="$fh0" -v b="$fh1" -v t="$ticks" -v n="$n" 'BEGIN{printf "%.1f", (b-a)/t*1e6/n}')"
  R[$key.wrkcpu]="$(awk -v c="$wrk_cpu" -v n="$n" 'BEGIN{printf "%.1f", c*1e6/n}')"
  R[$key.share]="$(awk -v g0="$gw0" -v g1="$gw1" -v f0="$fh0" -v f1="$fh1" -v w="$wrk_cpu" -v b0="$busy0" -v b1="$busy1" \
    -v t="$ticks" -v s="$wall" -v k="$cores" 'BEGIN{g=(g1-g0)/t; f=(f1-f0)/t; a=(b1-b0)/t; o=a-g-f-w; if (o<0) o=0; c=s*k;
      i=1-a/c; if (i<0) i=0; printf "%.0f / %.0f / %.0f / %.0f / %.0f", 100*g/c, 100*f/c, 100*w/c, 100*o/c, 100*i}')"
  say "[$label] ${R[$key.rps]} req/s, p50 ${R[$key.p50]} µs, p99 ${R[$key.p99]} µs, p99.9 ${R[$key.p999]} µs, non-2xx ${R[$key.non2xx]}, errors ${R[$key.errors]}; gateway ${R[$key.gwcpu]} µs, HAPI ${R[$key.fhcpu]} µs CPU/req; machine gateway/HAPI/wrk/other/idle ${R[$key.share]} %"
}
# measure_low KEY URL [ENV=VALUE...]: latency with one connection (no queueing): what the hop itself adds
measure_low() {
  local key="$1" url="$2" line; shift 2
  (( low_seconds > 0 )) || return 0
  wrk_t=1 wrk_c=1 run_wrk "$low_seconds" "$raw/$key-c1.txt" "$url" "$@"
  line="$(grep '^summary ' "$raw/$key-c1.txt")"
  read -r _ _ _ _ R[$key.lobad] _ _ _ _ _ R[$key.lo50] _ _ _ R[$key.lo99] _ R[$key.lo999] _ <<<"$line"
  R[$key.lorps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$raw/$key-c1.txt")"
  say "[${R[$key.label]}] one connection: ${R[$key.lorps]} req/s, p50 ${R[$key.lo50]} µs, p99 ${R[$key.lo99]} µs, non-2xx ${R[$key.lobad]}"
}

# The rows: KEY|LABEL|URL|TOKEN (one row per line; the direct row of each operation first)
rows=()
for op in read search; do
  if [[ "$op" == read ]]; then p="$read_path"; else p="$search_path"; fi
  rows+=("direct_$op|HAPI direct, $op|$fhir_base/$p|")
  rows+=("system_$op|smart, system/*.rs, $op|$gw/fhir/$p|$sys_token")
  rows+=("patient_$op|smart, patient/*.rs (checked), $op|$gw/fhir/$p|$pat_token")
  [[ "$active" == 1 ]] && rows+=("active_$op|smart, check-active + 5 s cache, system/*.rs, $op|$gw/fhir-active/$p|$sys_token")
done
say "first warm-up: every URL and token, ${first_warmup}s each (HAPI's JIT and the gateway's)"
for row in "${rows[@]}"; do
  IFS='|' read -r key label url tok <<<"$row"
  warm "$first_warmup" "$url" BENCH_TOKEN="$tok"
done
keys=()
for row in "${rows[@]}"; do
  IFS='|' read -r key label url tok <<<"$row"
  warm "$warmup" "$url" BENCH_TOKEN="$tok"
  measure "$key" "$label" "$url" BENCH_TOKEN="$tok"
  measure_low "$key" "$url" BENCH_TOKEN="$tok"
  keys+=("$key")
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
ms() { awk -v u="$1" 'BEGIN{ if (u < 10000) printf "%.2f", u/1000; else printf "%.1f", u/1000 }'; }
dms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%+.2f", (a-b)/1000}'; }
fmt_n() { awk -v v="$1" 'BEGIN{printf "%\047d", v}'; }
direct_of() { echo "direct_${1#*_}"; }
all_ok=1
{
  echo "# Latch gateway \`mode: smart\` in front of HAPI FHIR — $started"
  echo
  echo "Machine: $cores cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)); load average before the run: $load_before, after: $load_after."
  echo "JVM (gateway and HAPI): $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p') ($JAVA), default heap${gw_java_opts:+, LATCH_JAVA_OPTS=$gw_java_opts}${fhir_java_opts:+, BENCH_FHIR_JAVA_OPTS=$fhir_java_opts}. Latch: $commit. $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
  echo "Load: \`wrk -t$threads -c$connections -d${seconds}s --latency -s bench/gateway/wrk.lua URL\` with \`Accept: $accept\`, all on loopback, all on the same $cores cores;"
  echo "each run preceded by ${warmup} s of wrk on the same URL and token (and, once, ${first_warmup} s of every URL before the first). Latency from wrk's histogram."
  echo "Read: \`GET /fhir/$read_path\`; search: \`GET /fhir/$search_path\` (a Bundle of 4 Observations); HAPI FHIR 8 plain RestfulServer, in memory (latch-fhir-sample)."
  echo
  echo "| row | requests/s | ÷ direct | p50 / p99 / p99.9 (ms) | added p50 / p99 (ms) | non-2xx / errors | gateway CPU/req (µs) | HAPI CPU/req (µs) | wrk CPU/req (µs) | machine: gateway / HAPI / wrk / others / idle (%) | target (≥ 0.8 ×, ≤ 1 ms p50, < 10 ms p99 added) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for k in "${keys[@]}"; do
    d="$(direct_of "$k")"
    bad=$(( ${R[$k.non2xx]} + ${R[$k.errors]} )); (( bad == 0 )) || all_ok=0
    if [[ "$k" == direct_* ]]; then
      ratio="—"; added="—"; target="—"; gwc="—"
    else
      ratio="$(awk -v a="${R[$k.rps]}" -v b="${R[$d.rps]}" 'BEGIN{printf "%.2f ×", a/b}')"
      added="$(dms "${R[$k.p50]}" "${R[$d.p50]}") / $(dms "${R[$k.p99]}" "${R[$d.p99]}")"
      gwc="${R[$k.gwcpu]}"
      target="$(awk -v a="${R[$k.rps]}" -v b="${R[$d.rps]}" -v p="${R[$k.p50]}" -v q="${R[$d.p50]}" -v r="${R[$k.p99]}" -v s="${R[$d.p99]}" -v bad="$bad" 'BEGIN{
        m=""; if (a/b < 0.8) m=m " ratio"; if (p-q > 1000) m=m " p50"; if (r-s >= 10000) m=m " p99"; if (bad > 0) m=m " non-2xx";
        if (m == "") print "**met**"; else print "**missed:**" m}')"
    fi
    echo "| ${R[$k.label]} | $(fmt_n "${R[$k.rps]}") | $ratio | $(ms "${R[$k.p50]}") / $(ms "${R[$k.p99]}") / $(ms "${R[$k.p999]}") | $added | ${R[$k.non2xx]} / ${R[$k.errors]} | $gwc | ${R[$k.fhcpu]} | ${R[$k.wrkcpu]} | ${R[$k.share]} | $target |"
  done
  if (( low_seconds > 0 )); then
    echo
    echo "One connection (\`-t1 -c1\`, ${low_seconds} s, no queueing: what the hop itself adds):"
    echo
    echo "| row | requests/s | ÷ direct | p50 / p99 / p99.9 (ms) | added p50 / p99 (ms) | non-2xx |"
    echo "|---|---:|---:|---:|---:|---:|"
    for k in "${keys[@]}"; do
      d="$(direct_of "$k")"
      (( ${R[$k.lobad]} == 0 )) || all_ok=0
      if [[ "$k" == direct_* ]]; then ratio="—"; added="—"; else
        ratio="$(awk -v a="${R[$k.lorps]}" -v b="${R[$d.lorps]}" 'BEGIN{printf "%.2f ×", a/b}')"
        added="$(dms "${R[$k.lo50]}" "${R[$d.lo50]}") / $(dms "${R[$k.lo99]}" "${R[$d.lo99]}")"
      fi
      echo "| ${R[$k.label]} | $(fmt_n "${R[$k.lorps]}") | $ratio | $(ms "${R[$k.lo50]}") / $(ms "${R[$k.lo99]}") / $(ms "${R[$k.lo999]}") | $added | ${R[$k.lobad]} |"
    done
  fi
  echo
  echo "Before measuring, every row was checked to answer 200 with the right data (Patient p1; a Bundle of p1's 4"
  echo "Observations and no other patient's), and the gateway to refuse a missing token (401), p2 with the patient/ token"
  echo "(403) and to confine a search naming no patient to p1. Tokens: RS256 at+jwt from a fake issuer (nginx: discovery,"
  echo "JWKS, introspection answering \`{\"active\":true}\`), minted by \`bench/gateway/Tokens.java\`: \`scope=system/*.rs\`;"
  echo "\`scope=launch/patient patient/*.rs\`, \`patient=p1\`. One token per row, so the gateway's validated-token cache serves it."
  echo "system/ rows stream the response untouched; patient/ rows ask HAPI for JSON, read the response whole and check"
  echo "that every resource belongs to p1. Gateway / HAPI CPU = utime+stime of each JVM (/proc/PID/stat, JIT and GC"
  echo "included) ÷ requests; \"others\" = everything else on the machine (other work shares it)."
  if [[ "$active" == 1 ]]; then
    echo "check-active rows: introspection calls to the fake issuer during the measured runs: read ${R[active_read.introspections]}, search ${R[active_search.introspections]}"
    echo "(one per token per 5 s; a real \`latch serve\` would answer those few calls more slowly, which the cache hides)."
  fi
  if (( all_ok == 0 )); then echo; echo "**Some rows had non-2xx answers or socket errors: their figures are not valid.**"; fi
  echo
  echo "Raw wrk outputs: bench/results/fhir-raw/."
} > "$here/results/fhir-latest.md"
cat "$here/results/fhir-latest.md"
(( all_ok == 1 )) || die "non-2xx answers or socket errors during the measured runs"
