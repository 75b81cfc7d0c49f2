#!/usr/bin/env bash
# Startup of `daskrelay local`: time from JVM start to "ready" (every part reports ready), N runs.
# Usage: bench/scripts/local-startup.sh [RUNS]   (needs local/target/daskrelay.jar: ./mvnw -q -pl local -am package -DskipTests)
# Runs with --fast on a free port (never 19092), the JVM options of bin/daskrelay, and prints one line per run:
# wall seconds to ready, CPU seconds of the process until then, the host's 1-minute load average at the start.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$root/local/target/daskrelay.jar"
runs=${1:-3}
java_opts=${DASKRELAY_JAVA_OPTS:-"-Xms256m -Xmx1g -XX:+UseParallelGC -XX:TieredStopAtLevel=1"}
echo "run  ready(s)  cpu-to-ready(s)  load1  exit"
for i in $(seq 1 "$runs"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  out=$(mktemp) err=$(mktemp)
  # shellcheck disable=SC2086
  java $java_opts -jar "$jar" local --fast --kafka-port 0 --plain -v >"$out" 2>"$err" && rc=0 || rc=$?
  ready=$(grep -o 'ready in [0-9.]* s' "$out" | grep -o '[0-9.]*' || echo "-")
  cpu=$(grep -o 'startup: .* s CPU' "$err" | grep -o '[0-9.]* s CPU' | grep -o '[0-9.]*' || echo "-")
  printf "%-4s %-9s %-16s %-6s %s\n" "$i" "$ready" "$cpu" "$load" "$rc"
  rm -f "$out" "$err"
done
