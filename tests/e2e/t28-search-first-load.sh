#!/bin/sh
# A brand-new index can be searched during its first bulk load: from the
# moment cti-index has opened it (its lock taken), every search answers
# "nothing found" (exit 1) or finds the articles committed so far (exit
# 0), never "not a cti index" (exit 2).
set -eu
NAME=t28
. tests/lib/e2e.sh
DATA=${CTI_TEST_DATA:-tests/data}
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

echo "t28: searching a new index during its first bulk load"
# One worker over the 233 addresses: a few seconds, several segments.
"$BIN/cti-index" -v -j 1 --bulk --db "$T/new.cti" "$DATA/sotu" >/dev/null 2>"$T/index.err" &
pid=$!
# -v reports "index open" once the index is locked and ready.
i=0
while ! grep -q "index open" "$T/index.err" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || break
    i=$((i + 1))
    [ "$i" -lt 3000 ] || { bad "cti-index never reported the index open"; break; }
    sleep 0.01
done
n=0 found=0
while kill -0 "$pid" 2>/dev/null; do
    n=$((n + 1))
    rc=0
    "$BIN/cti-search" --db "$T/new.cti" --count 'union' >"$T/out" 2>"$T/err" || rc=$?
    case $rc in
        0) found=$((found + 1)) ;;
        1) ;;
        *) bad "search exited $rc during the first load: $(cat "$T/err")"; break ;;
    esac
done
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || bad "cti-index exited $rc: $(cat "$T/index.err")"
[ "$n" -gt 0 ] || bad "cti-index finished before a search could run"
echo "t28: $n searches during the load, $found found articles"
c=$("$BIN/cti-search" --db "$T/new.cti" --count 'union')
[ "$c" -gt 0 ] || bad "no article found after the load"

[ "$fail" -eq 0 ] && echo "t28: ok"
exit "$fail"
