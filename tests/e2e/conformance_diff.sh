#!/usr/bin/env bash
# A deliberately changed endpoint must show up in `atws-conformance diff`.
#
#   tests/e2e/conformance_diff.sh NEUTRAL_URL [BUILD_DIR]
#
# Starts a second atws-mock with another hourly threshold (--threshold 5000 instead of the
# default 10000; a tenant reset keeps it), runs `atws-conformance diff --a NEUTRAL_URL --b
# <second mock>` and checks that it exits 1 and names the difference: the threshold in the
# getThresholdAndUsageInfo answer. The second mock is stopped on exit. Reports:
# tests/artifacts/conformance-diff-changed.{txt,json}.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
neutral=${1:?usage: conformance_diff.sh NEUTRAL_URL [BUILD_DIR]}
build=${2:-$root/build}
artifacts=$root/tests/artifacts
mkdir -p "$artifacts"

out=$(mktemp)
err=$(mktemp)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$out" "$err"
}
trap cleanup EXIT

"$build/atws-mock" --listen 127.0.0.1:0 --threshold 5000 >"$out" 2>"$err" &
pid=$!
line=
for _ in $(seq 1 300); do
  line=$(grep -m1 -E '^listening on http://[^ ]+:[0-9]+/?$' "$out" 2>/dev/null)
  [ -n "$line" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "second atws-mock exited:"; cat "$err"; exit 1; }
  sleep 0.1
done
[ -n "$line" ] || { echo "second atws-mock did not report its port"; exit 1; }
hostport=${line#listening on http://}
hostport=${hostport%/}
second="http://$hostport/atservices/1.6/atws.asmx"
echo "second mock (--threshold 5000): $second"

report=$artifacts/conformance-diff-changed.txt
"$build/atws-conformance" diff --a "$neutral" --b "$second" -q \
  --json "$artifacts/conformance-diff-changed.json" >"$report" 2>&1
status=$?
cat "$report"

fail=0
if [ "$status" -ne 1 ]; then
  echo "FAIL: diff exited $status, expected 1 (differences found)"
  fail=1
fi
if ! grep -q -- '- .*ThresholdOfExternalRequest: 10000;' "$report" ||
   ! grep -q -- '+ .*ThresholdOfExternalRequest: 5000;' "$report"; then
  echo "FAIL: the report does not show the threshold difference (10000 on a, 5000 on b)"
  fail=1
fi
if ! grep -q -E '^FAIL threshold-info ' "$report"; then
  echo "FAIL: scenario threshold-info is not reported as differing"
  fail=1
fi
[ "$fail" -eq 0 ] && echo "ok: diff reports the changed threshold"
exit "$fail"
