#!/bin/sh
# make bench: cti beside Xapian's own pipeline and SQLite FTS5, on the same
# corpora, on the same machine, in the same run.  See bench/README.md.
#
# Environment (all optional):
#   O            build directory holding cti-index, cti-search, bench/analyze
#                (default: build)
#   BENCH_SIZES  corpora to measure, in order: "sotu" (tests/data/sotu, 11 MB),
#                sizes in MB of generated corpora ("200", "1000" for 1 GB),
#                and sizes followed by "w" for corpora of short wire stories
#                ("40w": gen-corpus --mb 40 --seed 2 --words 60,300)
#                (default: "sotu 200")
#   BENCH_SEED   generator seed of the news corpora (default: 1)
#   BENCH_SHORT_SEED, BENCH_SHORT_WORDS  seed and --words of the short-story
#                corpora (default: 2 and 60,300)
#   BENCH_PEERS  more tools to measure beside Xapian and FTS5: "lucene",
#                "sphinx" (default: none; scripts/deps.sh bench-peers
#                installs them)
#   BENCH_DIR    scratch directory outside the repository for corpora and
#                indexes (default: /tmp/cti-bench); generated corpora are
#                kept and reused while the seed, size and generator match
#   BENCH_RUNS   processes per query and tool for the latency figures
#                (default: 21)
#   BENCH_INDEX_RUNS  loads of each corpus per tool, in rounds of every
#                tool, the fastest counting (default: 1)
#   BENCH_SHARDS shards for the sharding comparison, 0 to skip it (default: 3)
#   BENCH_KEEP   1 keeps the indexes in $BENCH_DIR/idx after the run
#   BENCH_RESULTS  where to write the Markdown results
#                (default: bench/RESULTS.md)
#   BENCH_WEB    1 adds bench/web.sh (cti-web under load, 200 MB corpus)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
O=${O:-build}
case "$O" in /*) ;; *) O="$top/$O" ;; esac
BENCH_SIZES=${BENCH_SIZES:-sotu 200}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_SHORT_SEED=${BENCH_SHORT_SEED:-2}
BENCH_SHORT_WORDS=${BENCH_SHORT_WORDS:-60,300}
BENCH_PEERS=${BENCH_PEERS:-}
BENCH_DIR=${BENCH_DIR:-/tmp/cti-bench}
BENCH_RUNS=${BENCH_RUNS:-21}
BENCH_RESULTS=${BENCH_RESULTS:-$here/RESULTS.md}
# python3-xapian is installed for Debian's interpreter, which may not be the
# first python3 on PATH.
PY=${BENCH_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

case "$BENCH_DIR" in
"$top"|"$top"/*) echo "bench: BENCH_DIR must be outside the repository" >&2; exit 2 ;;
esac
mkdir -p "$BENCH_DIR"

log() { echo "bench: $(date -u +%H:%M:%S) $*" >&2; }

missing=""
for t in sqlite3 quest xapian-compact; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
"$PY" -c 'import xapian' 2>/dev/null || missing="$missing python3-xapian"
if [ -n "$missing" ]; then
    echo "bench: missing:$missing (scripts/deps.sh bench installs them)" >&2
    exit 2
fi

# The generator's identity: regenerate when it changes.
gen_id=$(sha256sum "$here/gen-corpus" | cut -c1-16)

# gen NAME SIZE SEED [WORDS]: generate $BENCH_DIR/NAME, or reuse it while its
# size, seed, length and the generator are unchanged.
gen() {
    name=$1 size=$2 seed=$3 words=${4:-}
    dir="$BENCH_DIR/$name"
    stamp="$BENCH_DIR/$name.ok"
    want="mb=$size seed=$seed words=${words:-default} gen=$gen_id"
    if [ -d "$dir" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        log "corpus $name: reusing $dir"
    else
        log "corpus $name: generating $size MB (seed $seed${words:+, words $words}) into $dir"
        rm -rf "$dir" "$dir.tmp" "$stamp"
        "$PY" "$here/gen-corpus" --mb "$size" --seed "$seed" ${words:+--words "$words"} \
            --out "$dir.tmp" >&2
        mv "$dir.tmp" "$dir"
        echo "$want" >"$stamp"
    fi
}

corpora=""
for size in $BENCH_SIZES; do
    case "$size" in
    sotu)
        corpora="$corpora sotu=$top/tests/data/sotu"
        ;;
    *w)
        mb=${size%w}
        case "$mb" in
        *[!0-9.]*|"") echo "bench: bad size '$size' in BENCH_SIZES (use sotu, a number of MB, or MB followed by w)" >&2; exit 2 ;;
        esac
        name="short-$mb-s$BENCH_SHORT_SEED"
        gen "$name" "$mb" "$BENCH_SHORT_SEED" "$BENCH_SHORT_WORDS"
        corpora="$corpora ${mb}MB-short=$BENCH_DIR/$name"
        ;;
    *[!0-9.]*|"")
        echo "bench: bad size '$size' in BENCH_SIZES (use sotu, a number of MB, or MB followed by w)" >&2
        exit 2
        ;;
    *)
        name="gen-$size-s$BENCH_SEED"
        gen "$name" "$size" "$BENCH_SEED"
        corpora="$corpora ${size}MB=$BENCH_DIR/$name"
        ;;
    esac
done

export O BENCH_DIR BENCH_RUNS BENCH_RESULTS BENCH_SEED BENCH_SIZES BENCH_PEERS
[ -n "${BENCH_INDEX_RUNS:-}" ] && export BENCH_INDEX_RUNS
export BENCH_SHORT_SEED BENCH_SHORT_WORDS
[ -n "${BENCH_SHARDS:-}" ] && export BENCH_SHARDS
# shellcheck disable=SC2086
"$PY" "$here/bench.py" $corpora
# BENCH_WEB=1: cti-web under load on the 200 MB corpus, added to the results.
if [ "${BENCH_WEB:-0}" = 1 ]; then
    { echo; sh "$here/web.sh"; } | tee -a "$BENCH_RESULTS"
fi
# Boilerplate set aside, copies found and their cost, appended to the results.
# shellcheck disable=SC2086
BENCH_PYTHON=$PY sh "$here/clean.sh" $corpora
