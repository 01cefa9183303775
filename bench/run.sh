#!/usr/bin/env bash
# Builds the hub and benchmark jars if missing, then runs one benchmark scenario.
#
#   bench/run.sh many-streams                      # 1,000 SSE streams x 200 tokens at 50 tokens/s
#   bench/run.sh all                               # every scenario, in order
#   bench/run.sh many-streams --streams 2000 --hub-jfr
#   BENCH_JVM_OPTS='-Xmx1g' bench/run.sh fan-out --clients 2000
#   bench/run.sh many-streams --publisher http --peer nchan   # relay mode against StreamHub, then Nchan
#   bench/run.sh many-streams --store memory,redis   # memory store, then Redis (its own redis-server), same run
#   bench/run.sh many-streams --auth off,on          # auth + generous limits off, then on (HS256 JWT), same run
#
#   bench/run.sh many-streams --publisher http --peer nchan,resumable-stream   # and npm resumable-stream on Redis
#
# The hub is started the way the README starts it: through bin/streamhub, with that launcher's JVM
# options (bin/streamhub --jvm-options) unless --hub-jvm-opts replaces them; the load generator runs
# with BENCH_JVM_OPTS. Results: bench/results/latest.json; bench/report.py
# turns them into the README's Markdown table; bench/chart.py (run after each run when python3
# exists) draws them as bench/results/latest.html.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mvn_offline=""
if [ -d "${HOME}/.m2/repository/io/vertx/vertx-core" ]; then
  mvn_offline="-o"
fi
if [ ! -f verticles/target/streamhub.jar ]; then
  echo "building the hub: verticles/target/streamhub.jar"
  mvn -q -B $mvn_offline -pl verticles -am package -DskipTests
fi
if [ ! -f bench/target/streamhub-bench.jar ]; then
  echo "building the load generator: bench/target/streamhub-bench.jar"
  mvn -q -B $mvn_offline -pl bench -am package -DskipTests
fi

# Every connection is a file descriptor in both processes (the child hub inherits this limit).
hard="$(ulimit -Hn)"
if [ "$hard" = "unlimited" ] || [ "$hard" -gt 1048576 ]; then
  hard=1048576
fi
ulimit -n "$hard" 2>/dev/null || echo "warning: could not raise ulimit -n (now $(ulimit -n)); large idle-connections runs may fail" >&2

# The load generator: a small fixed heap (it keeps histograms, not events), G1, no stop-the-world
# surprises from heap growth.
: "${BENCH_JVM_OPTS:=-Xms512m -Xmx1g -XX:+UseG1GC -XX:+AlwaysPreTouch}"
# shellcheck disable=SC2086
status=0
java $BENCH_JVM_OPTS -jar bench/target/streamhub-bench.jar "$@" || status=$?

# The chart of the results file (--out, default bench/results/latest.json) next to it, as .html.
out="bench/results/latest.json"
prev=""
for arg in "$@"; do
  case "$arg" in
    --out=*) out="${arg#--out=}" ;;
    *) if [ "$prev" = "--out" ]; then out="$arg"; fi ;;
  esac
  prev="$arg"
done
if command -v python3 >/dev/null 2>&1 && [ -f "$out" ]; then
  python3 bench/chart.py "$out" || echo "warning: bench/chart.py failed" >&2
fi
exit "$status"
