#!/usr/bin/env bash
# Client-library micro-benchmarks (JMH): cached-token retrieval across 64 threads, and the cost of one
# client assertion per algorithm and provider preset next to the raw signature of the same key.
# Not part of `mvn verify`. Usage: bench/client.sh   (BENCH_CRYPTO="jdk native" to compare providers)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
source "$here/lib.sh"

JAVA="$(find_jdk || true)"
[[ -n "$JAVA" ]] || die "needs a JDK 21+ (set JAVA_HOME or LATCH_JAVA)"
export JAVA_HOME="$(dirname "$(dirname "$JAVA")")"
command -v mvn >/dev/null || die "needs Maven (apt-get install maven)"
crypto="${BENCH_CRYPTO:-jdk native}"
mkdir -p "$here/results"
out="$here/results/client-$(date -u +%Y%m%dT%H%M%SZ)"

say "installing latch-client into the local Maven repository"
(cd "$root" && mvn -q -B install -DskipTests -pl latch-client -am) || die "building latch-client failed"
say "building the JMH benchmarks"
mvn -q -B -f "$here/jmh/pom.xml" package || die "building bench/jmh failed"
jar="$here/jmh/target/benchmarks.jar"

say "cached-token lookups, 64 threads (about 1 minute)"
"$JAVA" -jar "$jar" TokenLookupBenchmark -rf csv -rff "$out-lookup.csv" >&2
say "client assertions per algorithm and preset, crypto: $crypto (about 5 minutes per provider)"
"$JAVA" -jar "$jar" AssertionBenchmark -p crypto="${crypto// /,}" -rf csv -rff "$out-assertion.csv" >&2

# thousands separators without depending on the locale
commas='function commas(x,  s) { s = sprintf("%.0f", x); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }'
{
  echo "## Client library ($(date -u +%Y-%m-%d), $(nproc) cores, $("$JAVA" -version 2>&1 | head -1))"
  echo
  echo "| benchmark | threads | ops/s |"
  echo "|---|---:|---:|"
  awk -F, "$commas"' NR>1 { gsub(/"/,""); n=split($1,a,"."); printf "| %s | %s | %s |\n", a[n], $3, commas($5) }' "$out-lookup.csv"
  echo
  echo "| assertion | crypto | assertions/s | raw signatures/s | assertion ÷ raw |"
  echo "|---|---|---:|---:|---:|"
  awk -F, "$commas"' NR>1 { gsub(/"/,""); n=split($1,a,"."); m=a[n]; key=$9 " " $8;
                 if (m=="assertion") as[key]=$5; else raw[key]=$5; if (!(key in seen)) { seen[key]=1; order[++k]=key } }
           END { for (i=1;i<=k;i++) { split(order[i],p," "); printf "| %s | %s | %s | %s | %.0f %% |\n", p[1], p[2], commas(as[order[i]]), commas(raw[order[i]]), 100*as[order[i]]/raw[order[i]] } }' "$out-assertion.csv"
} | tee "$here/results/client-latest.md"
