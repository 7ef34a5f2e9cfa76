#!/bin/sh
# bench/eval.sh - search quality of cti-search --any on the judged collections.
#
# Indexes bench/eval/time and bench/eval/cranfield with cti-index, runs
# every topic through `cti-search --any` (the settings users get), writes
# TREC runs and scores them with bench/eval/trec-eval-lite (MAP, P@10,
# nDCG@10, recall@100).  Cranfield is scored on qrels.txt (source papers
# not relevant; see bench/eval/cranfield/SOURCE.md).
#
#   sh bench/eval.sh                       binaries from build/
#   CTI_BIN=build-x sh bench/eval.sh       binaries from build-x/
#   CTI_SEARCH_ARGS="--bm25 1.0,0.5" sh bench/eval.sh    try other settings
#   EVAL_KEEP=dir sh bench/eval.sh         keep indexes and runs in dir
set -eu

BIN=${CTI_BIN:-build}
ARGS=${CTI_SEARCH_ARGS:-}
DEPTH=${EVAL_DEPTH:-1000}
HERE=$(cd "$(dirname "$0")" && pwd)
EVAL=$HERE/eval
if [ -n "${EVAL_KEEP:-}" ]; then
    WORK=$EVAL_KEEP
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT INT TERM
fi
for p in cti-index cti-search; do
    [ -x "$BIN/$p" ] || { echo "eval.sh: no $BIN/$p (run make first)" >&2; exit 2; }
done

# JSON lines from cti-search on stdin -> TREC run lines for topic $1.
to_trec() {
    python3 -c '
import json, sys
qid = sys.argv[1]
for line in sys.stdin:
    h = json.loads(line)
    print(qid, "Q0", h["id"], h["rank"], "%.6f" % h["score"], "cti")
' "$1"
}

for coll in time cranfield; do
    db=$WORK/$coll.cti
    run=$WORK/$coll.run
    if [ ! -d "$db" ]; then
        "$BIN/cti-index" --db "$db" "$EVAL/$coll/docs.jsonl" >/dev/null 2>&1 || {
            echo "eval.sh: cti-index failed on $coll" >&2; exit 2; }
    fi
    : > "$run"
    start=$(date +%s)
    tab=$(printf '\t')
    while IFS="$tab" read -r qid text; do
        # shellcheck disable=SC2086
        "$BIN/cti-search" --db "$db" --any --json -n "$DEPTH" --fragments 1 \
            --snippet-size 20 $ARGS -- "$text" | to_trec "$qid" >> "$run" || true
    done < "$EVAL/$coll/topics.tsv"
    end=$(date +%s)
    echo "== $coll ($(wc -l < "$EVAL/$coll/topics.tsv") topics, $((end - start)) s)${ARGS:+ with $ARGS}"
    python3 "$EVAL/trec-eval-lite" "$EVAL/$coll/qrels.txt" "$run" | grep -v '^num' || true
done
