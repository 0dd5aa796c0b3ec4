#!/usr/bin/env bash
# SMART on FHIR in one command: a HAPI FHIR server with sample patients (latch-fhir-sample), Latch as the
# SMART authorization server (latch serve), latch gateway enforcing SMART scopes in front of the FHIR
# server (mode: smart), and a small SMART app (examples/smart/app, fhirclient) served by the JDK's
# jwebserver. Prints the launch simulator's URL and a standalone launch URL, then runs until Ctrl-C.
#
# Ports: LATCH_PORT (8080), GATEWAY_PORT (8000), FHIR_PORT (8081), APP_PORT (9090).
# SMART_WORK: the working directory (configuration, data, logs; default a new temporary one, removed on exit).
# SMART_PASSWORD: the password of the example users (default: generated and printed).
# SMART_READY_FILE: when set, the URLs are also written there as KEY=VALUE lines once everything answers
# (the end-to-end tests read it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# find_jdk: the JDK lookup of the bench scripts and the ./latch launcher (bench/lib.sh)
source "$root/bench/lib.sh"
say() { echo "smart: $*" >&2; }
die() { echo "smart: $*" >&2; exit 1; }

latch_port="${LATCH_PORT:-8080}"
gateway_port="${GATEWAY_PORT:-8000}"
fhir_port="${FHIR_PORT:-8081}"
app_port="${APP_PORT:-9090}"
for p in "$latch_port" "$gateway_port" "$fhir_port" "$app_port"; do
  [[ "$p" =~ ^[0-9]+$ ]] && (( p > 0 && p < 65536 )) || die "ports must be 1-65535 (got '$p')"
done

JAVA="$(find_jdk || true)"
[[ -n "$JAVA" ]] || die "needs a JDK 21+ (set JAVA_HOME or LATCH_JAVA; e.g. apt-get install openjdk-21-jdk)"
export LATCH_JAVA="$JAVA"
jwebserver="$(dirname "$JAVA")/jwebserver"
[[ -x "$jwebserver" ]] || die "$jwebserver is missing (it comes with every JDK 18+)"
command -v curl >/dev/null 2>&1 || die "needs curl (apt-get install curl)"

# ---------------------------------------------------------------- build on first use
"$root/latch" --version >/dev/null || die "building latch failed (try: mvn -B -DskipTests -pl latch-cli -am package)"
fhir_jar="$root/latch-fhir-sample/target/latch-fhir-sample.jar"
if [[ ! -f "$fhir_jar" ]]; then
  say "building the sample FHIR server (first use)…"
  (cd "$root" && mvn -q -B -pl latch-fhir-sample -am package -DskipTests) || die "building latch-fhir-sample failed"
fi
fhirclient="$root/peers/node/node_modules/fhirclient/build/fhir-client.js"
if [[ ! -f "$fhirclient" ]]; then
  command -v npm >/dev/null 2>&1 || die "needs npm for the SMART app's fhirclient (apt-get install npm)"
  say "installing fhirclient (npm ci in peers/node, first use)…"
  (cd "$root/peers/node" && npm ci --no-audit --no-fund >/dev/null) || die "npm ci in peers/node failed"
fi

# ---------------------------------------------------------------- the working directory
if [[ -n "${SMART_WORK:-}" ]]; then
  work="$SMART_WORK"; mkdir -p "$work"; keep_work=1
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/latch-smart.XXXXXX")"; keep_work=0
fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  (( keep_work )) || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

random() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c "$1"; }
password="${SMART_PASSWORD:-$(random 16)}"
export SMART_PASSWORD="$password" FHIR_GATEWAY_SECRET="$(random 48)" EHR_SECRET="$(random 48)" \
  CONFIDENTIAL_APP_SECRET="$(random 48)"

issuer="http://localhost:$latch_port"
fhir_base="http://localhost:$gateway_port/fhir"
app="http://localhost:$app_port"

mkdir -p "$work/app"
cp "$here/app/launch.html" "$here/app/index.html" "$fhirclient" "$work/app/"

cat > "$work/latch.yaml" <<EOF
issuer: $issuer
port: $latch_port
smart:
  fhir-servers:
    - base: $fhir_base                       # what apps see: the gateway
      upstream: http://127.0.0.1:$fhir_port/fhir  # where Latch looks patients up (picker, simulator)
users:
  - username: dr.smith                       # a clinician: picks patients, runs the launch simulator
    password: \${env:SMART_PASSWORD}
    fhir-user: Practitioner/pr1
    roles: [smart-simulator]
    name: Dana Smith
  - username: amy                            # a patient: sees her own record, no picker
    password: \${env:SMART_PASSWORD}
    fhir-user: Patient/p1
    name: Amy Shaw
clients:
  - client_id: sample-smart-app              # the SMART app in examples/smart/app: public, PKCE
    client_name: Latch sample SMART app
    token_endpoint_auth_method: none
    grant_types: [authorization_code, refresh_token]
    redirect_uris: [$app/index.html]
    initiate_login_uri: $app/launch.html
    scope: launch launch/patient openid fhirUser profile offline_access patient/*.rs
  - client_id: sample-confidential-app       # a confidential SMART app (client_secret_basic, PKCE as SMART 2.2 asks)
    client_name: Latch sample confidential SMART app
    token_endpoint_auth_method: client_secret_basic
    client_secret: \${env:CONFIDENTIAL_APP_SECRET}
    grant_types: [authorization_code, refresh_token]
    redirect_uris: [$app/index.html]
    initiate_login_uri: $app/launch.html
    scope: launch launch/patient openid fhirUser profile offline_access patient/*.rs
  - client_id: fhir-gateway                  # the gateway's introspection client (revoked tokens refused)
    token_endpoint_auth_method: client_secret_basic
    client_secret: \${env:FHIR_GATEWAY_SECRET}
    grant_types: [client_credentials]
    resource_uris: [$fhir_base]
  - client_id: ehr                           # an EHR that creates launches with POST /smart/launch
    token_endpoint_auth_method: client_secret_basic
    client_secret: \${env:EHR_SECRET}
    grant_types: [client_credentials]
    scope: smart.launch
EOF

cat > "$work/gateway.yaml" <<EOF
port: $gateway_port
management-port: 0
issuers:
  - id: latch
    issuer: $issuer
    audience: $fhir_base
    introspection:
      client-id: fhir-gateway
      client-secret: \${env:FHIR_GATEWAY_SECRET}
routes:
  - path: /fhir/
    upstream: http://127.0.0.1:$fhir_port/fhir/
    mode: smart
    issuer: latch
    cors:
      allowed-origins: [$app]
      allowed-headers: [Authorization, Content-Type, Accept]
EOF

# ---------------------------------------------------------------- start everything
wait_for() { # wait_for NAME URL LOG: until URL answers (any HTTP status), at most 90 s
  local name="$1" url="$2" log="$3" t=0
  until curl -s -o /dev/null --max-time 2 "$url"; do
    (( t++ < 900 )) || { tail -20 "$log" >&2; die "$name did not answer at $url within 90 s (log: $log)"; }
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; die "$name stopped (log: $log)"; }; done
    sleep 0.1
  done
}

say "starting the FHIR server (HAPI FHIR, sample patients) on 127.0.0.1:$fhir_port…"
"$JAVA" -jar "$fhir_jar" --port "$fhir_port" --public-base "$fhir_base" >"$work/fhir.log" 2>&1 &
pids+=($!)
say "starting Latch on $issuer…"
"$root/latch" serve --config "$work/latch.yaml" --data "$work/latch-data" >"$work/latch.log" 2>&1 &
pids+=($!)
wait_for "the FHIR server" "http://127.0.0.1:$fhir_port/fhir/metadata" "$work/fhir.log"
wait_for "Latch" "$issuer/.well-known/smart-configuration" "$work/latch.log"
say "starting the gateway on $fhir_base…"
"$root/latch" gateway --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 &
pids+=($!)
say "serving the SMART app on $app…"
"$jwebserver" -b 127.0.0.1 -p "$app_port" -d "$work/app" >"$work/app.log" 2>&1 &
pids+=($!)
wait_for "the gateway" "$fhir_base/.well-known/smart-configuration" "$work/gateway.log"
wait_for "the app server" "$app/launch.html" "$work/app.log"

cat <<EOF

  SMART on FHIR is running.
    Launch simulator:   $issuer/smart/simulator   (sign in as dr.smith; pick the app, a patient, Launch)
    Standalone launch:  $app/launch.html?iss=$fhir_base   (dr.smith picks a patient; amy sees her own record)
    FHIR base (gateway): $fhir_base     FHIR server itself: http://127.0.0.1:$fhir_port/fhir
    Users: dr.smith and amy, password: $password
    Files and logs: $work
  Ctrl-C stops everything.

EOF
if [[ -n "${SMART_READY_FILE:-}" ]]; then
  printf 'ISSUER=%s\nFHIR_BASE=%s\nAPP=%s\nFHIR_UPSTREAM=%s\nEHR_SECRET=%s\nCONFIDENTIAL_APP_SECRET=%s\n' "$issuer" "$fhir_base" \
    "$app" "http://127.0.0.1:$fhir_port/fhir" "$EHR_SECRET" "$CONFIDENTIAL_APP_SECRET" > "$SMART_READY_FILE.tmp"
  mv "$SMART_READY_FILE.tmp" "$SMART_READY_FILE"
fi
wait -n "${pids[@]}" || true
die "a process stopped; see the logs in $work"
