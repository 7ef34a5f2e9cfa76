#!/bin/sh
# cti-search never fails because cti-index is writing: while a writer adds
# a large batch, every search sees the last committed state and succeeds.
set -eu
NAME=t33
. tests/lib/e2e.sh
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
DATA=${CTI_TEST_DATA:-tests/data}

"$BIN/cti-index" --db "$T/c.cti" corpus/ >/dev/null 2>&1

echo "t33: searching while cti-index adds $DATA/sotu.jsonl"
"$BIN/cti-index" --db "$T/c.cti" "$DATA/sotu.jsonl" >/dev/null 2>"$T/index.err" &
pid=$!
n=0
while kill -0 "$pid" 2>/dev/null; do
    rc=0
    "$BIN/cti-search" --db "$T/c.cti" -n 3 'Harris OR Washington' >/dev/null 2>"$T/err" || rc=$?
    if [ $rc -ne 0 ]; then
        echo "t33: FAIL: search exited $rc during indexing: $(cat "$T/err")" >&2
        fail=1
        break
    fi
    rc=0
    "$BIN/cti-search" --db "$T/c.cti" --count 'Lina Khan' >/dev/null 2>"$T/err" || rc=$?
    if [ $rc -ne 0 ]; then
        echo "t33: FAIL: --count exited $rc during indexing: $(cat "$T/err")" >&2
        fail=1
        break
    fi
    n=$((n + 1))
done
rc=0
wait "$pid" || rc=$?
pid=
[ $rc -eq 0 ] || { echo "t33: FAIL: cti-index exited $rc: $(cat "$T/index.err")" >&2; fail=1; }
echo "t33: $n searches during indexing"

echo "t33: the new articles are found once committed"
c=$("$BIN/cti-search" --db "$T/c.cti" --count 'title:Washington')
[ "$c" -gt 0 ] || { echo "t33: FAIL: no SOTU article after indexing" >&2; fail=1; }

[ $fail -eq 0 ] && echo "t33: ok"
exit $fail
