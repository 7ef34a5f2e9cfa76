#!/bin/sh
# Concurrency: searches run in a loop while cti-index writes (direct
# batches, bulk segments with their merge, an update with compaction, and
# updates through bulk segments, during which no article may go missing).  No search may
# fail (exit 2), and every article a search sees is complete: equal to
# the same article in a clean build (or, during the update, to its old
# version).  Meanwhile a second cti-index is refused with a clear message
# every time and harms nothing, and one started with --wait runs after.
set -eu
NAME=t71
. tests/lib/e2e.sh
HERE=$(cd "$(dirname "$0")" && pwd)
pids=
cleanup() {
    touch "$T/stop" 2>/dev/null || true
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
dump() { python3 "$HERE/ctidump.py" dump "$BIN" "$@"; }

python3 "$HERE/../../bench/gen-corpus" --mb 3 --out "$T/corpus" >/dev/null 2>&1
"$BIN/cti-index" -q --db "$T/clean" --no-bulk "$T/corpus"
dump "$T/clean" "$T/clean.dump"
n=$(wc -l <"$T/clean.dump")
echo "t71: corpus of $n articles"

# reader DB N CHECKARGS...: loop until $T/stop: dump everything and check
# each article, then a few queries; failures go to $T/fail.N.
reader() {
    db=$1 k=$2
    shift 2
    i=0
    while [ ! -f "$T/stop" ]; do
        if [ -f "$db/XAPIANDB" ]; then
            if python3 "$HERE/ctidump.py" dump "$BIN" "$db" "$T/r$k.dump" 2>"$T/r$k.err"; then
                python3 "$HERE/ctidump.py" check "$T/r$k.dump" "$@" >/dev/null 2>"$T/r$k.chk" ||
                    { echo "reader $k: incomplete article seen: $(head -3 "$T/r$k.chk")" >>"$T/fail.$k"; }
            else
                echo "reader $k: dump failed: $(head -3 "$T/r$k.err")" >>"$T/fail.$k"
            fi
            for q in 'congress AND tax' '"public debt"' 'nation NEAR/5 peace' 'title:union' '-zzqq'; do
                rc=0
                "$BIN/cti-search" --db "$db" --json -n 20 -- "$q" >/dev/null 2>"$T/r$k.serr" || rc=$?
                [ "$rc" -le 1 ] || echo "reader $k: '$q' exit $rc: $(cat "$T/r$k.serr")" >>"$T/fail.$k"
            done
            i=$((i + 1))
        else
            sleep 0.05
        fi
    done
    echo "$i" >"$T/rounds.$k"
}

# fastreader DB K: loop until $T/stop: only searches (exit status checked),
# as fast as they go, to hit the moments the index's files are swapped.
fastreader() {
    db=$1 k=$2
    i=0
    while [ ! -f "$T/stop" ]; do
        if [ -f "$db/XAPIANDB" ]; then
            for q in '-zzqq' 'congress AND tax' '"public debt"'; do
                rc=0
                "$BIN/cti-search" --db "$db" --count -- "$q" >/dev/null 2>"$T/r$k.serr" || rc=$?
                [ "$rc" -le 1 ] || echo "reader $k: '$q' exit $rc: $(cat "$T/r$k.serr")" >>"$T/fail.$k"
            done
            i=$((i + 1))
        else
            sleep 0.05
        fi
    done
    echo "$i" >"$T/rounds.$k"
}

# phase NAME DB CHECKARGS -- INDEX-OPTIONS...: two readers while cti-index
# runs with INDEX-OPTIONS; a second writer is tried during the run.
phase() {
    name=$1 db=$2
    shift 2
    checkargs=
    while [ "$1" != "--" ]; do checkargs="$checkargs $1"; shift; done
    shift
    rm -f "$T/stop" "$T"/fail.* "$T"/rounds.*
    # shellcheck disable=SC2086
    reader "$db" 1 $checkargs &
    r1=$!
    # shellcheck disable=SC2086
    reader "$db" 2 $checkargs &
    r2=$!
    fastreader "$db" 3 &
    r3=$!
    pids="$r1 $r2 $r3"
    rc=0
    timeout 600 "$BIN/cti-index" -q --db "$db" "$@" 2>"$T/w.err" &
    w=$!
    # A second writer during the run: refused at once, clearly.  It asks to
    # remove an article the index never holds, so that one which starts
    # just after the run ended changes nothing the readers check.
    sleep 1
    tries=0 refused=0
    while kill -0 "$w" 2>/dev/null && [ "$tries" -lt 5 ]; do
        r=0
        timeout 60 "$BIN/cti-index" -q --db "$db" --remove "$T/extra/x.txt" >/dev/null 2>"$T/w2.err" || r=$?
        if kill -0 "$w" 2>/dev/null; then
            tries=$((tries + 1))
            if [ "$r" -eq 2 ] && grep -Eqi "lock|another|in use|being written" "$T/w2.err"; then
                refused=$((refused + 1))
            else
                bad "$name: second writer during the run: exit $r: $(cat "$T/w2.err")"
            fi
        fi
        sleep 0.3
    done
    wait "$w" || rc=$?
    [ "$rc" -eq 0 ] || bad "$name: cti-index exit $rc: $(cat "$T/w.err")"
    # Let the readers see the final state once more, then stop them.
    sleep 1
    touch "$T/stop"
    wait "$r1" "$r2" "$r3" || true
    pids=
    for f in "$T"/fail.*; do
        [ -f "$f" ] || continue
        bad "$name: $(sort -u "$f" | head -5)"
    done
    echo "t71: $name: checking reader rounds $(cat "$T/rounds.1" 2>/dev/null || echo 0)+$(cat "$T/rounds.2" 2>/dev/null || echo 0), fast reader rounds $(cat "$T/rounds.3" 2>/dev/null || echo 0), second writer refused $refused of $tries tries"
}

mkdir "$T/extra"
printf 'Extra article\n\nextramarker from the second writer\n' >"$T/extra/x.txt"

echo "t71: phase 1: direct batches of 20"
phase direct "$T/a" "$T/clean.dump" -- --no-bulk --batch 20 "$T/corpus"

echo "t71: phase 2: bulk segments and their merge"
seed=$(find "$T/corpus" -name '*.txt' | LC_ALL=C sort | head -1)
"$BIN/cti-index" -q --db "$T/b" "$seed"
phase bulk "$T/b" "$T/clean.dump" -- --bulk -m 64 "$T/corpus"

echo "t71: phase 3: an update (80 articles changed) with compaction"
find "$T/corpus" -name '*.txt' | LC_ALL=C sort | awk 'NR % 9 == 4' | head -80 >"$T/changed"
sleep 1
# Each correction its own line: one sentence in all of them would become
# a template line of the source partway through the run, and an article
# read before its settle step is then neither its old nor its new version.
while read -r f; do printf '\nA late correction was added to %s.\n' "${f##*/}" >>"$f"; done <"$T/changed"
"$BIN/cti-index" -q --db "$T/clean2" --no-bulk "$T/corpus"
dump "$T/clean2" "$T/clean2.dump"
phase update "$T/a" "$T/clean2.dump" --old "$T/clean.dump" -- --no-bulk --batch 5 --compact "$T/corpus"

echo "t71: phase 4: updates through bulk segments; every article stays visible"
# While an update runs, each article is its old or its new version and
# none ever goes missing: readers count every article, 8 times over.
want=$("$BIN/cti-search" --db "$T/b" --count -- -zzqq)
rm -f "$T/stop" "$T"/fail.*
countreader() {
    k=$1
    i=0
    while [ ! -f "$T/stop" ]; do
        rc=0
        got=$("$BIN/cti-search" --db "$T/b" --count -- -zzqq 2>"$T/r$k.serr") || rc=$?
        if [ "$rc" -gt 1 ] || [ "$got" != "$want" ]; then
            echo "reader $k: $got of $want articles visible during a bulk update (exit $rc)" >>"$T/fail.$k"
        fi
        i=$((i + 1))
    done
    echo "$i" >"$T/rounds.$k"
}
countreader 1 &
c1=$!
countreader 2 &
c2=$!
pids="$c1 $c2"
j=0
while [ "$j" -lt 8 ]; do
    f=$(sed -n "$((j * 7 + 1))p" "$T/changed")
    printf '\nBulk update %s.\n' "$j" >>"$f"
    timeout 300 "$BIN/cti-index" -q --db "$T/b" --bulk -m 64 "$T/corpus" 2>"$T/w.err" ||
        bad "bulk update $j: $(cat "$T/w.err")"
    j=$((j + 1))
done
touch "$T/stop"
wait "$c1" "$c2" || true
pids=
for f in "$T"/fail.*; do
    [ -f "$f" ] || continue
    bad "bulk updates: an article went missing or was seen twice while its update was written: $(sort -u "$f" | head -3) ($(wc -l <"$f") times)"
done
echo "t71: bulk updates: reader rounds $(cat "$T/rounds.1")+$(cat "$T/rounds.2")"

echo "t71: the end state equals a clean build, the refused writer left nothing"
"$BIN/cti-index" -q --db "$T/clean3" --no-bulk "$T/corpus"
dump "$T/clean3" "$T/clean3.dump"
"$BIN/cti-index" -q --db "$T/a" --no-bulk "$T/corpus"
dump "$T/a" "$T/end.dump"
python3 "$HERE/ctidump.py" check "$T/end.dump" "$T/clean3.dump" --same >/dev/null 2>"$T/chk" ||
    bad "end state of $T/a: $(tail -3 "$T/chk")"
dump "$T/b" "$T/endb.dump"
python3 "$HERE/ctidump.py" check "$T/endb.dump" "$T/clean3.dump" --same >/dev/null 2>"$T/chk" ||
    bad "end state of the bulk index: $(head -3 "$T/chk")"

echo "t71: --wait runs after the writer"
timeout 600 "$BIN/cti-index" -q --db "$T/a" --no-bulk --batch 5 "$T/corpus" "$T/extra" 2>/dev/null &
w=$!
pids=$w
sleep 0.2
rc=0
timeout 600 "$BIN/cti-index" -q --wait --db "$T/a" "$T/extra" 2>"$T/wait.err" || rc=$?
[ "$rc" -eq 0 ] || bad "--wait writer: exit $rc: $(cat "$T/wait.err")"
wait "$w" || bad "writer before the --wait one failed"
pids=
got=$("$BIN/cti-search" --db "$T/a" --count extramarker) || true
[ "$got" = 1 ] || bad "after --wait: extramarker has $got hits, want 1"

[ "$fail" -eq 0 ] && echo "t71: ok"
exit "$fail"
