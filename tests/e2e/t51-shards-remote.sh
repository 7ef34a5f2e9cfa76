#!/bin/sh
# Three xapian-tcpsrv on 127.0.0.1 serve the three shards of an index; a
# stub file with three "remote" lines searches them as one and answers
# like the local index, the default page and its count too (--facet,
# which needs cti's code on the server, is refused).  With one server
# stopped, cti-search fails with exit 2 and names the shard that is down;
# with --partial it searches the shards that answer and warns about the
# other.  Shards served remotely
# keep their positions in the table (--positions table): one keeping them
# per article answers word searches but refuses phrases, naming the fix.
set -eu
NAME=t51
. tests/lib/e2e.sh
IDX=$BIN/cti-index
SRCH=$BIN/cti-search
PIDS=""
cleanup() {
    for p in $PIDS; do kill -9 -- "-$p" 2>/dev/null || kill -9 "$p" 2>/dev/null || :; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "t51: FAIL: $*" >&2; exit 1; }
command -v xapian-tcpsrv >/dev/null || fail "xapian-tcpsrv not installed (xapian-tools)"

# serve DB [OPTION...]: xapian-tcpsrv on a free loopback port; sets PORT, SPID.
. "$(dirname "$0")/../lib/tcpsrv.sh"
CTI_SRV_LOG=$T/srv.out
serve() {
    cti_serve "$@" || fail "cannot start xapian-tcpsrv: $(cat "$T/srv.out")"
}

ids() {
    timeout 30 "$SRCH" --db "$1" --json -n 1000 "$2" |
        python3 -c 'import json,sys; [print(json.loads(l)["id"], round(json.loads(l)["score"], 9)) for l in sys.stdin]'
}

mkdir "$T/corpus"
awk 'NR % 2 == 1' tests/data/sotu.jsonl > "$T/corpus/sotu.jsonl"
timeout 120 "$IDX" -q --db "$T/idx" --shards 3 --positions table "$T/corpus"

ports=""
for s in 0 1 2; do
    serve "$T/idx/shard-0$s"
    ports="$ports $PORT"
    eval "pid$s=\$SPID"
done
: > "$T/remote.stub"
for p in $ports; do echo "remote 127.0.0.1:$p" >> "$T/remote.stub"; done
echo "t51: 3 servers on ports$ports"

for q in 'union AND strength' '"federal government"' 'economy OR jobs' \
         'author:roosevelt' 'slavery NEAR/10 territory'; do
    ids "$T/idx" "$q" > "$T/a"
    ids "$T/remote.stub" "$q" > "$T/b"
    [ -s "$T/a" ] || fail "no hits for '$q' (the test needs some)"
    cmp -s "$T/a" "$T/b" || { diff "$T/a" "$T/b" | head >&2; fail "'$q' differs over the network"; }
done
a=$(timeout 30 "$SRCH" --db "$T/idx" --json --sort -date --offset 3 -n 4 'peace')
b=$(timeout 30 "$SRCH" --db "$T/remote.stub" --json --sort -date --offset 3 -n 4 'peace')
[ -n "$a" ] && [ "$a" = "$b" ] || fail "sorted page or snippets differ over the network"
[ "$(timeout 30 "$SRCH" --db "$T/idx" -c war)" = "$(timeout 30 "$SRCH" --db "$T/remote.stub" -c war)" ] ||
    fail "counts differ over the network"
# The default page: ten hits, the match count exact within --count-time,
# which locally a match spy keeps (xapian-tcpsrv runs none).
for q in 'union' 'economy OR jobs' 'peace AND war'; do
    a=$(timeout 30 "$SRCH" --db "$T/idx" --json "$q")
    b=$(timeout 30 "$SRCH" --db "$T/remote.stub" --json "$q") ||
        fail "'$q': the default page fails over the network"
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "'$q': the default page differs over the network"
done
# Counting by value (--facet) needs cti's code on the server: refused, saying so.
rc=0
timeout 30 "$SRCH" --db "$T/remote.stub" --facet date:year union > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "remote shard" "$T/err" ||
    fail "--facet over the network: exit $rc: $(cat "$T/err")"
echo "t51: remote shards answer like the local index"

# A shard keeping positions per article, served remotely.
timeout 120 "$IDX" -q --db "$T/art" --positions article "$T/corpus"
serve "$T/art"
aport=$PORT
echo "remote 127.0.0.1:$aport" > "$T/art.stub"
[ "$(timeout 30 "$SRCH" --db "$T/art.stub" -c 'union AND strength')" = \
  "$(timeout 30 "$SRCH" --db "$T/idx" -c 'union AND strength')" ] ||
    fail "word search on a remote shard with positions per article"
for q in '"federal government"' 'slavery NEAR/10 territory'; do
    rc=0
    timeout 30 "$SRCH" --db "$T/art.stub" "$q" > "$T/out" 2> "$T/err" || rc=$?
    [ "$rc" = 2 ] || fail "'$q' on a remote shard with positions per article: exit $rc"
    grep -q "127.0.0.1:$aport.*--positions table" "$T/err" ||
        fail "the refusal does not name the shard and the fix: $(cat "$T/err")"
done
echo "t51: a remote shard with positions per article refuses phrases: $(cat "$T/err")"

# Stop the second server: a clear error naming it, exit 2.
down=$(echo $ports | cut -d' ' -f2)
kill -9 -- "-$pid1" 2>/dev/null || kill -9 "$pid1"
sleep 0.2
rc=0
timeout 30 "$SRCH" --db "$T/remote.stub" 'union' > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] || fail "exit $rc with a shard down (want 2)"
grep -q "127.0.0.1:$down" "$T/err" || fail "the error does not name the shard: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "results printed with a shard down"
echo "t51: a shard that is down is named: $(cat "$T/err")"

# With --partial: the shards that answer, and a warning naming the other.
rc=0
timeout 30 "$SRCH" --db "$T/remote.stub" --partial --json -n 1000 'union' > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 0 ] || fail "--partial: exit $rc: $(cat "$T/err")"
grep -q "warning.*127.0.0.1:$down" "$T/err" || fail "--partial: no warning naming the shard: $(cat "$T/err")"
got=$(wc -l < "$T/out")
all=$(timeout 30 "$SRCH" --db "$T/idx" -c 'union')
[ "$got" -gt 0 ] && [ "$got" -lt "$all" ] || fail "--partial: $got hits of $all"
# ... exactly what the two shards give on their own.
printf 'auto idx/shard-00\nauto idx/shard-02\n' > "$T/two.stub"
python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]' < "$T/out" > "$T/a"
timeout 30 "$SRCH" --db "$T/two.stub" --json -n 1000 'union' |
    python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]' > "$T/b"
cmp -s "$T/a" "$T/b" || fail "--partial: not the hits of the other two shards"
echo "t51: --partial searched the 2 shards that answer ($got of $all hits)"
