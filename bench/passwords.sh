#!/usr/bin/env bash
# Password sign-in cost: Argon2id verifications/s with the server's own hasher (BouncyCastle) on
# BENCH_THREADS threads (default 2) at the default parameters (m=19456 KiB, t=2, p=1), run on the JVM
# settings `latch serve` uses (plus BENCH_JAVA_OPTS). See bench/README.md. Not part of `mvn verify`.
#
# Settings (environment): BENCH_THREADS (2), BENCH_SECONDS (20 per round), BENCH_ROUNDS (3), BENCH_WARMUP (5),
# BENCH_ARGON2 ("--memory-kib 19456 --iterations 2 --parallelism 1"), BENCH_JAVA_OPTS (extra JVM options).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/lib.sh"   # say, die, find_jdk

JAVA="$(find_jdk || true)"
[[ -n "$JAVA" ]] || die "needs a JDK 21+ with javac (set JAVA_HOME or LATCH_JAVA)"
export LATCH_JAVA="$JAVA"

"$root/latch" --version >/dev/null || die "building latch failed (try: mvn -B -DskipTests -pl latch-cli -am package)"
jar="$root/latch-cli/target/latch.jar"
classes="$here/target/classes"
mkdir -p "$classes"
"$(dirname "$JAVA")/javac" -nowarn -cp "$jar" -d "$classes" "$here"/src/dev/latch/bench/*.java

say "Argon2id verifications with ${BENCH_THREADS:-2} threads, ${BENCH_ROUNDS:-3} rounds of ${BENCH_SECONDS:-20} s ($("$JAVA" -version 2>&1 | head -1))"
# shellcheck disable=SC2086
exec "$JAVA" ${BENCH_JAVA_OPTS:-} -cp "$jar:$classes" dev.latch.bench.PasswordHashing \
  --threads "${BENCH_THREADS:-2}" --seconds "${BENCH_SECONDS:-20}" --rounds "${BENCH_ROUNDS:-3}" --warmup "${BENCH_WARMUP:-5}" \
  ${BENCH_ARGON2:-}
