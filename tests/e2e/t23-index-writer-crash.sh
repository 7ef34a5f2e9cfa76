#!/bin/sh
# One writer at a time: a second cti-index is refused with a message naming
# the index (exit 2) or, with --wait, runs after the first.  A writer killed
# in the middle of a bulk run leaves a usable index holding what it had
# committed, and the next run completes the work.
set -eu
NAME=t23
. tests/lib/e2e.sh
IDX=$BIN/cti-index
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
ndocs() { xapian-delve "$1" 2>/dev/null | sed -n 's/^number of documents = //p'; }
tf() { xapian-delve -t "$2" "$1" 2>/dev/null | sed -n 's/.*termfreq \([0-9]*\).*/\1/p' | grep . || echo 0; }
check() { for m in $(sed -n 's/^glass //p' "$1/XAPIANDB"); do xapian-check "$1/$m" >/dev/null || return 1; done; }

# 1200 articles of about 3 KB, written as JSON lines to a FIFO so the
# writer stays open exactly as long as the test wants.
filler=$(i=0; while [ $i -lt 40 ]; do printf 'the weather in the valley turned cold again %d, ' $i; i=$((i + 1)); done)
i=0
while [ $i -lt 1200 ]; do
    printf '{"id": "a%d", "title": "Article %d", "text": "Body of article %d about marmots: %s"}\n' $i $i $i "$filler"
    i=$((i + 1))
done > "$T/all.jsonl"
printf 'Lone\n\nA lone file about ibexes.\n' > "$T/lone.txt"

echo "t23: a second writer is refused, naming the index"
mkfifo "$T/fifo"
"$IDX" -q --db "$T/db" - < "$T/fifo" &
pid=$!
exec 3> "$T/fifo"
head -n 10 "$T/all.jsonl" >&3
sleep 1
rc=0
"$IDX" --db "$T/db" "$T/lone.txt" 2> "$T/err" 3>&- || rc=$?
[ "$rc" = 2 ] || bad "second writer: exit $rc, want 2"
grep -q "$T/db.*being written by another cti-index" "$T/err" || bad "second writer: message: $(cat "$T/err")"

echo "t23: --wait runs once the first writer is done"
"$IDX" -q --wait --db "$T/db" "$T/lone.txt" 3>&- &
wpid=$!
sleep 1
kill -0 "$wpid" 2>/dev/null || bad "--wait did not wait"
exec 3>&-
wait "$pid" || bad "first writer failed"
pid=
wait "$wpid" || bad "--wait writer failed"
[ "$(ndocs "$T/db")" = 11 ] || bad "after both writers: $(ndocs "$T/db") documents, want 11"
[ "$(tf "$T/db" ibex)" = 1 ] || bad "the waiting writer's article is missing"

echo "t23: a bulk writer killed mid-run leaves a usable index"
mkfifo "$T/fifo2"
"$IDX" -q --bulk --memory 32 --db "$T/db2" - < "$T/fifo2" &
pid=$!
exec 3> "$T/fifo2"
cat "$T/all.jsonl" >&3
# Wait (bounded) for at least one committed segment to be listed.
i=0
while ! grep -q seg "$T/db2/XAPIANDB" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 200 ] || break
    sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
exec 3>&-
n=$(ndocs "$T/db2")
[ -n "$n" ] && [ "$n" -lt 1200 ] || bad "after the kill the index does not open ($n)"
check "$T/db2" || bad "after the kill xapian-check fails"
echo "t23: ... and the next run completes the work"
"$IDX" -q --db "$T/db2" "$T/all.jsonl" || bad "re-run after the kill failed"
[ "$(ndocs "$T/db2")" = 1200 ] || bad "after the re-run: $(ndocs "$T/db2") documents, want 1200"
[ "$(tf "$T/db2" marmot)" = 1200 ] || bad "after the re-run: marmot in $(tf "$T/db2" marmot) documents"
check "$T/db2" || bad "after the re-run xapian-check fails"
[ "$(ls "$T/db2" | grep -c '^seg\.')" = 0 ] || bad "segments left behind: $(ls "$T/db2")"
# Spelling data ("did you mean") counts every article once, including
# those the killed run had put in its segments.
if /usr/bin/python3 -c 'import xapian' 2>/dev/null; then
    f=$(/usr/bin/python3 -c 'import sys, xapian
db = xapian.Database(sys.argv[1])
print(sum(t.termfreq for t in db.spellings() if t.term == b"marmots"))' "$T/db2")
    [ "$f" = 1200 ] || bad "spelling frequency of 'marmots' after the re-run: $f, want 1200"
fi

[ "$fail" = 0 ] && echo "t23: ok"
exit "$fail"
