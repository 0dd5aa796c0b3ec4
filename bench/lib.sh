# Shared helpers for the bench scripts (sourced, not run): JDK lookup, building, timing, CPU accounting,
# starting and stopping `latch serve`. The caller sets `here` (bench/) and `root` (the checkout) first.

say() { echo "bench: $*" >&2; }
# Settings from the caller's environment (LATCH_DB_URL, LATCH_MASTER_KEY…) must not reach a bench instance.
clear_latch_env() { local v; for v in $(compgen -e | grep '^LATCH_' || true); do [[ "$v" == LATCH_JAVA ]] || unset "$v"; done; }
die() { echo "bench: $*" >&2; exit 1; }

java_version() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1; }
find_jdk() { # a JDK 21+ (java with javac beside it), newest first, as the ./latch launcher looks for one
  local candidates=() best="" best_v=0 v c
  [[ -n "${LATCH_JAVA:-}" ]] && candidates+=("$LATCH_JAVA")
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [[ -x "$d/bin/java" ]] && candidates+=("$d/bin/java")
  done
  for c in "${candidates[@]}"; do
    [[ -x "$(dirname "$c")/javac" ]] || continue
    v="$(java_version "$c" || true)"
    if [[ -n "$v" && "$v" -ge 21 && "$v" -gt "$best_v" ]]; then best="$c"; best_v="$v"; fi
  done
  [[ -n "$best" ]] && echo "$best"
}

# build_bench: sets JAVA, jar, classes; builds the jar if needed and compiles bench/src against it.
build_bench() {
  JAVA="$(find_jdk || true)"
  [[ -n "$JAVA" ]] || die "needs a JDK 21+ with javac (set JAVA_HOME or LATCH_JAVA); e.g. 'apt-get install openjdk-21-jdk'"
  export LATCH_JAVA="$JAVA"
  "$root/latch" --version >/dev/null || die "building latch failed (try: mvn -B -DskipTests -pl latch-cli -am package)"
  jar="$root/latch-cli/target/latch.jar"
  classes="$here/target/classes"
  mkdir -p "$classes" "$here/results"
  "$(dirname "$JAVA")/javac" -nowarn -cp "$jar" -d "$classes" "$here"/src/dev/latch/bench/*.java
}

# an in-shell sleep (no process per poll): read with a timeout on a pipe nobody writes to
exec {napfd}<> <(:)
nap() { read -r -t "$1" -u "$napfd" || true; }
now_ms() { local t; t="$(date +%s%N)"; echo $(( t / 1000000 )); }

# CPU accounting, in clock ticks: whole machine busy time, one process's user+system time.
ticks="$(getconf CLK_TCK)"
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }   # user nice system irq softirq steal
proc_cpu() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cores="$(nproc)"
# Where the machine's CPU went during a run, from core-seconds of the server, the load generator and the
# whole machine over WALL seconds: cpu_share prints "server / load / others / idle %", others_share the others' %.
cpu_share() {
  awk -v s="$1" -v l="$2" -v a="$3" -v t="$4" -v k="$cores" \
    'BEGIN{o=a-s-l; if (o<0) o=0; i=1-a/(t*k); if (i<0) i=0; printf "%.0f / %.0f / %.0f / %.0f %%", 100*s/(t*k), 100*l/(t*k), 100*o/(t*k), 100*i}'
}
others_share() { awk -v s="$1" -v l="$2" -v a="$3" -v t="$4" -v k="$cores" 'BEGIN{o=a-s-l; if (o<0) o=0; printf "%.0f", 100*o/(t*k)}'; }
# thread_cpu PID: CPU ticks per thread group of a JVM ("latch-password", "ForkJoinPool" = virtual-thread
# carriers, "C2 CompilerThre" = JIT, "GC Thread", ...): thread names with their trailing numbers dropped.
thread_cpu() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12+$13}')"
  done | awk -F'\t' '{n=$1; sub(/[-#]?[0-9]+$/, "", n); sub(/-+$/, "", n); a[n]+=$2} END{for (k in a) print k "\t" a[k]}' | sort
}

# Server control; needs `work` (a temporary directory) and `data`. start_server CRYPTO [PORT] [ARGS...]
# starts `latch serve` in the background and sets server_pid; wait_ready sets port.
server_pid=""
port=""
start_server() {
  local crypto="$1" p="${2:-0}"
  shift 2 || shift $#
  : > "$work/server.out"
  LATCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-}" "$root/latch" serve --data "$data" --port "$p" --management-port 0 --crypto "$crypto" "$@" \
    >"$work/server.out" 2>>"$work/server.log" &
  server_pid=$!
}
wait_ready() { # parses the port from "Latch is ready: issuer http://localhost:PORT"
  local deadline=$(( $(now_ms) + 60000 ))
  until grep -q '^Latch is ready' "$work/server.out" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { tail -5 "$work/server.log" >&2; die "the server stopped during start-up"; }
    (( $(now_ms) < deadline )) || die "the server was not ready within 60 s"
    nap 0.05
  done
  port="$(sed -n 's/^Latch is ready: issuer http:\/\/localhost:\([0-9]*\).*/\1/p' "$work/server.out")"
}
stop_server() {
  [[ -n "$server_pid" ]] || return 0
  kill "$server_pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$server_pid" 2>/dev/null || break; nap 0.05; done
  kill -0 "$server_pid" 2>/dev/null && { kill -9 "$server_pid" 2>/dev/null || true; say "the server ignored SIGTERM for 10 s"; }
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# Background processes of bench/gateway.sh and bench/fhir.sh: each appends the pid of what it starts to
# started_pids; stop_started (from the script's EXIT trap) stops them all, stop_pid one. wait_line needs
# `work` (it shows the *.err files there when a process dies during start-up).
started_pids=()
stop_started() { # every process in started_pids (the caller's EXIT trap)
  local pid
  for pid in ${started_pids[@]+"${started_pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${started_pids[@]+"${started_pids[@]}"}; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; nap 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  started_pids=()
}
stop_pid() { # stop_pid PID: one process this script started
  local pid="$1" kept=() p
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; nap 0.05; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${started_pids[@]}"; do [[ "$p" == "$pid" ]] || kept+=("$p"); done
  started_pids=(${kept[@]+"${kept[@]}"})
}

free_port() { # a port nothing on 127.0.0.1 answers on
  local p
  while :; do
    p=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
wait_http() { # wait_http URL PID: until URL answers at all
  local deadline=$(( $(now_ms) + 60000 ))
  until curl -s -o /dev/null --max-time 2 "$1"; do
    kill -0 "$2" 2>/dev/null || die "the process behind $1 stopped"
    (( $(now_ms) < deadline )) || die "$1 did not answer within 60 s"
    nap 0.05
  done
}
wait_line() { # wait_line FILE PATTERN PID: until FILE has a line matching PATTERN
  local deadline=$(( $(now_ms) + 60000 ))
  until grep -q "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { tail -n 20 "$work"/*.err >&2 || true; die "process $3 stopped during start-up"; }
    (( $(now_ms) < deadline )) || die "no '$2' in $1 within 60 s"
    nap 0.05
  done
}
tree_cpu() { # CPU ticks of processes and their children (nginx: master and workers)
  local total=0 p c
  for p in "$@"; do
    total=$(( total + $(proc_cpu "$p") ))
    for c in $(pgrep -P "$p" 2>/dev/null || true); do total=$(( total + $(proc_cpu "$c") )); done
  done
  echo "$total"
}

# run_facts: what every report's header names, read when the run starts: load_before (load average),
# commit (short hash, marked when the tree has uncommitted changes) and started (UTC).
run_facts() {
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
  started="$(date -u '+%Y-%m-%d %H:%M UTC')"
}
