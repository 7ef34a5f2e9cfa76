#!/bin/sh
# bench/eval.sh - search quality of cti-search --any beside SQLite FTS5 and
# Xapian on the judged collections (bench/eval/: TIME, Cranfield, CISI).
#
# Runs bench/eval.py with Debian's python3 (python3-xapian is installed for
# it, which may not be the first python3 on PATH): MAP, P@10 and nDCG@10
# per collection and system, as a Markdown table on stdout.
#
#   sh bench/eval.sh                                  binaries from build/
#   CTI_BIN=build-x sh bench/eval.sh                  binaries from build-x/
#   CTI_SEARCH_ARGS="--bm25 1.0,0.5" sh bench/eval.sh  try other settings
#   EVAL_KEEP=dir sh bench/eval.sh                    keep indexes and runs
#   sh bench/eval.sh --systems cti --collections cisi  (see eval.py --help)
set -eu
PY=${BENCH_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
exec "$PY" "$(dirname "$0")/eval.py" "$@"
