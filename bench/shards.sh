#!/bin/sh
# bench/shards.sh - what sharding costs and gains, on this machine.
#
#   sh bench/shards.sh [CORPUS_DIR]     (default: tests/data/sotu)
#
# Prints a Markdown table:
#   - query latency per cti-search process (p50, p95; wall clock, each
#     query of bench/queries.txt run BENCH_RUNS times) over one local
#     index, 3 local shards, and 3 shards served by xapian-tcpsrv on
#     127.0.0.1 (one server per shard);
#   - indexing MB/s of a fresh index with --shards 2 and with one database.
#
# Environment (optional): O (build directory with cti-index and
# cti-search, default build), BENCH_DIR (scratch, outside the repository,
# default /tmp/cti-bench-shards), BENCH_RUNS (default 11).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lib/tcpsrv.sh"
top=$(cd "$here/.." && pwd)
O=${O:-build}
case "$O" in /*) ;; *) O="$top/$O" ;; esac
CORPUS=${1:-$top/tests/data/sotu}
BENCH_DIR=${BENCH_DIR:-/tmp/cti-bench-shards}
BENCH_RUNS=${BENCH_RUNS:-11}
IDX=$O/cti-index
SRCH=$O/cti-search

[ -x "$IDX" ] && [ -x "$SRCH" ] || { echo "shards: build first (make O=$O)" >&2; exit 2; }
[ -e "$CORPUS" ] || { echo "shards: no corpus at $CORPUS" >&2; exit 2; }
command -v xapian-tcpsrv >/dev/null || { echo "shards: xapian-tcpsrv not installed (xapian-tools)" >&2; exit 2; }
case "$BENCH_DIR" in
"$top"|"$top"/*) echo "shards: BENCH_DIR must be outside the repository" >&2; exit 2 ;;
esac
mkdir -p "$BENCH_DIR"
W=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill -9 -- "-$p" 2>/dev/null || kill -9 "$p" 2>/dev/null || :; done
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
log() { echo "shards: $(date -u +%H:%M:%S) $*" >&2; }

# Index once into $1 with the remaining options; prints MB/s.
index_mbs() {
    db=$1
    shift
    rm -rf "$db"
    "$IDX" --json -q --db "$db" "$@" "$CORPUS" |
        python3 -c 'import json,sys; print("%.2f" % json.loads(sys.stdin.readline())["mb_per_s"])'
}

log "indexing $CORPUS: one database, then 2 shards, then 3 shards"
mbs1=$(index_mbs "$W/one")
mbs2=$(index_mbs "$W/two" --shards 2)
# positions in the table: the format of shards served by xapian-tcpsrv
mbs3=$(index_mbs "$W/three" --shards 3 --positions table)
mb=$(du -sk "$CORPUS" | awk '{ printf "%.1f", $1 / 1024 }')

# One xapian-tcpsrv per shard on a free loopback port.
: > "$W/remote.stub"
for s in 0 1 2; do
    cti_serve "$W/three/shard-0$s" || { echo "shards: cannot start xapian-tcpsrv" >&2; exit 2; }
    port=$PORT
    echo "remote 127.0.0.1:$port" >> "$W/remote.stub"
done

# The cti column of the shared query set.
sed -n '/^[^#]/p' "$here/queries.txt" | awk -F'|' '{ gsub(/^ +| +$/, "", $2); if ($2 != "-" && $2 != "") print $2 }' > "$W/queries"
nq=$(wc -l < "$W/queries")
log "$nq queries x $BENCH_RUNS processes on each layout"

latency() {
    python3 - "$SRCH" "$1" "$W/queries" "$BENCH_RUNS" <<'EOF'
import subprocess, sys, time
srch, db, qfile, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
queries = [l.rstrip("\n") for l in open(qfile) if l.strip()]
times = []
for q in queries:  # warm the page cache and the servers
    subprocess.run([srch, "--db", db, "--json", "-n", "10", q],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for r in range(runs):
    for q in queries:
        t = time.perf_counter()
        p = subprocess.run([srch, "--db", db, "--json", "-n", "10", q],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - t) * 1000)
        if p.returncode not in (0, 1):
            sys.exit("cti-search failed on %r: %s" % (q, p.stderr.decode()))
times.sort()
pick = lambda f: times[min(len(times) - 1, int(f * len(times)))]
print("%.1f | %.1f" % (pick(0.50), pick(0.95)))
EOF
}
l1=$(latency "$W/one")
l3=$(latency "$W/three")
lr=$(latency "$W/remote.stub")

cat <<EOF
### Shards: $(basename "$CORPUS") ($mb MB), $(nproc) CPUs, xapian $("$SRCH" --version | sed -n 's/.*xapian \([0-9.]*\).*/\1/p')

| layout | query p50 ms | query p95 ms | indexing MB/s |
| --- | ---: | ---: | ---: |
| one database | $l1 | $mbs1 |
| 3 local shards | $l3 | $mbs3 |
| 3 remote shards (xapian-tcpsrv, loopback) | $lr | - |
| 2 local shards | - | - | $mbs2 |

Latency is per cti-search process (start, open, search, top 10 with
snippets, exit), over $nq queries x $BENCH_RUNS runs.
EOF
