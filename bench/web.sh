#!/bin/sh
# bench/web.sh - cti-web under load, on this machine: requests per second
# and latency (p50, p95) of the search page and of the JSON API, measured
# with ApacheBench (ab, keep-alive, several clients at once), and the
# server's memory (RSS) after 100 requests and after 10,000.
#
#   sh bench/web.sh [CORPUS_DIR]
#
# Without CORPUS_DIR: the 200 MB generated corpus of make bench
# ($BENCH_DIR/gen-200-s$BENCH_SEED, generated if missing or stale).
# make bench runs it at its end when BENCH_WEB=1.
#
# Environment (optional): O (build directory, default build), BENCH_DIR
# (scratch outside the repository, default /tmp/cti-bench), BENCH_SEED (1),
# WEB_CLIENTS (clients at once, default 4), WEB_REQUESTS (requests per
# measurement, default 1000), WEB_THREADS (cti-web --threads, default 4),
# WEB_DB (an index of the corpus to use instead of building one).
# Prints Markdown on stdout, progress on stderr.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
O=${O:-build}
case "$O" in /*) ;; *) O="$top/$O" ;; esac
BENCH_DIR=${BENCH_DIR:-/tmp/cti-bench}
BENCH_SEED=${BENCH_SEED:-1}
WEB_CLIENTS=${WEB_CLIENTS:-4}
WEB_REQUESTS=${WEB_REQUESTS:-1000}
WEB_THREADS=${WEB_THREADS:-4}
PY=${BENCH_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3

log() { echo "web: $(date -u +%H:%M:%S) $*" >&2; }
[ -x "$O/cti-index" ] && [ -x "$O/cti-web" ] || { echo "web: build first (make O=$O)" >&2; exit 2; }
for t in ab curl; do
    command -v $t >/dev/null 2>&1 ||
        { echo "web: $t not installed (scripts/deps.sh bench installs apache2-utils and curl)" >&2; exit 2; }
done
case "$BENCH_DIR" in
"$top"|"$top"/*) echo "web: BENCH_DIR must be outside the repository" >&2; exit 2 ;;
esac
mkdir -p "$BENCH_DIR"

CORPUS=${1:-}
if [ -z "$CORPUS" ]; then
    name="gen-200-s$BENCH_SEED"
    CORPUS="$BENCH_DIR/$name"
    want="mb=200 seed=$BENCH_SEED gen=$(sha256sum "$here/gen-corpus" | cut -c1-16)"
    if ! [ -d "$CORPUS" ] || [ "$(cat "$BENCH_DIR/$name.ok" 2>/dev/null)" != "$want" ]; then
        log "generating the 200 MB corpus into $CORPUS"
        rm -rf "$CORPUS" "$CORPUS.tmp" "$BENCH_DIR/$name.ok"
        "$PY" "$here/gen-corpus" --mb 200 --seed "$BENCH_SEED" --out "$CORPUS.tmp"
        mv "$CORPUS.tmp" "$CORPUS"
        echo "$want" >"$BENCH_DIR/$name.ok"
    fi
fi
[ -e "$CORPUS" ] || { echo "web: no corpus at $CORPUS" >&2; exit 2; }

W=$(mktemp -d "$BENCH_DIR/web.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM

DB=${WEB_DB:-$W/idx}
if [ -z "${WEB_DB:-}" ]; then
    log "indexing $CORPUS"
    "$O/cti-index" -q --db "$DB" "$CORPUS"
fi
"$O/cti-web" --db "$DB" --listen 127.0.0.1:0 --threads "$WEB_THREADS" \
    --max-connections 256 >"$W/out" 2>"$W/err" &
pid=$!
i=0
while ! grep -q ' at http' "$W/out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] && kill -0 "$pid" 2>/dev/null || { echo "web: cti-web did not start: $(cat "$W/err")" >&2; exit 1; }
    sleep 0.1
done
URL=$(sed -n 's/.* at //p' "$W/out")
URL=${URL%/}
articles=$(curl -s "$URL/" | sed -n 's/.*<h1>Search \([0-9,]*\) article.*/\1/p')

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
served=0
# ab_run N PATH: N requests to PATH; the report in $W/ab.
ab_run() {
    ab -q -k -n "$1" -c "$WEB_CLIENTS" "$URL$2" >"$W/ab" 2>&1 ||
        { echo "web: ab failed on $2: $(tail -3 "$W/ab")" >&2; exit 1; }
    # ab counts a reply of another length than the first as failed: pages
    # differ in length (the time taken is on them); count the rest.
    bad=$(sed -n 's/^ *(Connect: \([0-9]*\), Receive: \([0-9]*\), Length: [0-9]*, Exceptions: \([0-9]*\)).*/\1 \2 \3/p;
                  s/^Non-2xx responses: *\([0-9]*\).*/\1/p' "$W/ab" |
          awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
    [ "$bad" -eq 0 ] || { echo "web: $bad failed requests on $2" >&2; exit 1; }
    served=$((served + $1))
}

# The queries: a few of bench/queries.txt, from rare to common.
queries='Lina+Khan+AND+antitrust
%22federal+reserve%22
tax+reform
government'

log "warming up: 100 requests, every route and query"
for route in / /api/search; do
    for q in $queries; do ab_run 12 "$route?q=$q"; done
done
ab_run 4 "/?q=Lina+Khan"
rss100=$(rss_mb)

echo "## cti-web (bench/web.sh)"
echo
echo "Corpus $(basename "$CORPUS") ($articles articles); cti-web --threads $WEB_THREADS;"
echo "ab -k -c $WEB_CLIENTS, $WEB_REQUESTS requests per line; latency in ms."
echo
echo "| route | query | requests/s | p50 | p95 |"
echo "|---|---|---|---|---|"
for route in / /api/search; do
    for q in $queries; do
        log "$route?q=$q: $WEB_REQUESTS requests"
        ab_run "$WEB_REQUESTS" "$route?q=$q"
        rps=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$W/ab")
        p50=$(awk '$1 == "50%" { print $2 }' "$W/ab")
        p95=$(awk '$1 == "95%" { print $2 }' "$W/ab")
        shown=$(printf '%s' "$q" | sed 's/+/ /g; s/%22/"/g')
        echo "| \`$route\` | \`$shown\` | $rps | $p50 | $p95 |"
    done
done
while [ $served -lt 10000 ]; do
    for route in / /api/search; do
        for q in $queries; do
            [ $served -lt 10000 ] || break
            ab_run 125 "$route?q=$q"
        done
    done
done
rss10k=$(rss_mb)
echo
echo "Memory of cti-web (RSS): $rss100 MB after 100 requests, $rss10k MB after $served."
log "done: RSS $rss100 MB after 100 requests, $rss10k MB after $served"
