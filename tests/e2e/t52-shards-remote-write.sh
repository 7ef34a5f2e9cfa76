#!/bin/sh
# Writing through xapian-tcpsrv --writable: cti-index adds to a sharded
# index through a stub of "remote" lines (each article to its shard) and
# to a one-database index through tcp:HOST:PORT; what it adds is
# searchable at once, re-running is incremental, a stub listing the
# shards out of order is refused, and a server that is down is named.
set -eu
NAME=t52
. tests/lib/e2e.sh
IDX=$BIN/cti-index
SRCH=$BIN/cti-search
PIDS=""
cleanup() {
    for p in $PIDS; do kill -9 -- "-$p" 2>/dev/null || kill -9 "$p" 2>/dev/null || :; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "t52: FAIL: $*" >&2; exit 1; }
command -v xapian-tcpsrv >/dev/null || fail "xapian-tcpsrv not installed (xapian-tools)"

# serve DB [OPTION...]: xapian-tcpsrv on a free loopback port; sets PORT, SPID.
. "$(dirname "$0")/../lib/tcpsrv.sh"
CTI_SRV_LOG=$T/srv.out
serve() {
    cti_serve "$@" || fail "cannot start xapian-tcpsrv: $(cat "$T/srv.out")"
}

count() { timeout 30 "$SRCH" --db "$1" -c "$2" || :; }

cp -r corpus "$T/corpus"
timeout 60 "$IDX" -q --db "$T/idx" --shards 2 "$T/corpus"
serve "$T/idx/shard-00" --writable
p0=$PORT
serve "$T/idx/shard-01" --writable
p1=$PORT
printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' "$p0" "$p1" > "$T/w.stub"

mkdir "$T/new"
for i in 1 2 3 4 5 6; do
    printf 'Zebrafish report %s\n\nThe zebrafish campaign filed report number %s.\n' \
        "$i" "$i" > "$T/new/z$i.txt"
done
out=$(timeout 60 "$IDX" --json -q --db "$T/w.stub" "$T/new")
echo "$out" | grep -q '"added":6,' || fail "remote add: $out"
[ "$(count "$T/w.stub" zebrafish)" = 6 ] || fail "added articles not found through the servers"
[ "$(count "$T/idx" zebrafish)" = 6 ] || fail "added articles not in the shards on disk"
# Each went to the shard its id hashes to: a local run finds nothing to move.
out=$(timeout 60 "$IDX" --json -q --db "$T/idx" "$T/new")
echo "$out" | grep -q '"added":0,"updated":0,"unchanged":6,"removed":0,' ||
    fail "articles were not placed in their shards: $out"
echo "t52: 6 articles added through 2 writable remote shards"

out=$(timeout 60 "$IDX" --json -q --db "$T/w.stub" "$T/new")
echo "$out" | grep -q '"added":0,' || fail "remote re-run not incremental: $out"
printf 'Zebrafish report 2\n\nThe zebrafish campaign withdrew report two.\n' > "$T/new/z2.txt"
rm "$T/new/z5.txt"
out=$(timeout 60 "$IDX" --json -q --db "$T/w.stub" "$T/new")
echo "$out" | grep -q '"updated":1,' || fail "remote update: $out"
echo "$out" | grep -q '"removed":1,' || fail "remote removal: $out"
[ "$(count "$T/w.stub" zebrafish)" = 5 ] || fail "after update and removal"
[ "$(count "$T/w.stub" withdrew)" = 1 ] || fail "updated text not found"
echo "t52: remote re-runs are incremental"

printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' "$p1" "$p0" > "$T/swapped.stub"
if timeout 60 "$IDX" -q --db "$T/swapped.stub" "$T/new" 2> "$T/err"; then
    fail "a stub listing the shards out of order was accepted"
fi
grep -q "in order" "$T/err" || fail "unclear message: $(cat "$T/err")"
if timeout 60 "$IDX" -q --db "tcp:127.0.0.1:$p1" "$T/new" 2> "$T/err"; then
    fail "one shard of a sharded index was written on its own"
fi
grep -q "shard 1 of a sharded index" "$T/err" || fail "unclear message: $(cat "$T/err")"

# One database served writable, written through tcp:HOST:PORT.
timeout 60 "$IDX" -q --db "$T/single" "$T/corpus"
serve "$T/single" --writable
ps=$PORT
printf 'Okapi sighting\n\nAn okapi was seen near the polls.\n' > "$T/okapi.txt"
timeout 60 "$IDX" -q --db "tcp:127.0.0.1:$ps" "$T/okapi.txt"
[ "$(count "$T/single" okapi)" = 1 ] || fail "tcp: add not found"
[ "$(count "tcp:127.0.0.1:$ps" okapi)" = 1 ] || fail "cti-search --db tcp: does not find it"
echo "t52: tcp:HOST:PORT adds to a remote index"

# A server that is down is named, exit 2.
kill -9 -- "-$SPID" 2>/dev/null || kill -9 "$SPID"
sleep 0.2
rc=0
timeout 60 "$IDX" -q --db "tcp:127.0.0.1:$ps" "$T/okapi.txt" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] || fail "exit $rc writing to a server that is down"
grep -q "127.0.0.1:$ps" "$T/err" || fail "the error does not name the server: $(cat "$T/err")"
echo "t52: a server that is down is named"
