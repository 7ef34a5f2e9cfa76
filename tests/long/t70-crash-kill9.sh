#!/bin/sh
# Crash safety: cti-index is killed with SIGKILL at spread-out moments
# while it indexes a generated corpus (bench/gen-corpus --mb 5).  After
# every kill the index opens, xapian-check finds every database in it
# consistent, and every article in it is complete and equal to the same
# article in a clean build (id, title, whole stored text); its title
# search finds it.  Writing directly in small batches, the articles
# present are always the first ones in walk order (a prefix of committed
# batches).  A final run converges to exactly the clean build.
#
#   phase A: 12 kills, --no-bulk --batch 40 (direct commits), prefix
#            checked; every 3rd killed index is resumed to the end
#   phase B: 10 kills, --bulk -m 64 (1 MiB segments listed as they are
#            done, and the final merge), some right after a stub change,
#            every 3rd with --compact; every 2nd killed index is resumed,
#            leaving no debris
#   phase C: 4 kills of a --shards 3 build; every 2nd resumed
#   phase D: 4 kills while 60 articles change and 30 vanish: each article
#            is its old or its new version, never a mix, and none is lost
#   phase E: the same update through bulk segments (--bulk -m 64), killed
#            at moments and right after stub changes
#
# A run that ends before its kill (the machine was quicker than measured)
# is tried once more with the kill at half the delay.
# CTI_CRASH_TRIALS scales the kills of phases A and B (default 12 and 10).
set -eu
NAME=t70
. tests/lib/e2e.sh
HERE=$(cd "$(dirname "$0")" && pwd)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
dump() { python3 "$HERE/ctidump.py" dump "$BIN" "$@"; }
check() { python3 "$HERE/ctidump.py" check "$@"; }

python3 "$HERE/../../bench/gen-corpus" --mb 5 --out "$T/corpus" >/dev/null 2>&1
find "$T/corpus" -type f -name '*.txt' | LC_ALL=C sort >"$T/order"
n=$(wc -l <"$T/order")
echo "t70: corpus of $n articles"

# The clean build, and how long a direct run takes.
start=$(date +%s%N)
"$BIN/cti-index" -q --db "$T/clean" --no-bulk --batch 40 "$T/corpus"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
dump "$T/clean" "$T/clean.dump"
[ "$(wc -l <"$T/clean.dump")" -eq "$n" ] || bad "clean build holds $(wc -l <"$T/clean.dump") of $n articles"
echo "t70: clean build in ${ms} ms"

# xcheck DIR LABEL: xapian-check every database the stub DIR/XAPIANDB lists
# (a listed folder holding its own stub is a shard: checked the same way).
xcheck() {
    for d in $(awk '{ print $2 }' "$1/XAPIANDB"); do
        if [ -f "$1/$d/XAPIANDB" ]; then
            xcheck "$1/$d" "$2"
        else
            timeout 120 xapian-check "$1/$d" >"$T/xc" 2>&1 || { bad "$2: xapian-check $1/$d"; tail -5 "$T/xc" >&2; }
        fi
    done
}

# verify DB LABEL [check options]: the index opens, is consistent, and its
# articles are complete.
verify() {
    db=$1 label=$2
    shift 2
    if [ ! -f "$db/XAPIANDB" ]; then
        # Killed before the index was first created: nothing may be there.
        if ls "$db"/db.* >/dev/null 2>&1; then bad "$label: databases but no XAPIANDB stub"; fi
        return 0
    fi
    rc=0
    timeout 60 "$BIN/cti-search" --db "$db" --count -- -zzqqxxnotaword >"$T/count" 2>"$T/serr" || rc=$?
    [ "$rc" -le 1 ] || { bad "$label: the index does not open (exit $rc): $(cat "$T/serr")"; return 0; }
    xcheck "$db" "$label"
    dump "$db" "$T/now.dump" || { bad "$label: dump failed"; return 0; }
    check "$T/now.dump" "$@" >"$T/chk" 2>&1 || { bad "$label: $(tr '\n' ' ' <"$T/chk")"; }
    # Title search finds a few of the articles present.
    python3 "$HERE/ctidump.py" titles "$T/now.dump" 3 | while IFS='	' read -r id title; do
        timeout 30 "$BIN/cti-search" --db "$db" --json -n 50 "title:\"$title\"" 2>/dev/null |
            grep -qF "\"id\":\"$id\"" || echo "$label: title search misses $id" >>"$T/titlefail"
    done
    if [ -s "$T/titlefail" ]; then bad "$(cat "$T/titlefail")"; rm -f "$T/titlefail"; fi
    echo "t70: $label: $(cat "$T/chk")"
}

# trial DB LABEL DELAY_MS OPTIONS...: run cti-index, SIGKILL it after DELAY_MS.
trial() {
    db=$1 label=$2 delay=$3
    shift 3
    finished=0
    "$BIN/cti-index" -q --db "$db" "$@" >"$T/run.out" 2>"$T/run.err" &
    pid=$!
    sleep "$(awk -v m="$delay" 'BEGIN { printf "%.3f", m / 1000 }')"
    if kill -9 "$pid" 2>/dev/null; then
        echo "t70: $label: killed after $delay of $ms ms"
        wait "$pid" 2>/dev/null || true
    else
        wait "$pid" || bad "$label: cti-index failed before the kill: $(cat "$T/run.err")"
        echo "t70: $label: finished before the kill"
        finished=1
    fi
    pid=
}

# trial_stub DB LABEL K JITTER_MS OPTIONS...: run cti-index and SIGKILL it
# JITTER_MS after its K-th change of DB/XAPIANDB (segments listed, merged,
# compacted), polled every 20 ms: the moments around a commit of the stub.
trial_stub() {
    db=$1 label=$2 k=$3 jitter=$4
    shift 4
    "$BIN/cti-index" -q --db "$db" "$@" >"$T/run.out" 2>"$T/run.err" &
    pid=$!
    last=$(cat "$db/XAPIANDB" 2>/dev/null || true) seen=0
    while [ "$seen" -lt "$k" ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.02
        now=$(cat "$db/XAPIANDB" 2>/dev/null || true)
        if [ "$now" != "$last" ]; then seen=$((seen + 1)); last=$now; fi
    done
    sleep "$(awk -v m="$jitter" 'BEGIN { printf "%.3f", m / 1000 }')"
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        echo "t70: $label: killed ${jitter} ms after stub change $seen"
    else
        wait "$pid" || bad "$label: cti-index failed before the kill: $(cat "$T/run.err")"
        echo "t70: $label: finished before the kill (after $seen stub changes)"
    fi
    pid=
}

# delay I N [LO HI]: the I-th of N moments spread from LO to HI (fractions
# of a run of $ms ms; default 0.05 to 0.95), with jitter, in ms.
delay() {
    awk -v i="$1" -v n="$2" -v lo="${3:-0.05}" -v hi="${4:-0.95}" -v ms="$ms" \
        'BEGIN { srand(i * 7919); printf "%d", (lo + (hi - lo) * (i - 1 + rand()) / n) * ms }'
}

# measure SEED OPTIONS...: how long a full run takes from an index holding
# only the article SEED (none if empty), in ms.  (Phase A uses the clean
# build's time.)
measure() {
    seed=$1
    shift
    rm -rf "$T/m"
    [ -z "$seed" ] || "$BIN/cti-index" -q --db "$T/m" "$seed"
    start=$(date +%s%N)
    "$BIN/cti-index" -q --db "$T/m" "$@"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    rm -rf "$T/m"
}

A=${CTI_CRASH_TRIALS:-12}
B=$(( A * 10 / 12 ))
echo "t70: phase A: $A kills, direct commits (each from an empty index; every 3rd resumed)"
i=1
while [ "$i" -le "$A" ]; do
    rm -rf "$T/a"
    d=$(delay "$i" "$A")
    trial "$T/a" "A$i" "$d" --no-bulk --batch 40 "$T/corpus"
    if [ "$finished" -eq 1 ]; then # the machine was quicker: once more, sooner
        rm -rf "$T/a"
        trial "$T/a" "A$i" $((d / 2)) --no-bulk --batch 40 "$T/corpus"
    fi
    verify "$T/a" "A$i" "$T/clean.dump" --prefix "$T/order"
    if [ $((i % 3)) -eq 0 ]; then
        timeout 300 "$BIN/cti-index" -q --db "$T/a" --no-bulk --batch 40 "$T/corpus" ||
            bad "A$i: resuming failed"
        verify "$T/a" "A$i-resumed" "$T/clean.dump" --same
    fi
    i=$((i + 1))
done

echo "t70: phase B: $B kills, bulk segments of about 1 MiB (-m 64), every 3rd with --compact"
# Bulk runs start from an index holding one article, so that the
# segments are listed in its stub.  Odd trials are killed at a moment of
# the run, even ones shortly after the K-th change of the stub (a segment
# listed, the merge, the compaction), K = 1, 1, 2, 2, 3, ...
seed=$(head -1 "$T/order")
measure "$seed" --bulk -m 64 "$T/corpus"
i=1
while [ "$i" -le "$B" ]; do
    rm -rf "$T/b"
    "$BIN/cti-index" -q --db "$T/b" "$seed"
    k=$(( (i + 1) / 2 ))
    jitter=$(( (i * 37) % 5 * 60 ))
    if [ $((i % 3)) -eq 0 ]; then
        trial_stub "$T/b" "B$i" "$k" "$jitter" --bulk -m 64 --compact "$T/corpus"
    elif [ $((i % 2)) -eq 0 ]; then
        trial_stub "$T/b" "B$i" "$k" "$jitter" --bulk -m 64 "$T/corpus"
    else
        d=$(delay "$i" "$B" 0.1 0.9)
        trial "$T/b" "B$i" "$d" --bulk -m 64 "$T/corpus"
        if [ "$finished" -eq 1 ]; then
            rm -rf "$T/b"
            "$BIN/cti-index" -q --db "$T/b" "$seed"
            trial "$T/b" "B$i" $((d / 2)) --bulk -m 64 "$T/corpus"
        fi
    fi
    verify "$T/b" "B$i" "$T/clean.dump"
    if [ $((i % 2)) -eq 0 ]; then
        timeout 300 "$BIN/cti-index" -q --db "$T/b" --bulk -m 64 "$T/corpus" ||
            bad "B$i: resuming failed"
        verify "$T/b" "B$i-resumed" "$T/clean.dump" --same
        # No debris of the interrupted run is left beside the listed databases.
        for e in "$T"/b/db.* "$T"/b/seg.* "$T"/b/tmp.*; do
            [ -e "$e" ] || continue
            grep -q " $(basename "$e")\$" "$T/b/XAPIANDB" || bad "B$i: debris left: $(basename "$e")"
        done
    fi
    i=$((i + 1))
done

echo "t70: phase C: 4 kills of a 3-shard build (direct batches), every 2nd resumed"
measure "" --shards 3 --no-bulk --batch 40 "$T/corpus"
i=1
while [ "$i" -le 4 ]; do
    rm -rf "$T/d"
    d=$(delay "$i" 4)
    trial "$T/d" "C$i" "$d" --shards 3 --no-bulk --batch 40 "$T/corpus"
    if [ "$finished" -eq 1 ]; then
        rm -rf "$T/d"
        trial "$T/d" "C$i" $((d / 2)) --shards 3 --no-bulk --batch 40 "$T/corpus"
    fi
    verify "$T/d" "C$i" "$T/clean.dump"
    if [ $((i % 2)) -eq 0 ]; then
        timeout 300 "$BIN/cti-index" -q --db "$T/d" --no-bulk --batch 40 "$T/corpus" ||
            bad "C$i: resuming failed"
        verify "$T/d" "C$i-resumed" "$T/clean.dump" --same
    fi
    i=$((i + 1))
done

echo "t70: phase D: 4 kills while 60 articles change and 30 vanish"
# Change 60 articles (a new closing sentence) and remove 30.
awk 'NR % 17 == 3' "$T/order" | head -60 >"$T/changed"
awk 'NR % 31 == 7' "$T/order" | head -30 >"$T/removed"
sleep 1 # a new mtime even on file systems with coarse timestamps
# Each correction its own line: one sentence in all of them would become
# a template line of the source partway through the run, and an article
# read before its settle step is then neither its old nor its new version.
while read -r f; do printf '\nA late correction was added to %s.\n' "${f##*/}" >>"$f"; done <"$T/changed"
while read -r f; do rm -f "$f"; done <"$T/removed"
"$BIN/cti-index" -q --db "$T/clean2" --no-bulk --batch 40 "$T/corpus"
dump "$T/clean2" "$T/clean2.dump"
# How long the update takes, from the clean build of the old corpus.
rm -rf "$T/c"
cp -R "$T/clean" "$T/c"
start=$(date +%s%N)
"$BIN/cti-index" -q --db "$T/c" --no-bulk --batch 10 "$T/corpus"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
i=1
while [ "$i" -le 4 ]; do
    rm -rf "$T/c"
    cp -R "$T/clean" "$T/c"
    d=$(delay "$i" 4)
    trial "$T/c" "D$i" "$d" --no-bulk --batch 10 "$T/corpus"
    if [ "$finished" -eq 1 ]; then
        rm -rf "$T/c"
        cp -R "$T/clean" "$T/c"
        trial "$T/c" "D$i" $((d / 2)) --no-bulk --batch 10 "$T/corpus"
    fi
    verify "$T/c" "D$i" "$T/clean2.dump" --old "$T/clean.dump" --keep
    i=$((i + 1))
done
timeout 300 "$BIN/cti-index" -q --db "$T/c" --no-bulk "$T/corpus" || bad "phase D: resuming failed"
verify "$T/c" "D-resumed" "$T/clean2.dump" --same

echo "t70: phase E: 4 kills while the same update goes through bulk segments"
rm -rf "$T/c"
cp -R "$T/clean" "$T/c"
start=$(date +%s%N)
"$BIN/cti-index" -q --db "$T/c" --bulk -m 64 "$T/corpus"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
i=1
while [ "$i" -le 4 ]; do
    rm -rf "$T/c"
    cp -R "$T/clean" "$T/c"
    if [ $((i % 2)) -eq 0 ]; then
        trial_stub "$T/c" "E$i" $((i / 2)) 0 --bulk -m 64 "$T/corpus"
    else
        trial "$T/c" "E$i" "$(delay "$i" 4)" --bulk -m 64 "$T/corpus"
    fi
    verify "$T/c" "E$i" "$T/clean2.dump" --old "$T/clean.dump" --keep
    i=$((i + 1))
done
timeout 300 "$BIN/cti-index" -q --db "$T/c" "$T/corpus" || bad "phase E: resuming failed"
verify "$T/c" "E-resumed" "$T/clean2.dump" --same

[ "$fail" -eq 0 ] && echo "t70: ok"
exit "$fail"
