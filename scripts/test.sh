#!/usr/bin/env bash
# npm test [-- <jest options>]: the type check (tsc --noEmit) beside jest rather than before it. The
# type check runs on one core for ~5 s; run first, it kept the other core idle that long. Both always
# run to the end; the type check's errors are printed after jest's report, and the exit status is
# non-zero when either failed.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
tsc --noEmit > "$out" 2>&1 &
tsc_pid=$!
jest "$@"
jest_status=$?
wait "$tsc_pid"
tsc_status=$?
if [ "$tsc_status" -ne 0 ]; then
  cat "$out"
  echo "npm test: the type check failed (tsc --noEmit, above)" >&2
fi
[ "$jest_status" -eq 0 ] && [ "$tsc_status" -eq 0 ]
