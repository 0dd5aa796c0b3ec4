#!/usr/bin/env bash
# Coverage-guided fuzzing of Latch's parsers with Jazzer (libFuzzer for the JVM): each target is a
# @FuzzTest class (its inputs, kept as regression tests, live in src/test/resources/<package>/<Class>Inputs/<method>/),
# run here by Jazzer's own driver for a number of inputs each, printing runs, exec/s, coverage and findings.
#
#   bench/fuzz.sh [RUNS]          RUNS inputs per target (default 1000000)
#   FUZZ_SECONDS=60 bench/fuzz.sh at most this long per target as well (default: no limit)
#   FUZZ_TARGETS="token assertion" only these (names in the table below)
#   FUZZ_SAVE=1                   merge each target's corpus into its regression inputs (what `mvn verify` replays)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
. "$here/lib.sh"

runs="${1:-1000000}"
seconds="${FUZZ_SECONDS:-0}"
# name module class method extra-instrumented-packages (besides dev.latch.**)
all_targets=(
  "scope latch-core dev.latch.core.smart.SmartScopeFuzzTest scope -"
  "jwt latch-core dev.latch.core.jose.JwtParsingFuzzTest parse com.nimbusds.jose.**,com.nimbusds.jwt.**"
  "token latch-server dev.latch.server.token.TokenRequestFuzzTest tokenRequest -"
  "assertion latch-server dev.latch.server.client.ClientAssertionFuzzTest assertion com.nimbusds.jose.**,com.nimbusds.jwt.**"
  "access-token latch-server dev.latch.server.token.AccessTokenFuzzTest accessToken com.nimbusds.jose.**,com.nimbusds.jwt.**"
  "authorize latch-server dev.latch.server.authorize.AuthorizationRequestFuzzTest authorizationRequest -"
  "registration latch-server dev.latch.server.registration.RegistrationFuzzTest registration -"
  "config latch-server dev.latch.server.config.ConfigLoaderFuzzTest config -"
  "gateway-config latch-gateway dev.latch.gateway.config.GatewayConfigLoaderFuzzTest config -"
)
wanted="${FUZZ_TARGETS:-scope jwt token assertion access-token authorize registration config gateway-config}"

JAVA="$(find_jdk || true)"
[[ -n "$JAVA" ]] || die "needs a JDK 21+ (set JAVA_HOME or LATCH_JAVA)"
say "building the test classes and their class paths (mvn test-compile)"
(cd "$root" && mvn -q -B -o -pl latch-core,latch-server,latch-gateway -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/fuzz.classpath -Dmdep.includeScope=test >&2) \
  || (cd "$root" && mvn -q -B -pl latch-core,latch-server,latch-gateway -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/fuzz.classpath -Dmdep.includeScope=test >&2) \
  || die "building the fuzz targets failed"

run_facts
out="$here/results/fuzz"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
report="$here/results/fuzz.md"
{
  echo "# bench/fuzz.sh — $started, commit $commit, $cores cores, load before $load_before"
  echo
  echo "Up to $runs inputs per target$( (( seconds > 0 )) && echo ", at most $seconds s each")."
  echo
  echo "| target | class | runs | s | exec/s | cov | ft | corpus | findings |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
} > "$report"
total_findings=0
for t in "${all_targets[@]}"; do
  read -r name module class method extra <<<"$t"
  [[ " $wanted " == *" $name "* ]] || continue
  dir="$root/$module"
  inputs="$dir/src/test/resources/${class%.*}"; inputs="${inputs//.//}/${class##*.}Inputs/$method"
  corpus="$out/corpus/$name"; findings="$out/findings/$name"
  mkdir -p "$corpus" "$findings" "$inputs"
  instrument="dev.latch.**"; [[ "$extra" != "-" ]] && instrument="$instrument,$extra"
  duration="1000h"; (( seconds > 0 )) && duration="${seconds}s"
  say "$name: $class#$method, $runs runs"
  start=$(now_ms)
  # --keep_going: a finding is recorded (under $findings) and fuzzing goes on, so one run reports them all
  (cd "$dir" && "$JAVA" -Xmx1g -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED \
      -cp "target/test-classes:target/classes:$(cat target/fuzz.classpath)" com.code_intelligence.jazzer.Jazzer \
      --target_class="$class" --target_method="$method" --instrument="$instrument" --keep_going=1000 \
      --max_executions="$runs" --max_duration="$duration" -print_final_stats=1 -artifact_prefix="$findings/" -max_len=4096 \
      "$corpus" "$inputs") > "$work/$name.log" 2>&1 || true
  wall=$(( ($(now_ms) - start) / 1000 ))
  cp "$work/$name.log" "$out/$name.log"
  done_line="$(grep -E '^#[0-9]+\s+(DONE|pulse|NEW|REDUCE|INITED)' "$work/$name.log" | tail -1 || true)"
  executed="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -1)"
  if [[ -z "$done_line" ]]; then say "$name: libFuzzer did not run; the end of its log:"; tail -5 "$work/$name.log" >&2; fi
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$name.log" | tail -1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")"
  size="$(find "$corpus" -type f | wc -l)"
  found="$(grep -c '^== Java Exception' "$work/$name.log" || true)"
  total_findings=$(( total_findings + found ))
  echo "| $name | ${class##*.}#$method | ${executed:-?} | $wall | ${rate:-?} | ${cov:-?} | ${ft:-?} | $size | $found |" >> "$report"
  if (( found > 0 )); then
    say "$name: $found finding(s); inputs in $findings, log in $out/$name.log"
    grep -A3 '^== Java Exception' "$work/$name.log" | head -20 >&2
  fi
  if [[ "${FUZZ_SAVE:-0}" == 1 ]]; then
    # keep only what adds coverage: libFuzzer's merge into the regression inputs
    (cd "$dir" && "$JAVA" -Xmx1g -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED \
        -cp "target/test-classes:target/classes:$(cat target/fuzz.classpath)" com.code_intelligence.jazzer.Jazzer \
        --target_class="$class" --target_method="$method" --instrument="$instrument" \
        -merge=1 "$inputs" "$corpus") > "$work/$name.merge.log" 2>&1 || say "$name: merging the corpus failed (see $work/$name.merge.log)"
    say "$name: $(find "$inputs" -type f | wc -l) regression inputs in ${inputs#$root/}"
  fi
done
{
  echo
  echo "Findings: $total_findings (inputs under bench/results/fuzz/findings/, logs under bench/results/fuzz/)."
} >> "$report"
cat "$report"
