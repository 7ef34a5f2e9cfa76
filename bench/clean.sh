#!/bin/sh
# Clean articles, measured: how much clean text is set aside as page
# boilerplate, how well copies of a story are found, and what both cost in
# bulk indexing throughput.  Called by bench/run.sh after bench.py with the
# same NAME=DIR corpora; appends a "Clean articles" section to
# $BENCH_RESULTS (and prints it).  Alone:
#
#   sh bench/clean.sh [NAME=DIR...]
#
# Environment: O (build directory, default build), BENCH_DIR (scratch,
# default /tmp/cti-bench), BENCH_RESULTS (default: print only),
# BENCH_CLEAN_RUNS (indexing runs per setting for the cost, default 2).
#
#   set-aside rate   build/bench/cleaneval rate over each clean corpus
#                    (tests/data/sotu, the generated corpora given, TIME):
#                    words set aside / words, by the indexer's own rules,
#                    template counts included (the target is under 0.5%)
#   copies           bench/dupset writes a labelled set (TIME articles
#                    reworded at 5-40%, syndicated with other frames,
#                    trimmed, extended; same-topic pairs from the TIME
#                    judgments); cleaneval measures the fingerprint and
#                    threshold on every pair, and the index built by
#                    cti-index is measured too: two articles share a
#                    cluster exactly when they tell one story?
#   cost             cti-index on the largest corpus given, with and
#                    without --no-clean, alternated BENCH_CLEAN_RUNS times,
#                    best of each (the target is at most 15%)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
O=${O:-build}
case "$O" in /*) ;; *) O="$top/$O" ;; esac
BENCH_DIR=${BENCH_DIR:-/tmp/cti-bench}
RUNS=${BENCH_CLEAN_RUNS:-2}
PY=${BENCH_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
log() { echo "bench: $(date -u +%H:%M:%S) clean: $*" >&2; }

for p in cti-index bench/cleaneval; do
    [ -x "$O/$p" ] || { echo "bench: clean: $O/$p missing (make first)" >&2; exit 2; }
done
mkdir -p "$BENCH_DIR"
W=$(mktemp -d "$BENCH_DIR/clean.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
out="$W/section.md"

corpora="$*"
[ -n "$corpora" ] || corpora="sotu=$top/tests/data/sotu"
case " $corpora " in *" sotu="*) ;; *) corpora="sotu=$top/tests/data/sotu $corpora" ;; esac
corpora="$corpora time=$top/bench/eval/time/docs.jsonl"

{
echo "## Clean articles: boilerplate set aside, copies found, cost"
echo
echo "Words set aside as page boilerplate on text that has none (the target is under 0.5%):"
echo
echo "| corpus | articles | words | set aside | rate |"
echo "|---|---|---|---|---|"
} >"$out"
for c in $corpora; do
    name=${c%%=*} dir=${c#*=}
    log "set-aside rate on $name"
    line=$("$O/bench/cleaneval" rate "$dir" | head -1)
    # articles=N words=W aside=A rate_pct=P ...
    set -- $line
    a=${1#articles=} w=${2#words=} s=${3#aside=} p=${4#rate_pct=}
    echo "| $name | $a | $w | $s | $p% |" >>"$out"
done

log "copies: labelled set"
"$PY" "$here/dupset" --out "$W/dups" 2>/dev/null
"$O/bench/cleaneval" dups "$W/dups" >"$W/dups.txt"
"$O/cti-index" -q --db "$W/dups.cti" "$W/dups/articles"
"$PY" - "$W/dups" "$W/dups.cti" >"$W/index.txt" <<'PY'
# Pairwise precision and recall of the clusters the index recorded.
import os, sys, xapian
labels = {}
for line in open(os.path.join(sys.argv[1], "labels.tsv"), encoding="utf-8"):
    f, story, kind = line.rstrip("\n").split("\t")
    labels[os.path.realpath(os.path.join(sys.argv[1], f))] = story
db = xapian.Database(sys.argv[2])
cluster = {}
for p in db.postlist(""):
    d = db.get_document(p.docid)
    v = d.get_value(1).decode("utf-8", "replace")
    path = v.split(" ", 3)[3] if v.startswith("f ") else v
    key = d.get_value(6)
    cluster[path] = key if key else b"single-%d" % p.docid
paths = [p for p in labels if p in cluster]
tp = fp = fn = 0
for i in range(len(paths)):
    for j in range(i + 1, len(paths)):
        same = labels[paths[i]] == labels[paths[j]]
        call = cluster[paths[i]] == cluster[paths[j]]
        tp += same and call
        fp += (not same) and call
        fn += same and not call
print("index: articles=%d precision=%.4f recall=%.4f" %
      (len(paths), tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0))
PY
{
echo
echo "Copies (bench/dupset: $(grep -c . "$W/dups/labels.tsv") articles; a pair is a copy when it"
echo "tells one story).  The fingerprint and threshold over every pair, then the"
echo "clusters cti-index recorded (collapsing is on these):"
echo
echo '```'
grep -v '^sweep' "$W/dups.txt"
cat "$W/index.txt"
echo '```'
} >>"$out"

# Cost: the largest corpus given, with and without cleaning.
big="" bigsize=0
for c in $corpora; do
    d=${c#*=}
    [ -d "$d" ] || continue
    sz=$(du -sk "$d" | cut -f1)
    [ "$sz" -gt "$bigsize" ] && big=$d bigsize=$sz
done
[ -n "$big" ] || big=$top/tests/data/sotu
mb=$(du -sk "$big" | awk '{ printf "%.1f", $1 / 1024 }')
log "cost: indexing $big, with and without cleaning, $RUNS runs each"
"$PY" - "$O/cti-index" "$big" "$W/cost.cti" "$RUNS" "$mb" >>"$out" <<'PY'
# Alternate the two settings; wall time and CPU time (user + system) of
# each run from wait4(), best of the runs.  CPU time holds better than
# wall time on a shared machine.
import os, shutil, subprocess, sys, time
index, corpus, db, runs, mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
best = {}
for k in range(runs):
    for mode in ("no-clean", "clean"):
        shutil.rmtree(db, ignore_errors=True)
        argv = [index, "-q", "--db", db] + (["--no-clean"] if mode == "no-clean" else []) + [corpus]
        t0 = time.time()
        p = subprocess.Popen(argv)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.time() - t0
        if status != 0:
            sys.exit("cti-index %s: status %d" % (mode, status))
        cpu = ru.ru_utime + ru.ru_stime
        w, c = best.get(mode, (wall, cpu))
        best[mode] = (min(w, wall), min(c, cpu))
shutil.rmtree(db, ignore_errors=True)
(wn, cn), (wc, cc) = best["no-clean"], best["clean"]
print()
print("Cost in bulk indexing of %s (%.1f MB on disk), best of %d runs each, alternated:\n"
      % (os.path.basename(corpus.rstrip("/")), mb, runs))
print("| cti-index | wall s | MB/s | CPU s |")
print("|---|---|---|---|")
print("| `--no-clean` | %.2f | %.1f | %.2f |" % (wn, mb / wn, cn))
print("| cleaning (default) | %.2f | %.1f | %.2f |" % (wc, mb / wc, cc))
print("\nThroughput cost of cleaning: **%.1f%%** of wall time, %.1f%% of CPU time "
      "(the target is at most 15%%)." % (100.0 * (wc - wn) / wc, 100.0 * (cc - cn) / cc))
PY

cat "$out"
if [ -n "${BENCH_RESULTS:-}" ]; then
    { echo; cat "$out"; } >>"$BENCH_RESULTS"
    log "appended to $BENCH_RESULTS"
fi
