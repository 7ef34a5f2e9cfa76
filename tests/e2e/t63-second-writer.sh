#!/bin/sh
# A second cti-index on an index being written gets a clear error at once
# and harms nothing; with --wait it waits for the first and then runs.
# Searches keep working while the writer holds the index.  The first
# writer is held open deterministically: it reads JSON lines from a FIFO
# (every other command runs with the FIFO's write end closed: 3>&-).
set -eu
NAME=t63
. tests/lib/e2e.sh
pid=
cleanup() {
    exec 3>&- 2>/dev/null || true
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

mkdir "$T/in"
printf 'First article\n\nwritermarker first\n' >"$T/in/a.txt"
printf 'Second article\n\nwritermarker second\n' >"$T/b.txt"
printf 'Third article\n\nwritermarker third\n' >"$T/c.txt"
"$BIN/cti-index" -q --db "$T/db" "$T/in"

echo "t63: first writer holds the index, reading from a FIFO"
mkfifo "$T/fifo"
timeout 120 "$BIN/cti-index" -q --db "$T/db" - <"$T/fifo" >"$T/w1.out" 2>"$T/w1.err" &
pid=$!
exec 3>"$T/fifo"
printf '{"id": "stream-1", "text": "writermarker streamed"}\n' >&3
# Wait until the first writer holds the lock (a flock on DIR/lock, seen in
# /proc/locks without touching it), bounded.
ino=$(stat -c %i "$T/db/lock")
i=0
while ! grep -q ":$ino " /proc/locks; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || { bad "the first writer never took the lock"; break; }
    sleep 0.1
done
rc=0
timeout 20 "$BIN/cti-index" --db "$T/db" "$T/b.txt" >/dev/null 2>"$T/w2.err" 3>&- || rc=$?

echo "t63: a second writer is refused, clearly"
[ "$rc" -eq 2 ] || bad "second writer: exit $rc, want 2"
grep -Eqi "lock|another|in use|busy|being written" "$T/w2.err" ||
    bad "second writer: unclear message: $(cat "$T/w2.err")"

echo "t63: searches work while the writer holds the index"
rc=0
got=$(timeout 20 "$BIN/cti-search" --db "$T/db" --count writermarker 2>"$T/s.err" 3>&-) || rc=$?
[ "$rc" -eq 0 ] || bad "search during the write: exit $rc: $(cat "$T/s.err")"

echo "t63: --wait waits for the first writer, then runs"
timeout 120 "$BIN/cti-index" -q --wait --db "$T/db" "$T/c.txt" >"$T/w3.out" 2>"$T/w3.err" 3>&- &
wpid=$!
sleep 1
kill -0 "$wpid" 2>/dev/null || bad "--wait did not wait for the first writer"
exec 3>&-
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || bad "first writer: exit $rc: $(cat "$T/w1.err")"
rc=0
wait "$wpid" || rc=$?
[ "$rc" -eq 0 ] || bad "waiting writer: exit $rc: $(cat "$T/w3.err")"

echo "t63: nothing was harmed"
for w in first streamed third; do
    got=$(timeout 20 "$BIN/cti-search" --db "$T/db" --count "writermarker $w") || true
    [ "$got" = 1 ] || bad "article '$w' missing after the writers ($got hits)"
done
got=$(timeout 20 "$BIN/cti-search" --db "$T/db" --count "writermarker second") || true
[ "$got" = 0 ] || bad "the refused writer's article was indexed ($got hits)"
for d in $(awk '{ print $2 }' "$T/db/XAPIANDB"); do
    timeout 60 xapian-check "$T/db/$d" >"$T/check" 2>&1 || { bad "xapian-check $d"; cat "$T/check" >&2; }
done

[ "$fail" -eq 0 ] && echo "t63: ok"
exit "$fail"
