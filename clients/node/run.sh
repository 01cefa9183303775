#!/usr/bin/env bash
# Starts the hub jar on a free loopback port, runs the Node client tests against it, stops it.
# Needs verticles/target/streamhub.jar (mvn package) and `npm ci` done in this folder.
set -euo pipefail
cd "$(dirname "$0")"
jar=../../verticles/target/streamhub.jar
log=$(mktemp)
STREAMHUB_HTTP_HOST=127.0.0.1 STREAMHUB_HTTP_PORT=0 STREAMHUB_HTTP_INSTANCES=2 \
STREAMHUB_DEMO_TTFT_MS=0 STREAMHUB_DEMO_TOKENS_PER_SECOND=200 STREAMHUB_DEMO_ANSWER_TOKENS=300 \
  java -Xmx256m -jar "$jar" >"$log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null || true; wait $hub 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 600); do
  url=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$log" | sed 's/listening on //' || true)
  [ -n "$url" ] && break
  kill -0 $hub 2>/dev/null || { cat "$log"; echo "hub exited before listening"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "hub did not start in 60 s"; exit 1; }
echo "hub at $url"
STREAMHUB_URL="$url" node --test --test-concurrency=1 test/*.test.mjs
