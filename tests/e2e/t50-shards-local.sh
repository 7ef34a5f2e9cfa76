#!/bin/sh
# An index built as 3 shards answers like the same index built as one
# database: same hits in the same order (BM25 statistics are global), same
# counts, snippets, date sorting and paging.  Re-running is incremental per
# shard, an update goes to the shard holding the article, and --compact
# merges the shards into one database.
set -eu
NAME=t50
. tests/lib/e2e.sh
IDX=$BIN/cti-index
SRCH=$BIN/cti-search
fail() { echo "t50: FAIL: $*" >&2; exit 1; }

# A quarter of the State of the Union addresses as JSON lines (dated),
# and a few as text files (for updates and removals).
mkdir "$T/corpus"
awk 'NR % 4 == 0' tests/data/sotu.jsonl > "$T/corpus/sotu.jsonl"
n=0
for f in tests/data/sotu/*.txt; do
    n=$((n + 1))
    [ $((n % 40)) -eq 0 ] && cp "$f" "$T/corpus/"
done
narticles=$(( $(wc -l < "$T/corpus/sotu.jsonl") + $(ls "$T/corpus" | grep -c '\.txt$') ))

echo "t50: index as one database and as 3 shards"
timeout 120 "$IDX" -q --db "$T/one" "$T/corpus"
timeout 120 "$IDX" -q --db "$T/three" --shards 3 "$T/corpus"
[ "$(cat "$T/three/XAPIANDB")" = "auto shard-00
auto shard-01
auto shard-02" ] || fail "the stub does not list the 3 shards"
for s in 0 1 2; do
    [ -f "$T/three/shard-0$s/XAPIANDB" ] || fail "shard-0$s missing"
done

# Hits of a query as "group id" lines: the group number grows when the
# score (rounded) changes, so tied hits may come in any order.
hits() {
    timeout 30 "$SRCH" --db "$1" --json -n 1000 "$2" | python3 -c '
import json, sys
g, last = 0, None
out = []
for line in sys.stdin:
    h = json.loads(line)
    s = h["score"]
    if last is None or abs(s - last) > 1e-9 * abs(s):
        g, last = g + 1, s
    out.append((g, h["id"]))
for g, i in sorted(out):
    print(g, i)
'
}

for q in 'union AND strength' '"federal government"' 'taxes NOT slavery' \
         'title:union' 'economy OR jobs OR employment' \
         'slavery NEAR/10 territory' 'depression OR recession' \
         'constitution -amendment'; do
    hits "$T/one" "$q" > "$T/a"
    hits "$T/three" "$q" > "$T/b"
    [ -s "$T/a" ] || fail "no hits for '$q' (the test needs some)"
    cmp -s "$T/a" "$T/b" || { diff "$T/a" "$T/b" | head >&2; fail "'$q' differs"; }
done
echo "t50: 8 queries rank alike"

# A wildcard is expanded, and its statistics estimated, per shard by
# Xapian 1.4: the same articles match, the order may differ slightly (and
# so may which copy of a story ranks first: every copy is listed here).
for d in one three; do
    timeout 30 "$SRCH" --db "$T/$d" --json -n 1000 --no-collapse 'tax* NOT slavery' |
        python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]' |
        sort > "$T/$d.ids"
done
[ -s "$T/one.ids" ] && cmp -s "$T/one.ids" "$T/three.ids" || fail "wildcard hits differ"

c1=$(timeout 30 "$SRCH" --db "$T/one" -c 'union OR war')
c3=$(timeout 30 "$SRCH" --db "$T/three" -c 'union OR war')
[ "$c1" = "$c3" ] && [ "$c1" -gt 10 ] || fail "counts differ: $c1 vs $c3"

# Snippets travel with the hit: the top hit's snippet is the same.
s1=$(timeout 30 "$SRCH" --db "$T/one" --json -n 1 '"state of the union"')
s3=$(timeout 30 "$SRCH" --db "$T/three" --json -n 1 '"state of the union"')
[ "$s1" = "$s3" ] || fail "top hit or snippet differs: $s1 / $s3"

# Sorting by date and paging.
timeout 30 "$SRCH" --db "$T/one" --json --sort date -n 500 'freedom' |
    python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]' > "$T/a"
timeout 30 "$SRCH" --db "$T/three" --json --sort date -n 500 'freedom' |
    python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]' > "$T/b"
[ "$(wc -l < "$T/a")" -gt 10 ] || fail "too few hits for the date sort"
cmp -s "$T/a" "$T/b" || fail "--sort date differs"
p1=$(timeout 30 "$SRCH" --db "$T/one" --json --sort date --offset 5 -n 5 'freedom' |
    python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]')
p3=$(timeout 30 "$SRCH" --db "$T/three" --json --sort date --offset 5 -n 5 'freedom' |
    python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin]')
[ "$p1" = "$p3" ] && [ "$p1" = "$(sed -n 6,10p "$T/a")" ] || fail "paging differs"
echo "t50: counts, snippets, date sort and paging agree"

# Incremental per shard: nothing to do, then one changed article.
out=$(timeout 60 "$IDX" --json -q --db "$T/three" "$T/corpus")
echo "$out" | grep -q '"added":0,' || fail "re-run added articles: $out"
echo "$out" | grep -q '"updated":0,' || fail "re-run updated articles: $out"
victim=$(ls "$T/corpus" | grep '\.txt$' | head -n 1)
printf '\nThe zyzzyva amendment was adopted.\n' >> "$T/corpus/$victim"
out=$(timeout 60 "$IDX" --json -q --db "$T/three" "$T/corpus")
echo "$out" | grep -q '"updated":1,' || fail "the change was not picked up: $out"
[ "$(timeout 30 "$SRCH" --db "$T/three" -c zyzzyva)" = 1 ] || fail "update not found"
total=$(timeout 30 "$SRCH" --db "$T/three" -c 'the')
[ "$total" = "$narticles" ] || fail "the update duplicated an article ($total, not $narticles)"
rm "$T/corpus/$victim"
timeout 60 "$IDX" -q --db "$T/three" "$T/corpus"
[ "$(timeout 30 "$SRCH" --db "$T/three" -c zyzzyva || true)" = 0 ] || fail "removal missed"
echo "t50: re-runs are incremental; update and removal reach the right shard"

# The number of shards never changes.
if timeout 30 "$IDX" -q --db "$T/three" --shards 2 "$T/corpus" 2> "$T/err"; then
    fail "--shards 2 accepted on a 3-shard index"
fi
grep -q "3 shards" "$T/err" || fail "unclear message: $(cat "$T/err")"
# Nor is one shard written on its own (its articles would bypass placement).
if timeout 30 "$IDX" -q --db "$T/three/shard-01" "$T/corpus" 2> "$T/err"; then
    fail "a shard was written on its own"
fi
grep -q "shard 1 of a sharded index" "$T/err" || fail "unclear message: $(cat "$T/err")"

# --compact merges the shards into one database; results stay the same.
hits "$T/three" 'economy OR jobs OR employment' > "$T/a"
timeout 120 "$IDX" -q --db "$T/three" --compact
[ "$(cat "$T/three/XAPIANDB")" = "glass db.1" ] || fail "not merged: $(cat "$T/three/XAPIANDB")"
[ ! -d "$T/three/shard-00" ] || fail "shard folders left behind"
hits "$T/three" 'economy OR jobs OR employment' > "$T/b"
cmp -s "$T/a" "$T/b" || fail "results changed after --compact"
out=$(timeout 60 "$IDX" --json -q --db "$T/three" "$T/corpus")
echo "$out" | grep -q '"added":0,' || fail "after --compact a re-run added articles: $out"
echo "t50: --compact merged the shards"
