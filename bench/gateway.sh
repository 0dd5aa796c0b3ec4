#!/usr/bin/env bash
# What `latch gateway` costs in front of a small JSON service, next to what users compare it with, all in
# one run on loopback: nginx direct, nginx proxy_pass, HAProxy jwt_verify, Latch passthrough / protect
# (one token: cached validation; a new token per request: a signature each) / attach / sso (an established
# browser session: a sealed cookie, signed in once through a real `latch serve` with curl), and the raw RS256
# verification rate of the machine. See bench/README.md, "Gateway". Writes bench/results/gateway-latest.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

threads="${BENCH_THREADS:-2}"          # wrk threads
connections="${BENCH_CONNECTIONS:-64}"
seconds="${BENCH_SECONDS:-15}"         # each measured wrk run
warmup="${BENCH_WARMUP:-5}"            # wrk warm-up before each Latch measurement (2 s for nginx/HAProxy)
first_warmup="${BENCH_FIRST_WARMUP:-12}" # per route, once after each gateway start (the JIT needs ~30 s in all)
uncached_warmup="${BENCH_UNCACHED_WARMUP:-20}" # the signature path: one token with a bad signature (then 5 s of
                                       # valid new tokens and a 5 s probe of the rate)
raw_seconds="${BENCH_RAW_SECONDS:-10}" # raw verification, after a 3 s warm-up
raw_threads="${BENCH_RAW_THREADS:-2}"
low_seconds="${BENCH_LOW_SECONDS:-5}"  # the one-connection latency runs (0 skips them)
sso_pairs="${BENCH_SSO_PAIRS:-0}"      # after the sso run: this many more passthrough/sso pairs, alternating order
sso_side="${BENCH_SSO_SIDE:-2}"        # then this many side-by-side runs: passthrough and sso at once, half the
                                       # connections each, so both see the same machine in the same seconds
tokens_override="${BENCH_TOKENS:-}"    # distinct tokens for the measured uncached run (default: from the probe's rate)
jfr="${BENCH_JFR:-0}"                  # 1: a JFR CPU-time profile of each Latch run, in bench/results/gateway-raw/
keep="${BENCH_KEEP:-0}"
gw_java_opts="${LATCH_JAVA_OPTS:-}"    # extra JVM options of the gateway (default heap otherwise)
only="${BENCH_ONLY:-}"                 # comma-separated figures to measure (default: all): direct nginxproxy haproxy
                                       # pass cached uncached attach sso nolog; uncached brings cached (its pools are
                                       # sized from it), attach and sso bring pass (their targets are against it)
for k in ${only//,/ }; do
  [[ " direct nginxproxy haproxy pass cached uncached attach sso nolog " == *" $k "* ]] \
    || { echo "bench: BENCH_ONLY: unknown figure '$k' (direct nginxproxy haproxy pass cached uncached attach sso nolog)" >&2; exit 1; }
done
want() { # want FIGURE: true when FIGURE is to be measured
  [[ -z "$only" || ",$only," == *",$1,"* ]] && return 0
  case "$1" in
    cached) [[ ",$only," == *",uncached,"* ]] ;;
    pass) [[ ",$only," == *",attach,"* || ",$only," == *",sso,"* ]] ;;
    *) return 1 ;;
  esac
}

# ---------------------------------------------------------------- prerequisites
missing=()
for tool in nginx:nginx haproxy:haproxy wrk:wrk curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [[ -x "/usr/sbin/${tool%%:*}" ]] || missing+=("${tool#*:}")
done
(( ${#missing[@]} == 0 )) || die "needs ${missing[*]}: apt-get install -y ${missing[*]}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
JAVA="$(find_jdk || true)"
[[ -n "$JAVA" ]] || die "needs a JDK 21+ (java with javac beside it: bench/gateway/Tokens.java is launched from source); set JAVA_HOME or LATCH_JAVA"
export LATCH_JAVA="$JAVA"
"$root/latch" --version >/dev/null || die "building latch failed (try: mvn -B -DskipTests -pl latch-cli -am package)"

work="$(mktemp -d "${TMPDIR:-/tmp}/latch-gateway-bench.XXXXXX")"
chmod 755 "$work"
data="$work/data"
raw="$here/results/gateway-raw"
mkdir -p "$here/results" "$raw"
rm -f "$raw"/*.txt "$raw"/*.jfr
# The run uses a copy of the jar: others may rebuild latch-cli/target/latch.jar while it runs.
cp "$root/latch-cli/target/latch.jar" "$work/latch.jar"
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
up_port="$(free_port)"; px_port="$(free_port)"; ha_port="$(free_port)"
issuer="http://127.0.0.1:$up_port"
audience="https://api.bench.example"
latch keys generate --alg RS256 --out "$work/issuer" >/dev/null 2>"$work/keys.err"
jwks="$(tr -d '\n' < "$work/issuer.jwks.json")"
body='{"id":4711,"name":"bench","tags":["a","b","c"],"active":true,"note":"a small JSON answer from nginx."}'

nginx_common() { # nginx_common NAME: the top of a foreground nginx configuration
  cat <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $work/$1.pid;
error_log $work/$1.err warn;
$( [[ "$(id -u)" == 0 ]] && echo "user root;" || true )
events { worker_connections 4096; }
EOF
}
# The service: the JSON answer, and the static discovery document and JWKS of the protect issuer.
{ nginx_common up; cat <<EOF
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/up-body; proxy_temp_path $work/up-proxy; fastcgi_temp_path $work/up-fcgi;
  uwsgi_temp_path $work/up-uwsgi; scgi_temp_path $work/up-scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$up_port;
    location = /.well-known/openid-configuration { return 200 '{"issuer":"$issuer","jwks_uri":"$issuer/jwks"}'; }
    location = /jwks { return 200 '$jwks'; }
    location = /echo-authorization { default_type text/plain; return 200 "\$http_authorization"; }
    location = /echo-identity { default_type text/plain;
      return 200 "user=\$http_x_forwarded_user groups=\$http_x_forwarded_groups username=\$http_x_forwarded_preferred_username cookie=\$http_cookie"; }
    location / { return 200 '$body'; }
  }
}
EOF
} > "$work/up.conf"
# What users compare with: nginx proxy_pass, no checks, a keep-alive upstream pool.
{ nginx_common px; cat <<EOF
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/px-body; proxy_temp_path $work/px-proxy; fastcgi_temp_path $work/px-fcgi;
  uwsgi_temp_path $work/px-uwsgi; scgi_temp_path $work/px-scgi;
  upstream service { server 127.0.0.1:$up_port; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$px_port;
    location / { proxy_pass http://service; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
} > "$work/px.conf"
# HAProxy 2.5+: the signature of the same RS256 token, checked in C (OpenSSL) on every request.
cat > "$work/haproxy.cfg" <<EOF
global
  maxconn 8192
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend bench
  bind 127.0.0.1:$ha_port
  http-request deny unless { req.hdr(authorization),word(2,' '),jwt_verify("RS256","$work/issuer.pub.pem") -m int 1 }
  default_backend service
backend service
  http-reuse always
  server s1 127.0.0.1:$up_port
EOF

for conf in up px; do "$NGINX" -t -q -p "$work" -c "$work/$conf.conf" 2>"$work/$conf-test.err" || { cat "$work/$conf-test.err" >&2; die "nginx $conf.conf invalid"; }; done
"$HAPROXY" -c -q -f "$work/haproxy.cfg" >"$work/haproxy-check.err" 2>&1 || { cat "$work/haproxy-check.err" >&2; die "haproxy.cfg invalid"; }

"$NGINX" -p "$work" -c "$work/up.conf" 2>>"$work/up.err" & up_pid=$!; started_pids+=("$up_pid")
"$NGINX" -p "$work" -c "$work/px.conf" 2>>"$work/px.err" & px_pid=$!; started_pids+=("$px_pid")
"$HAPROXY" -db -f "$work/haproxy.cfg" >"$work/haproxy.err" 2>&1 & ha_pid=$!; started_pids+=("$ha_pid")
wait_http "http://127.0.0.1:$up_port/" "$up_pid"; wait_http "http://127.0.0.1:$px_port/" "$px_pid"; wait_http "http://127.0.0.1:$ha_port/" "$ha_pid"

# The authorization server of attach: a real `latch serve` with one client_credentials client.
mapfile -t client < <(latch clients add --data "$data" --client-id bench-gateway --scope api.read -q 2>>"$work/serve.err")
[[ "${#client[@]}" -ge 2 && -n "${client[1]}" ]] || { tail -5 "$work/serve.err" >&2; die "could not register the attach client"; }
export BENCH_GATEWAY_SECRET="${client[1]}"
# The provider of sso, the same `latch serve`: a confidential web client whose redirect URI names the gateway's
# port (so it is chosen now), its access tokens valid for 2 h (no refresh during the run: the gateway refreshes
# 60 s before expiry), one user with the role the route asks for, and the roles mapped into the ID token.
gw_first_port="$(free_port)"
sso_token_lifetime=2h
mapfile -t sso_client < <(latch clients add --data "$data" --client-id bench-sso --name "Bench SSO" \
  --auth-method client_secret_basic --grant-type authorization_code,refresh_token \
  --redirect-uri "http://localhost:$gw_first_port/oauth2/callback" --scope "openid profile email" \
  --token-lifetime "$sso_token_lifetime" -q 2>>"$work/serve.err")
[[ "${#sso_client[@]}" -ge 2 && -n "${sso_client[1]}" ]] || { tail -5 "$work/serve.err" >&2; die "could not register the sso client"; }
export BENCH_SSO_SECRET="${sso_client[1]}"
BENCH_SSO_COOKIE_SECRET="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"; export BENCH_SSO_COOKIE_SECRET
sso_user=bench-sso-user
sso_password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
printf '%s\n' "$sso_password" | latch users add "$sso_user" --data "$data" --password-stdin --email bench-sso@example.org \
  --name "Bench SSO" --role staff -q >/dev/null 2>>"$work/serve.err" || { tail -5 "$work/serve.err" >&2; die "could not add the sso user"; }
cat > "$work/serve.yaml" <<EOF
claims:
  - claim: roles
    source: roles
    in: [id_token, access_token, userinfo]
EOF
"$JAVA" --enable-native-access=ALL-UNNAMED -jar "$jar" serve --config "$work/serve.yaml" --data "$data" --port 0 --management-port 0 \
  >"$work/serve.out" 2>>"$work/serve.err" & serve_pid=$!; started_pids+=("$serve_pid")
wait_line "$work/serve.out" '^Latch is ready' "$serve_pid"
as_issuer="$(sed -n 's/^Latch is ready: issuer \(http:\/\/[^ ]*\).*/\1/p' "$work/serve.out")"
as_mgmt="$(sed -n 's/.*(management http:\/\/127.0.0.1:\([0-9]*\)).*/\1/p' "$work/serve.out")"

cat > "$work/gateway.yaml" <<EOF
host: 127.0.0.1
issuers:
  - id: bench
    issuer: $issuer
    audience: $audience
    typ: at+jwt
routes:
  - path: /pass/
    upstream: http://127.0.0.1:$up_port/
    mode: passthrough
  - path: /api/
    upstream: http://127.0.0.1:$up_port/
    mode: protect
    issuer: bench
    scopes: [api.read]
  - path: /attach/
    upstream: http://127.0.0.1:$up_port/
    mode: attach
    token:
      issuer: $as_issuer
      client-id: bench-gateway
      client-secret: \${env:BENCH_GATEWAY_SECRET}
      scope: api.read
  - path: /app/
    upstream: http://127.0.0.1:$up_port/
    mode: sso
    sso:
      issuer: $as_issuer
      client-id: bench-sso
      client-secret: \${env:BENCH_SSO_SECRET}
      cookie-secret: \${env:BENCH_SSO_COOKIE_SECRET}
      allowed-roles: [staff]
EOF
gw_pid=""; gw_port=""
start_gateway() { # start_gateway LABEL PORT [ENV=VALUE...]: the gateway JVM, stderr (access log) to a file
  local label="$1" listen="$2"; shift 2
  : > "$work/gateway-$label.out"
  env "$@" "$JAVA" --enable-native-access=ALL-UNNAMED $gw_java_opts -jar "$jar" gateway --config "$work/gateway.yaml" \
    --port "$listen" --management-port 0 >"$work/gateway-$label.out" 2>"$work/gateway-$label.err" &
  gw_pid=$!; started_pids+=("$gw_pid")
  wait_line "$work/gateway-$label.out" '^Latch gateway is ready' "$gw_pid"
  gw_port="$(sed -n 's/^Latch gateway is ready: http:\/\/localhost:\([0-9]*\).*/\1/p' "$work/gateway-$label.out")"
  [[ -n "$gw_port" ]] || die "no gateway port in $(cat "$work/gateway-$label.out")"
  gw_mgmt="$(sed -n 's/.*(management http:\/\/127.0.0.1:\([0-9]*\)).*/\1/p' "$work/gateway-$label.out")"
}
cache_counts() { # "HITS MISSES" of the validated-token cache, from the gateway's /metrics
  curl -s --max-time 5 "http://127.0.0.1:$gw_mgmt/metrics" | awk '
    /^latch_gateway_token_cache_hits_total/ {h=$NF} /^latch_gateway_token_cache_misses_total/ {m=$NF}
    END {printf "%d %d\n", h, m}'
}
# provider_requests: requests `latch serve` has answered (its /metrics, every route and status)
provider_requests() {
  curl -s --max-time 5 "http://127.0.0.1:$as_mgmt/metrics" | awk '/^latch_http_requests_seconds_count/ {n+=$NF} END {printf "%d\n", n}'
}
# gateway_counts ROUTE: "REFUSALS NON2XX" of a route at the gateway (its /metrics)
gateway_counts() {
  curl -s --max-time 5 "http://127.0.0.1:$gw_mgmt/metrics" | awk -v r="route=\"$1\"" '
    index($0, r) && /^latch_gateway_refusals_total/ {f+=$NF}
    index($0, r) && /^latch_gateway_requests_seconds_count/ && !/status="2[0-9][0-9]"/ {b+=$NF}
    END {printf "%d %d\n", f, b}'
}
# measure_cache KEY ARGS...: measure, and the cache hits and misses it caused
measure_cache() {
  local key="$1" h0 m0 h1 m1
  read -r h0 m0 <<<"$(cache_counts)"
  measure "$@"
  read -r h1 m1 <<<"$(cache_counts)"
  R[$key.hits]=$(( h1 - h0 )); R[$key.misses]=$(( m1 - m0 ))
  say "[${R[$key.label]}] validated-token cache: $(( h1 - h0 )) hits, $(( m1 - m0 )) misses"
}

# One token for the cached runs (and HAProxy), minted like all others by bench/gateway/Tokens.java.
tokens_java() { "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$jar" "$here/gateway/Tokens.java" "$@"; }
tokens_java mint "$work/issuer.jwk.json" "$issuer" "$audience" 1 "$work/one-token.txt" 1 2>>"$work/tokens.err" \
  || { tail -5 "$work/tokens.err" >&2; die "minting a token failed"; }
token="$(head -1 "$work/one-token.txt")"

# ---------------------------------------------------------------- sanity checks
expect() { # expect NAME STATUS URL [curl args...]
  local name="$1" want="$2" url="$3" got; shift 3
  got="$(curl -s -o "$work/check.body" -w '%{http_code}' --max-time 10 "$@" "$url" || true)"
  [[ "$got" == "$want" ]] || die "$name: HTTP $got from $url, expected $want: $(head -c 300 "$work/check.body")"
}
auth=(-H "Authorization: Bearer $token")
start_gateway log "$gw_first_port"
expect "nginx direct" 200 "http://127.0.0.1:$up_port/data"
[[ "$(cat "$work/check.body")" == "$body" ]] || die "nginx answered $(cat "$work/check.body")"
expect "nginx proxy_pass" 200 "http://127.0.0.1:$px_port/data"
expect "HAProxy, valid token" 200 "http://127.0.0.1:$ha_port/data" "${auth[@]}"
expect "HAProxy, no token" 403 "http://127.0.0.1:$ha_port/data"
expect "HAProxy, bad signature" 403 "http://127.0.0.1:$ha_port/data" -H "Authorization: Bearer ${token%?????}AAAAA"
expect "passthrough" 200 "http://127.0.0.1:$gw_port/pass/data"
[[ "$(cat "$work/check.body")" == "$body" ]] || die "passthrough answered $(cat "$work/check.body")"
expect "protect, valid token" 200 "http://127.0.0.1:$gw_port/api/data" "${auth[@]}"
expect "protect, no token" 401 "http://127.0.0.1:$gw_port/api/data"
expect "protect, bad signature" 401 "http://127.0.0.1:$gw_port/api/data" -H "Authorization: Bearer ${token%?????}AAAAA"
expect "attach" 200 "http://127.0.0.1:$gw_port/attach/echo-authorization"
grep -q '^Bearer ey' "$work/check.body" || die "attach sent no token upstream: $(head -c 200 "$work/check.body")"

# sso: the real sign-in once, as a browser would, with curl and a cookie jar: a page of the app without a
# session → 302 to Latch's /authorize → its sign-in form (hidden interaction and csrf fields) → POST the
# password → consent (the first time) → 303 to the gateway's callback → the gateway exchanges the code and
# sets the sealed session cookie (_latch_sso, or _latch_sso_0, _latch_sso_1, … when long).
sso_sign_in() {
  local site="http://localhost:$gw_port" cj="$work/sso-jar.txt" got page="$work/sso-page.html" interaction csrf
  rm -f "$cj"
  hidden() { sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" "$2" | head -1 | sed 's/&amp;/\&/g'; }
  got="$(curl -s --max-time 15 -c "$cj" -b "$cj" -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Accept: text/html' "$site/app/data")"
  [[ "$got" == 30[23]" $as_issuer/authorize?"* ]] || die "sso: $site/app/data answered '$got', not a redirect to $as_issuer/authorize"
  got="$(curl -s --max-time 15 -c "$cj" -b "$cj" -o "$page" -w '%{http_code}' "${got#* }")"
  [[ "$got" == 200 ]] && grep -q 'name="password"' "$page" || die "sso: Latch's sign-in page: HTTP $got $(head -c 300 "$page")"
  interaction="$(hidden interaction "$page")"; csrf="$(hidden csrf "$page")"
  got="$(curl -s --max-time 30 -c "$cj" -b "$cj" -o "$page" -w '%{http_code} %{redirect_url}' --data-urlencode "interaction=$interaction" \
    --data-urlencode "csrf=$csrf" --data-urlencode "username=$sso_user" --data-urlencode "password=$sso_password" "$as_issuer/authorize/login")"
  if [[ "$got" == "200 "* ]] && grep -q 'name="decision"' "$page"; then
    sso_consent=shown
    interaction="$(hidden interaction "$page")"; csrf="$(hidden csrf "$page")"
    got="$(curl -s --max-time 15 -c "$cj" -b "$cj" -o "$page" -w '%{http_code} %{redirect_url}' --data-urlencode "interaction=$interaction" \
      --data-urlencode "csrf=$csrf" --data-urlencode "decision=approve" "$as_issuer/authorize/consent")"
  fi
  [[ "$got" == 30[23]" $site/oauth2/callback?"* ]] || die "sso: sign-in at Latch answered '$got', not a redirect to the gateway's callback: $(head -c 300 "$page")"
  got="$(curl -s --max-time 30 -c "$cj" -b "$cj" -o "$page" -w '%{http_code} %{redirect_url}' -H 'Accept: text/html' "${got#* }")"
  [[ "$got" == 30[23]" $site/app/data" ]] || die "sso: the gateway's callback answered '$got', expected a redirect to /app/data: $(head -c 300 "$page")"
  # the session's cookies from the jar (curl writes HttpOnly ones as #HttpOnly_DOMAIN)
  sso_cookie="$(awk -F'\t' 'NF >= 7 && $6 ~ /^_latch_sso(_[0-9]+)?$/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$cj")"
  [[ -n "$sso_cookie" ]] || die "sso: no _latch_sso cookie after the callback: $(cat "$cj")"
  sso_parts="$(awk -F'\t' 'NF >= 7 && $6 ~ /^_latch_sso(_[0-9]+)?$/ {n++} END {print n+0}' "$cj")"
}
if want sso; then
  sso_consent="not shown"
  sso_sign_in
  say "sso: signed in as $sso_user through $as_issuer; session cookie: $sso_parts part(s), ${#sso_cookie} bytes of Cookie header; consent $sso_consent"
  expect "sso, established session" 200 "http://127.0.0.1:$gw_port/app/data" -H "Cookie: $sso_cookie" -H 'Accept: application/json'
  [[ "$(cat "$work/check.body")" == "$body" ]] || die "sso answered $(cat "$work/check.body")"
  expect "sso, identity upstream" 200 "http://127.0.0.1:$gw_port/app/echo-identity" -H "Cookie: theme=dark; $sso_cookie" -H 'Accept: application/json'
  grep -q "^user=[^ ]\+ groups=staff username=$sso_user cookie=theme=dark\$" "$work/check.body" \
    || die "sso sent the wrong identity or cookies upstream: $(head -c 300 "$work/check.body")"
  expect "sso, no session (API call)" 401 "http://127.0.0.1:$gw_port/app/data" -H 'Accept: application/json'
  # the provider's request count must see the sign-in, else a 0 during the runs would prove nothing
  [[ -n "$as_mgmt" ]] && (( $(provider_requests) >= 3 )) || die "sso: no request count from Latch's /metrics on port '$as_mgmt'"
  expect "sso, tampered cookie" 401 "http://127.0.0.1:$gw_port/app/data" -H "Cookie: ${sso_cookie%?????}AAAAA" -H 'Accept: application/json'
fi
say "all set: nginx :$up_port, nginx proxy :$px_port, HAProxy :$ha_port, latch serve $as_issuer, gateway :$gw_port"

# ---------------------------------------------------------------- measuring
declare -A R
run_wrk() { # run_wrk SECONDS OUT URL [ENV=VALUE...]
  local s="$1" out="$2" url="$3"; shift 3
  env "$@" wrk -t"${wrk_t:-$threads}" -c"${wrk_c:-$connections}" -d"${s}s" --latency -s "$here/gateway/wrk.lua" "$url" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed on $url"; }
}
warm() { # warm SECONDS URL [ENV=VALUE...]
  local s="$1" url="$2"; shift 2
  say "  warm-up ${s}s: $url"
  run_wrk "$s" "$work/warm.txt" "$url" "$@"
}
# measure KEY LABEL URL PROXY_PIDS [ENV=VALUE...]: one wrk run; CPU of the proxy under test (its process
# tree), of the nginx service, of wrk, and of the whole machine around it.
measure() {
  local key="$1" label="$2" url="$3" pids="$4"; shift 4
  local out="$raw/$key.txt" busy0 busy1 px0 px1 up0 up1 t0 t1 line n
  say "[$label] wrk -t$threads -c$connections -d${seconds}s $url"
  [[ "$jfr" == 1 && "$pids" == "$gw_pid" ]] && "$(dirname "$JAVA")/jcmd" "$gw_pid" JFR.start name="$key" \
    jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=1ms filename="$raw/$key.jfr" >/dev/null
  # the machine's counters tightly around wrk; the processes' around that (they idle outside it)
  px0="$(tree_cpu $pids)"; up0="$(tree_cpu "$up_pid")"; busy0="$(machine_busy)"; t0="$(now_ms)"
  TIMEFORMAT='%U %S'
  { time run_wrk "$seconds" "$out" "$url" "$@" ; } 2>"$work/wrk-time.txt"
  t1="$(now_ms)"; busy1="$(machine_busy)"; px1="$(tree_cpu $pids)"; up1="$(tree_cpu "$up_pid")"
  [[ "$jfr" == 1 && "$pids" == "$gw_pid" ]] && "$(dirname "$JAVA")/jcmd" "$gw_pid" JFR.stop name="$key" >/dev/null
  line="$(grep '^summary ' "$out")" || die "no summary line from wrk.lua in $out"
  read -r _ _ n _ R[$key.non2xx] _ R[$key.errors] _ R[$key.exhausted] _ R[$key.p50] _ R[$key.p90] _ R[$key.p99] _ R[$key.p999] _ R[$key.max] <<<"$line"
  R[$key.n]="$n"
  R[$key.label]="$label"
  R[$key.rps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$out")"
  local wall wrk_cpu
  wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1000}')"
  wrk_cpu="$(tail -1 "$work/wrk-time.txt" | awk '{printf "%.3f", $1+$2}')"
  R[$key.pxcpu]="$(awk -v a="$px0" -v b="$px1" -v t="$ticks" -v n="$n" 'BEGIN{printf "%.1f", (b-a)/t*1e6/n}')"
  R[$key.upcpu]="$(awk -v a="$up0" -v b="$up1" -v t="$ticks" -v n="$n" 'BEGIN{printf "%.1f", (b-a)/t*1e6/n}')"
  R[$key.wrkcpu]="$(awk -v c="$wrk_cpu" -v n="$n" 'BEGIN{printf "%.1f", c*1e6/n}')"
  R[$key.share]="$(awk -v p0="$px0" -v p1="$px1" -v u0="$up0" -v u1="$up1" -v w="$wrk_cpu" -v b0="$busy0" -v b1="$busy1" \
    -v t="$ticks" -v s="$wall" -v k="$cores" 'BEGIN{p=(p1-p0)/t; u=(u1-u0)/t; a=(b1-b0)/t; o=a-p-u-w; if (o<0) o=0; c=s*k;
      printf "%.0f / %.0f / %.0f / %.0f / %.0f", 100*p/c, 100*u/c, 100*w/c, 100*o/c, 100*(1-a/c)}')"
  R[$key.other]="$(awk -v p0="$px0" -v p1="$px1" -v u0="$up0" -v u1="$up1" -v w="$wrk_cpu" -v b0="$busy0" -v b1="$busy1" \
    -v t="$ticks" -v s="$wall" -v k="$cores" 'BEGIN{o=(b1-b0)/t-(p1-p0)/t-(u1-u0)/t-w; if (o<0) o=0; printf "%.0f", 100*o/(s*k)}')"
  say "[$label] ${R[$key.rps]} req/s, p50 ${R[$key.p50]} µs, p99 ${R[$key.p99]} µs, p99.9 ${R[$key.p999]} µs, non-2xx ${R[$key.non2xx]}, errors ${R[$key.errors]}; proxy CPU ${R[$key.pxcpu]} µs/req; machine proxy/service/wrk/other/idle ${R[$key.share]} %"
}
# measure_low KEY URL [ENV=VALUE...]: latency with one connection (no queueing): what the hop itself adds
measure_low() {
  local key="$1" url="$2" line; shift 2
  (( low_seconds > 0 )) || return 0
  say "[${R[$key.label]}] one connection, ${low_seconds}s"
  wrk_t=1 wrk_c=1 run_wrk "$low_seconds" "$raw/$key-c1.txt" "$url" "$@"
  line="$(grep '^summary ' "$raw/$key-c1.txt")"
  read -r _ _ R[$key.lon] _ R[$key.lobad] _ _ _ _ _ R[$key.lo50] _ R[$key.lo90] _ R[$key.lo99] _ R[$key.lo999] _ <<<"$line"
  R[$key.lorps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$raw/$key-c1.txt")"
  say "[${R[$key.label]}] one connection: ${R[$key.lorps]} req/s, p50 ${R[$key.lo50]} µs, p99 ${R[$key.lo99]} µs"
}
# measure_side KEY: passthrough and sso at the same time for $seconds s, each by its own wrk (one thread, half the
# connections): one gateway at the usual concurrency, and the two latencies taken over the same seconds of the
# same machine, so the drift that separate runs minutes apart suffer cancels out of their difference.
measure_side() {
  local key="$1" half=$(( connections / 2 )) p s pass_ok=1 sso_ok=1
  (( half >= 1 )) || die "BENCH_SSO_SIDE needs BENCH_CONNECTIONS of 2 or more (one wrk per route)"
  say "[side by side $key] passthrough and sso at once, wrk -t1 -c$half each, ${seconds}s"
  wrk_t=1 wrk_c="$half" run_wrk "$seconds" "$raw/${key}-pass.txt" "$gw/pass/data" & p=$!
  wrk_t=1 wrk_c="$half" run_wrk "$seconds" "$raw/${key}-sso.txt" "$gw/app/data" "${sso_env[@]}" & s=$!
  wait "$p" || pass_ok=0
  wait "$s" || sso_ok=0
  (( pass_ok )) || die "wrk failed on $gw/pass/data (side by side)"
  (( sso_ok )) || die "wrk failed on $gw/app/data (side by side)"
  local side line
  for side in pass sso; do
    line="$(grep '^summary ' "$raw/${key}-$side.txt")" || die "no summary line from wrk.lua in $raw/${key}-$side.txt"
    read -r _ _ R[$key.$side.n] _ R[$key.$side.non2xx] _ R[$key.$side.errors] _ _ _ R[$key.$side.p50] _ _ _ R[$key.$side.p99] _ _ _ _ <<<"$line"
    R[$key.$side.rps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$raw/${key}-$side.txt")"
  done
  say "[side by side $key] passthrough ${R[$key.pass.rps]} req/s p50 ${R[$key.pass.p50]} µs p99 ${R[$key.pass.p99]} µs; sso ${R[$key.sso.rps]} req/s p50 ${R[$key.sso.p50]} µs p99 ${R[$key.sso.p99]} µs; sso non-2xx ${R[$key.sso.non2xx]}, errors ${R[$key.sso.errors]}"
}
raw_verify() { # raw_verify jdk|native
  local line
  say "[raw verify $1] $raw_threads threads, ${raw_seconds}s"
  line="$(tokens_java verify "$work/issuer.jwk.json" "$issuer" "$audience" "$raw_seconds" "$raw_threads" "$1" 2>>"$work/tokens.err")" \
    || { tail -5 "$work/tokens.err" >&2; die "raw verification failed"; }
  read -r _ R[raw.$1.provider] R[raw.$1.rate] R[raw.$1.cpu] <<<"$line"
  say "[raw verify $1] ${R[raw.$1.provider]}: ${R[raw.$1.rate]}/s, ${R[raw.$1.cpu]} µs CPU each"
}

direct="http://127.0.0.1:$up_port/data"
if want direct; then
  warm 2 "$direct"; measure direct "nginx direct" "$direct" "$up_pid"; measure_low direct "$direct"
fi
if want nginxproxy; then
  warm 2 "http://127.0.0.1:$px_port/data"; measure nginxproxy "nginx proxy_pass" "http://127.0.0.1:$px_port/data" "$px_pid"
  measure_low nginxproxy "http://127.0.0.1:$px_port/data"
fi
if want haproxy; then
  warm 2 "http://127.0.0.1:$ha_port/data" BENCH_TOKEN="$token"
  measure haproxy "HAProxy jwt_verify" "http://127.0.0.1:$ha_port/data" "$ha_pid" BENCH_TOKEN="$token"
  measure_low haproxy "http://127.0.0.1:$ha_port/data" BENCH_TOKEN="$token"
fi

gw="http://127.0.0.1:$gw_port"
say "gateway JVM $gw_pid: first warm-up of every route"
# sso requests: the session's cookies and Accept JSON (a lost session is then a 401 — non-2xx — not a 302 to sign-in)
sso_env=(BENCH_COOKIE="${sso_cookie:-}" BENCH_ACCEPT=application/json)
want pass && warm "$first_warmup" "$gw/pass/data"
want cached && warm "$first_warmup" "$gw/api/data" BENCH_TOKEN="$token"
want attach && warm "$first_warmup" "$gw/attach/data"
if want sso; then
  sso_p0="$(provider_requests)"; read -r sso_f0 sso_b0 <<<"$(gateway_counts /app/)"
  warm "$first_warmup" "$gw/app/data" "${sso_env[@]}"
fi
if want pass; then
  warm "$warmup" "$gw/pass/data"; measure pass "Latch passthrough" "$gw/pass/data" "$gw_pid"; measure_low pass "$gw/pass/data"
fi
# sso right after passthrough (the same upstream, the same JVM, minutes apart), then the provider's and the
# gateway's counts over all sso traffic of the run (its warm-ups included): an established session needs no
# provider call, and every request must have been let through.
if want sso; then
  warm "$warmup" "$gw/app/data" "${sso_env[@]}"
  measure sso "Latch sso, established session" "$gw/app/data" "$gw_pid" "${sso_env[@]}"
  measure_low sso "$gw/app/data" "${sso_env[@]}"
  # optional alternating pairs (BENCH_SSO_PAIRS): on a shared machine the load drifts within minutes, so the
  # ratio of runs seconds apart, in alternating order, says more than one pair
  sso_pair_lines=()
  for (( i = 1; i <= sso_pairs; i++ )); do
    for route in $( (( i % 2 )) && echo "pass sso" || echo "sso pass" ); do
      if [[ "$route" == pass ]]; then
        warm 2 "$gw/pass/data"; measure "pass_$i" "Latch passthrough, pair $i" "$gw/pass/data" "$gw_pid"
      else
        warm 2 "$gw/app/data" "${sso_env[@]}"; measure "sso_$i" "Latch sso, pair $i" "$gw/app/data" "$gw_pid" "${sso_env[@]}"
      fi
    done
    sso_pair_lines+=("$(awk -v i="$i" -v sr="${R[sso_$i.rps]}" -v pr="${R[pass_$i.rps]}" -v s5="${R[sso_$i.p50]}" -v p5="${R[pass_$i.p50]}" \
      -v s9="${R[sso_$i.p99]}" -v p9="${R[pass_$i.p99]}" -v sc="${R[sso_$i.pxcpu]}" -v pc="${R[pass_$i.pxcpu]}" -v so="${R[sso_$i.other]}" \
      -v po="${R[pass_$i.other]}" -v n="$(( ${R[sso_$i.non2xx]} + ${R[sso_$i.errors]} ))" \
      'BEGIN{printf "%d %.3f %.2f %.2f %.1f %d %d %d %d %d", i, sr/pr, (s5-p5)/1000, (s9-p9)/1000, sc-pc, sr, pr, po, so, n}')")
  done
  for (( i = 1; i <= sso_side; i++ )); do
    warm 2 "$gw/app/data" "${sso_env[@]}"; measure_side "side_$i"
  done
  sso_p1="$(provider_requests)"; read -r sso_f1 sso_b1 <<<"$(gateway_counts /app/)"
  R[sso.provider]=$(( sso_p1 - sso_p0 )); R[sso.refusals]=$(( sso_f1 - sso_f0 )); R[sso.gwnon2xx]=$(( sso_b1 - sso_b0 ))
  say "[${R[sso.label]}] during all sso traffic: ${R[sso.provider]} requests at the provider, ${R[sso.refusals]} refusals and ${R[sso.gwnon2xx]} non-2xx at the gateway"
fi
if want cached; then
  warm "$warmup" "$gw/api/data" BENCH_TOKEN="$token"
  measure_cache cached "Latch protect, one token (cached)" "$gw/api/data" "$gw_pid" BENCH_TOKEN="$token"
  measure_low cached "$gw/api/data" BENCH_TOKEN="$token"
fi

# Uncached: a distinct token per request, never one sent before. Each costs a signature to mint, so the
# pools are sized to the run from "bound", the best rate the machine could reach: cores ÷ (CPU per request
# of the cached run + one raw verification). Cold, the signature path is many times slower than warm (C2
# takes 30-40 s of load to settle on two shared cores), so first a warm-up with one token whose signature
# is wrong (refused tokens are never cached, so each request parses and verifies it in full, and the pool
# costs nothing), then 5 s of valid new tokens (claims, cache insertion, the proxying; a pool that runs out
# only means 401s), a 5 s probe of the warm rate (its pool: bound × 5 s), and a measured pool of 1.6 × the
# probe's rate (at most 1.2 × bound) × time. An exhausted measured pool shows in the table (and as 401s),
# never as cache hits.
if want uncached; then
  raw_verify jdk
  raw_verify native
  bound="$(awk -v k="$cores" -v g="${R[cached.pxcpu]}" -v u="${R[cached.upcpu]}" -v w="${R[cached.wrkcpu]}" -v r="${R[raw.jdk.cpu]}" \
    'BEGIN{printf "%d", k*1e6/(g+u+w+r)}')"
  mint() { # mint COUNT NAME: COUNT tokens split round-robin into $work/NAME-00, -01, ... (one file per wrk thread)
    local t0; t0="$(now_ms)"
    tokens_java mint "$work/issuer.jwk.json" "$issuer" "$audience" "$1" "$work/$2.txt" "$cores" 2>>"$work/tokens.err" \
      || { tail -5 "$work/tokens.err" >&2; die "minting tokens failed"; }
    split -n "r/$threads" -d "$work/$2.txt" "$work/$2-"
    rm -f "$work/$2.txt"
    mint_s=$(( mint_s + ($(now_ms) - t0) / 1000 ))
    minted=$(( minted + $1 ))
  }
  mint_s=0; minted=0
  n_warm="$(awk -v b="$bound" 'BEGIN{printf "%d", b*5*0.6 + 1000}')"
  n_probe="$(awk -v b="$bound" 'BEGIN{printf "%d", b*5 + 1000}')"
  say "minting $n_warm + $n_probe tokens for the uncached warm-up and probe (bound $bound/s)"
  mint "$n_warm" warm
  mint "$n_probe" probe
  warm "$uncached_warmup" "$gw/api/data" BENCH_TOKEN="${token%?????}AAAAA"
  read -r _ _ bn _ bbad _ <<<"$(grep '^summary ' "$work/warm.txt")"
  say "  $(( bn / uncached_warmup )) bad-signature requests/s ($bbad refused of $bn)"
  say "  warm-up 5s, new valid token per request: $gw/api/data"
  run_wrk 5 "$work/warm-uncached.txt" "$gw/api/data" BENCH_TOKEN_FILES="$work/warm-"
  read -r _ _ wn _ wbad _ _ _ wexh _ <<<"$(grep '^summary ' "$work/warm-uncached.txt")"
  warm_rate=$(( (wn - wbad) / 5 ))
  say "  probe 5s"
  run_wrk 5 "$work/probe-uncached.txt" "$gw/api/data" BENCH_TOKEN_FILES="$work/probe-"
  read -r _ _ pn _ pbad _ _ _ pexh _ <<<"$(grep '^summary ' "$work/probe-uncached.txt")"
  probe_rate=$(( (pn - pbad) / 5 ))
  rm -f "$work"/warm-?? "$work"/probe-??
  if [[ -n "$tokens_override" ]]; then
    n_measure="$tokens_override"
  else
    n_measure="$(awk -v r="$probe_rate" -v x="$pexh" -v b="$bound" -v s="$seconds" \
      'BEGIN{e=(x>0 || 1.6*r>1.2*b) ? 1.2*b : 1.6*r; printf "%d", e*s + 2000}')"
  fi
  say "  warm-up $warm_rate, probe $probe_rate valid requests/s ($wexh / $pexh beyond their pools); minting $n_measure tokens for the measured run"
  mint "$n_measure" measure
  measure_cache uncached "Latch protect, new token per request" "$gw/api/data" "$gw_pid" BENCH_TOKEN_FILES="$work/measure-"
  rm -f "$work"/measure-??
  (( ${R[uncached.exhausted]} == 0 )) || say "WARNING: the uncached run used up its $n_measure tokens (${R[uncached.exhausted]} requests without one): rerun with BENCH_TOKENS larger"
fi

if want attach; then
  warm "$warmup" "$gw/attach/data"; measure attach "Latch attach" "$gw/attach/data" "$gw_pid"; measure_low attach "$gw/attach/data"
fi
log_bytes="$(stat -c %s "$work/gateway-log.err")"
log_lines="$(wc -l < "$work/gateway-log.err")"
stop_pid "$gw_pid"

# The same without the access log (LATCH_LOG_LEVEL=WARN: the root logger, which the access log inherits).
if want nolog; then
  start_gateway nolog 0 LATCH_LOG_LEVEL=WARN
  gw="http://127.0.0.1:$gw_port"
  say "gateway JVM $gw_pid (access log off): warm-up"
  warm "$first_warmup" "$gw/pass/data"; warm "$first_warmup" "$gw/api/data" BENCH_TOKEN="$token"
  warm "$warmup" "$gw/pass/data"; measure pass_nolog "Latch passthrough, access log off" "$gw/pass/data" "$gw_pid"
  warm "$warmup" "$gw/api/data" BENCH_TOKEN="$token"
  measure cached_nolog "Latch protect cached, access log off" "$gw/api/data" "$gw_pid" BENCH_TOKEN="$token"
  stop_pid "$gw_pid"
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
ms() { awk -v u="$1" 'BEGIN{ if (u < 10000) printf "%.2f", u/1000; else printf "%.1f", u/1000 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f %%", 100*a/b}'; }
met() { awk -v ok="$1" 'BEGIN{print (ok ? "**met**" : "**not met**")}'; }
has() { [[ -n "${R[$1.rps]:-}" ]]; }   # was FIGURE measured (BENCH_ONLY)
added() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (a-b)/1000}'; }   # added() A_US B_US: A − B in ms
keys=()
for k in direct nginxproxy haproxy pass sso cached uncached attach pass_nolog cached_nolog; do has "$k" && keys+=("$k"); done
{
  echo "# Latch gateway benchmark — $started"
  echo
  echo "Machine: $cores cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)); load average before the run: $load_before, after: $load_after."
  echo "JVM: $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p') ($JAVA), default heap${gw_java_opts:+, LATCH_JAVA_OPTS=$gw_java_opts}. Latch: $commit."
  echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), HAProxy $("$HAPROXY" -v | sed -n '1s/HAProxy version \([^ ]*\).*/\1/p'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
  echo "Load: \`wrk -t$threads -c$connections -d${seconds}s --latency -s bench/gateway/wrk.lua URL\` (GET, ${#body}-byte JSON answer from nginx \`return 200\`), all on loopback, all on the same $cores cores;"
  echo "Latch runs preceded by ${warmup} s of wrk on the same route (nginx/HAProxy 2 s). Latency from wrk's histogram (\`latency:percentile()\`)."
  [[ -n "$only" ]] && echo "Only some figures measured: BENCH_ONLY=$only."
  echo
  printf '| |'; for k in "${keys[@]}"; do printf ' %s |' "${R[$k.label]}"; done; echo
  printf '|---|'; for k in "${keys[@]}"; do printf -- '---:|'; done; echo
  row() { local label="$1" f="$2" k; printf '| %s |' "$label"; for k in "${keys[@]}"; do printf ' %s |' "$($f "$k")"; done; echo; }
  f_rps() { awk -v v="${R[$1.rps]}" 'BEGIN{printf "%\047d", v}'; }
  f_lat() { echo "$(ms "${R[$1.p50]}") / $(ms "${R[$1.p90]}") / $(ms "${R[$1.p99]}") / $(ms "${R[$1.p999]}")"; }
  f_err() { echo "${R[$1.non2xx]} / ${R[$1.errors]}"; }
  f_px() { case "$1" in direct) echo "—" ;; *) echo "${R[$1.pxcpu]}" ;; esac; }
  f_up() { echo "${R[$1.upcpu]}"; }
  f_wrk() { echo "${R[$1.wrkcpu]}"; }
  f_share() { echo "${R[$1.share]}"; }
  row "**requests/s**" f_rps
  row "latency p50 / p90 / p99 / p99.9 (ms)" f_lat
  row "non-2xx / socket errors" f_err
  row "**proxy CPU per request (µs)**" f_px
  row "service (nginx) CPU per request (µs)" f_up
  row "wrk CPU per request (µs)" f_wrk
  row "machine CPU: proxy / service / wrk / others / idle (%)" f_share
  f_lo() { if [[ -n "${R[$1.lo50]:-}" ]]; then echo "$(ms "${R[$1.lo50]}") / $(ms "${R[$1.lo99]}") / $(ms "${R[$1.lo999]}")"; else echo "—"; fi; }
  f_lorps() { if [[ -n "${R[$1.lorps]:-}" ]]; then awk -v v="${R[$1.lorps]}" 'BEGIN{printf "%\047d", v}'; else echo "—"; fi; }
  if (( low_seconds > 0 )); then
    row "one connection (\`-t1 -c1\`, ${low_seconds} s): requests/s" f_lorps
    row "one connection: latency p50 / p99 / p99.9 (ms)" f_lo
  fi
  echo
  echo "Proxy CPU = utime+stime of the process under test (/proc/PID/stat, nginx and HAProxy with their workers)"
  echo "÷ requests; for the Latch columns the whole gateway JVM (JIT and GC included). \"others\" = everything else on the machine."
  echo "HAProxy's \`jwt_verify\` checks only the signature (no iss, aud, exp, typ, scope), on every request (no cache);"
  echo "Latch protect checks signature, typ at+jwt, iss, aud, exp/iat, the route's scope, and caches validated tokens by SHA-256."
  echo "At $connections connections every set-up keeps the $cores cores busy, so latency there is mostly waiting (p50 ≈ connections ÷ rate);"
  echo "the one-connection rows show what the hop itself adds."
  if has sso; then
    echo
    echo "sso: route \`/app/\` (\`mode: sso\`, \`allowed-roles: [staff]\`) to the same nginx as passthrough, its provider the run's \`latch serve\`."
    echo "The session was established once by the real sign-in, driven with curl and a cookie jar (gateway page → 302 to Latch's"
    echo "/authorize → sign-in form → POST password → consent ($sso_consent) → 303 to the gateway's callback → code exchanged, cookie set);"
    echo "wrk then sends its cookies on every request (\`Cookie:\` $sso_parts part(s), ${#sso_cookie} bytes: identity and refresh token; the access and ID tokens only on routes that forward them; no"
    echo "refresh token, as Latch issues one only for offline_access, which the route's default scopes do not ask) with \`Accept: application/json\`,"
    echo "so a lost session would be a 401 (non-2xx), not a redirect. The client's access tokens live $sso_token_lifetime (the gateway refreshes"
    echo "60 s before expiry), so no refresh falls in the run. Each request opens the cookie once (AES-256-GCM), checks expiry and the"
    echo "role, adds X-Forwarded-User/-Email/-Preferred-Username/-Groups and drops the gateway's cookies upstream. Over all sso traffic"
    echo "(warm-ups, measured, one-connection runs and pairs): **${R[sso.provider]}** requests at the provider (Latch's /metrics,"
    echo "\`latch_http_requests\`, every route), ${R[sso.refusals]} refusals and ${R[sso.gwnon2xx]} non-2xx answers on the route (the gateway's /metrics)."
  fi
  if has uncached; then
    echo
    echo "Raw RS256 verification (\`bench/gateway/Tokens.java verify\`: one token, Nimbus RSASSAVerifier, $raw_threads threads, ${raw_seconds} s after 3 s warm-up):"
    echo "JDK ${R[raw.jdk.provider]} **$(awk -v v="${R[raw.jdk.rate]}" 'BEGIN{printf "%\047d", v}')/s** (${R[raw.jdk.cpu]} µs CPU each) — the JDK's own provider (\`latch gateway --crypto jdk\`);"
    echo "ACCP ${R[raw.native.provider]} $(awk -v v="${R[raw.native.rate]}" 'BEGIN{printf "%\047d", v}')/s (${R[raw.native.cpu]} µs CPU each) — the provider \`latch gateway\` verifies with (\`--crypto auto\`, the default)."
    echo "Uncached: warm-up ${uncached_warmup} s with one bad-signature token (verified in full, refused, never cached), 5 s of new valid"
    echo "tokens ($warm_rate/s) and a 5 s probe ($probe_rate/s) on tokens of their own, then"
    echo "$n_measure distinct tokens for the measured run; $minted tokens minted in ${mint_s} s in all (ACCP, $cores threads);"
    echo "requests beyond the pool: **${R[uncached.exhausted]}** (must be 0). Validated-token cache during the runs (gateway /metrics):"
    echo "cached run ${R[cached.hits]} hits / ${R[cached.misses]} misses, uncached run ${R[uncached.hits]} hits / ${R[uncached.misses]} misses."
  elif has cached; then
    echo
    echo "Validated-token cache during the cached run (gateway /metrics): ${R[cached.hits]} hits / ${R[cached.misses]} misses."
  fi
  echo "Access log: $log_lines lines, $log_bytes bytes on the gateway's stderr (a file) in the logged JVM."
  echo
  echo "| measure | value | target | |"
  echo "|---|---:|---|---|"
  if has cached; then
    c_rps="${R[cached.rps]}"
    if has nginxproxy; then
      echo "| protect cached ÷ nginx proxy_pass (requests/s) | $(pct "$c_rps" "${R[nginxproxy.rps]}") | ≥ 80 % | $(met "$(awk -v a="$c_rps" -v b="${R[nginxproxy.rps]}" 'BEGIN{print a/b >= 0.8}')") |"
    fi
    if has haproxy; then
      echo "| protect cached ÷ HAProxy jwt_verify | $(pct "$c_rps" "${R[haproxy.rps]}") | ≥ 100 % | $(met "$(awk -v a="$c_rps" -v b="${R[haproxy.rps]}" 'BEGIN{print a/b >= 1}')") |"
    fi
    if has direct; then
      add_p50="$(added "${R[cached.p50]}" "${R[direct.p50]}")"
      echo "| protect cached p50 − nginx direct p50 | $add_p50 ms | ≤ 1 ms | $(met "$(awk -v d="$add_p50" 'BEGIN{print d <= 1}')") |"
    fi
    echo "| protect cached p99 | $(ms "${R[cached.p99]}") ms | < 10 ms | $(met "$(awk -v p="${R[cached.p99]}" 'BEGIN{print p < 10000}')") |"
    if (( low_seconds > 0 )) && has direct; then
      echo "| … at one connection: protect cached p50 − nginx direct p50 / p99 | $(added "${R[cached.lo50]}" "${R[direct.lo50]}") ms / $(ms "${R[cached.lo99]}") ms | (≤ 1 ms / < 10 ms) | no queueing: the hop itself |"
    fi
  fi
  if (( low_seconds > 0 )) && has nginxproxy && has direct; then
    echo "| … at one connection: nginx proxy_pass p50 − direct p50 | $(added "${R[nginxproxy.lo50]}" "${R[direct.lo50]}") ms | | for comparison |"
  fi
  if has uncached; then
    u_rps="${R[uncached.rps]}"
    r_unc_raw="$(awk -v a="$u_rps" -v b="${R[raw.native.rate]}" 'BEGIN{print a/b}')"
    # what the uncached ratio would be with nothing else on the machine: both rates are cores ÷ CPU per operation
    r_unc_norm="$(awk -v r="${R[raw.native.cpu]}" -v g="${R[uncached.pxcpu]}" -v u="${R[uncached.upcpu]}" -v w="${R[uncached.wrkcpu]}" 'BEGIN{print r/(g+u+w)}')"
    echo "| protect uncached ÷ raw RS256 verify (ACCP, the gateway's provider) | $(pct "$u_rps" "${R[raw.native.rate]}") | ≥ 80 % | $(met "$(awk -v r="$r_unc_raw" 'BEGIN{print r >= 0.8}')") |"
    echo "| … CPU-normalised: raw CPU per verify ÷ (gateway + nginx + wrk CPU per request) | $(awk -v r="$r_unc_norm" 'BEGIN{printf "%.0f %%", 100*r}') | | |"
    echo "| … against the JDK provider's raw rate | $(pct "$u_rps" "${R[raw.jdk.rate]}") | | |"
  fi
  if has attach; then
    att_p50="$(added "${R[attach.p50]}" "${R[pass.p50]}")"
    echo "| attach p50 − passthrough p50 | $att_p50 ms | ≤ 1 ms | $(met "$(awk -v d="$att_p50" 'BEGIN{print d <= 1}')") |"
    if (( low_seconds > 0 )); then
      echo "| … at one connection | $(added "${R[attach.lo50]}" "${R[pass.lo50]}") ms | | |"
    fi
  fi
  median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
  if has sso; then
    sso_p50="$(added "${R[sso.p50]}" "${R[pass.p50]}")"; sso_p99="$(added "${R[sso.p99]}" "${R[pass.p99]}")"
    echo "| sso (established session) ÷ passthrough (requests/s) | $(pct "${R[sso.rps]}" "${R[pass.rps]}") | | same run, same upstream |"
    echo "| sso p50 − passthrough p50 | $sso_p50 ms | ≤ 1 ms | $(met "$(awk -v d="$sso_p50" 'BEGIN{print d <= 1}')") |"
    echo "| sso p99 (− passthrough p99) | $(ms "${R[sso.p99]}") ms ($sso_p99 ms) | < 10 ms | $(met "$(awk -v p="${R[sso.p99]}" 'BEGIN{print p < 10000}')") |"
    if (( low_seconds > 0 )); then
      echo "| … at one connection: sso p50 − passthrough p50 / sso p99 | $(added "${R[sso.lo50]}" "${R[pass.lo50]}") ms / $(ms "${R[sso.lo99]}") ms | (≤ 1 ms / < 10 ms) | no queueing: the hop itself |"
    fi
    if (( sso_pairs > 0 )); then
      pairs_col() { printf '%s\n' "${sso_pair_lines[@]}" | awk -v c="$1" '{print $c}'; }
      echo "| … $sso_pairs more pairs, alternating order: sso ÷ passthrough, median (each) | $(pct "$(pairs_col 2 | median)" 1) ($(pairs_col 2 | awk '{printf "%s%.0f %%", s, 100*$1; s=", "}')) | | |"
      echo "| … sso p50 − passthrough p50, median (each) | $(printf "%.2f" "$(pairs_col 3 | median)") ms ($(pairs_col 3 | paste -sd, | sed 's/,/, /g') ms) | ≤ 1 ms | |"
      echo "| … sso p99 − passthrough p99, median (each) | $(printf "%.2f" "$(pairs_col 4 | median)") ms ($(pairs_col 4 | paste -sd, | sed 's/,/, /g') ms) | | |"
      echo "| … gateway CPU per request, sso − passthrough, median (each) | $(printf "%.1f" "$(pairs_col 5 | median)") µs ($(pairs_col 5 | paste -sd, | sed 's/,/, /g') µs) | | |"
    fi
    if (( sso_side > 0 )); then
      side_col() { for (( i = 1; i <= sso_side; i++ )); do awk -v s="${R[side_$i.sso.$1]}" -v p="${R[side_$i.pass.$1]}" "BEGIN{$2}"; done; }
      echo "| side by side (passthrough and sso at once, $(( connections / 2 )) connections each; $sso_side runs): sso p50 − passthrough p50, median (each) | $(printf "%.2f" "$(side_col p50 'printf "%.2f\n", (s-p)/1000' | median)") ms ($(side_col p50 'printf "%.2f\n", (s-p)/1000' | paste -sd, | sed 's/,/, /g') ms) | ≤ 1 ms | $(met "$(side_col p50 'print (s-p)/1000' | median | awk '{print $1 <= 1}')") |"
      echo "| … sso p99, median (each); passthrough p99 in the same seconds | $(printf "%.2f" "$(side_col p99 'printf "%.2f\n", s/1000' | median)") ms ($(side_col p99 'printf "%.2f\n", s/1000' | paste -sd, | sed 's/,/, /g') ms); $(side_col p99 'printf "%.2f\n", p/1000' | paste -sd, | sed 's/,/, /g') ms | < 10 ms | $(met "$(side_col p99 'print s/1000' | median | awk '{print $1 < 10}')") |"
      echo "| … sso p99 − passthrough p99, median (each) | $(printf "%.2f" "$(side_col p99 'printf "%.2f\n", (s-p)/1000' | median)") ms ($(side_col p99 'printf "%.2f\n", (s-p)/1000' | paste -sd, | sed 's/,/, /g') ms) | | |"
      echo "| … sso ÷ passthrough requests/s, median (each) | $(pct "$(side_col rps 'printf "%.3f\n", s/p' | median)" 1) ($(side_col rps 'printf "%.0f %%\n", 100*s/p' | paste -sd, | sed 's/,/, /g')) | | |"
    fi
    echo "| sso: requests at the provider during all sso traffic | ${R[sso.provider]} | 0 | $(met "$([[ ${R[sso.provider]} == 0 ]] && echo 1 || echo 0)") |"
  fi
  if (( sso_pairs > 0 )) && has sso; then
    pair_table=1
  fi
  if has pass_nolog && has pass && has cached; then
    echo "| access log off ÷ on: passthrough / protect cached (requests/s) | $(pct "${R[pass_nolog.rps]}" "${R[pass.rps]}") / $(pct "${R[cached_nolog.rps]}" "${R[cached.rps]}") | | |"
  fi
  echo
  if [[ -n "${pair_table:-}" ]]; then
    echo "Passthrough/sso pairs (BENCH_SSO_PAIRS=$sso_pairs, ${seconds} s each after 2 s of warm-up, odd pairs passthrough first):"
    echo
    echo "| pair | sso ÷ passthrough | added p50 (ms) | added p99 (ms) | added CPU (µs/req) | sso / passthrough req/s | others' CPU % (pass / sso) | sso non-2xx + errors |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${sso_pair_lines[@]}" | awk '{printf "| %d | %.0f %% | %s | %s | %s | %d / %d | %d / %d | %d |\n", $1, 100*$2, $3, $4, $5, $6, $7, $8, $9, $10}'
    echo
  fi
  echo "Raw wrk outputs: bench/results/gateway-raw/."
} > "$here/results/gateway-latest.md"
cat "$here/results/gateway-latest.md"
