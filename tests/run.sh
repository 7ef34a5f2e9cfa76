#!/bin/sh
# run.sh - run tests side by side, as many at a time as there are CPUs.
#
#   sh tests/run.sh [--with 'PREFIX'] TEST...
#
# Each TEST is a test program or an e2e script (a name ending in .sh runs
# under sh); PREFIX, when given, goes before each command (valgrind and its
# options, say).  Every test runs with its output in a log of its own: one
# line per test says how it went and how long it took, and the whole log of
# each test that failed is printed at the end.  Exits 0 when every test
# passed, 1 otherwise.
#
# Environment: CTI_TEST_JOBS (tests at a time; default the number of CPUs,
# 1 runs them one after another), and whatever the tests read (CTI_BIN,
# CTI_TEST_DATA), passed through.
set -u

if [ "${1:-}" = --one ]; then
    # --one LOGDIR PREFIX TEST: one test, its result line and its log.
    logs=$2 prefix=$3 t=$4
    name=$(basename "$t")
    log="$logs/$name.log"
    start=$(date +%s)
    case "$t" in
    *.sh) set -- sh "$t" ;;
    *) set -- "$t" ;;
    esac
    # The prefix is words of the caller's own (a command and its options).
    # shellcheck disable=SC2086
    $prefix "$@" >"$log" 2>&1 </dev/null
    rc=$?
    secs=$(($(date +%s) - start))
    if [ $rc -eq 0 ]; then
        printf 'ok    %-40s %4d s\n' "$name" "$secs"
    else
        printf 'FAIL  %-40s %4d s (exit %d)\n' "$name" "$secs" "$rc"
        echo "$name" >>"$logs/failed"
    fi
    exit 0
fi

prefix=
if [ "${1:-}" = --with ]; then
    prefix=$2
    shift 2
fi
[ $# -gt 0 ] || { echo "usage: sh tests/run.sh [--with 'PREFIX'] TEST..." >&2; exit 2; }
jobs=${CTI_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
logs=$(mktemp -d "${TMPDIR:-/tmp}/cti-tests.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$0" --one "$logs" "$prefix" {}
secs=$(($(date +%s) - start))
if [ -s "$logs/failed" ]; then
    while read -r name; do
        echo "==== $name: its output"
        cat "$logs/$name.log"
        echo "==== $name: failed"
    done <"$logs/failed"
    echo "$(wc -l <"$logs/failed") of $# tests failed ($secs s, $jobs at a time)"
    exit 1
fi
echo "$# tests passed ($secs s, $jobs at a time)"
