#!/bin/sh
# cti-search --stats: what an index holds (articles, dates, undated ones,
# top authors and sources, language, where positions are kept, size on
# disk by part, last update, segments waiting to be merged), for people
# and as one JSON object; on
# the dated speeches, on undated corpus/, on shards, with a segment left.
set -eu
NAME=t37
. tests/lib/e2e.sh
S="$BIN/cti-search"

"$BIN/cti-index" -q --db "$T/sotu.cti" tests/data/sotu.jsonl
"$BIN/cti-index" -q --db "$T/c.cti" corpus/

# Check the JSON statistics of index $2 against what is on disk ($1: file).
check_json() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, os, sys, time
o = json.loads(open(sys.argv[1]).read())
db, kind = sys.argv[2], sys.argv[3]
keys = ["index", "articles", "dated", "undated", "first_date", "last_date",
        "language", "positions", "sources", "authors", "size", "databases",
        "segments_waiting", "shards", "remote", "updated"]
# "stories" only when the index clusters copies of one story
assert [k for k in o if k != "stories"] == keys, list(o)
assert "stories" not in o or 0 < o["stories"] <= o["articles"], o.get("stories")
assert o["dated"] + o["undated"] == o["articles"]
assert o["language"] == "english"
assert o["positions"] == "article"  # the default
assert set(o["size"]) == {"total", "text", "postings", "positions", "terms",
                          "spelling", "other"}
s = o["size"]
assert s["total"] == sum(v for k, v in s.items() if k != "total")
# every file of every database folder the stubs list, and nothing else
def listed(d):
    out = []
    for line in open(os.path.join(d, "XAPIANDB")):
        t, name = line.split(None, 1)
        p = os.path.join(d, name.strip())
        out += listed(p) if os.path.exists(os.path.join(p, "XAPIANDB")) else [p]
    return out
dbs = listed(db)
ondisk = sum(os.path.getsize(os.path.join(p, f)) for p in dbs for f in os.listdir(p)
             if os.path.isfile(os.path.join(p, f)))
assert s["total"] == ondisk, (s["total"], ondisk)
assert o["databases"] == len(dbs), (o["databases"], dbs)
for part in ("text", "postings", "terms"):
    assert s[part] > 0, part
# positions per article are values, in the postings table
assert (s["positions"] == 0) == (o["positions"] == "article"), s["positions"]
t = time.mktime(time.strptime(o["updated"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
assert abs(time.time() - t) < 3600, o["updated"]
if kind == "sotu":
    assert o["articles"] == 233 and o["undated"] == 0
    assert o["first_date"] == "1790" and o["last_date"] >= "2018"
    assert o["sources"] == []
    a = o["authors"]
    assert len(a) == 20 and a[0] == {"value": "Franklin D Roosevelt", "count": 12}, a[0]
    assert [x["count"] for x in a] == sorted((x["count"] for x in a), reverse=True)
    assert o["segments_waiting"] == 0 and o["shards"] == 0
if kind == "corpus":
    assert o["articles"] == 3 and o["undated"] == 3
    assert o["first_date"] is None and o["last_date"] is None
if kind == "shards":
    assert o["shards"] == 2 and o["databases"] == 2 and o["articles"] == 236
if kind == "segment":
    assert o["segments_waiting"] == 1 and o["databases"] == 2
    assert o["articles"] == 3 + 233
PY
}

echo "t37: the speeches: counts, dates, authors, sizes as on disk"
"$S" --db "$T/sotu.cti" --stats --json >"$T/s.json"
check_json "$T/s.json" "$T/sotu.cti" sotu || bad "SOTU --stats --json: $(cat "$T/s.json")"
"$S" --db "$T/sotu.cti" --stats >"$T/s"
for l in "articles       233" "dates          1790 to " "language       english" \
         "segments       none waiting to be merged" "top authors    Franklin D Roosevelt" \
         "top sources    none recorded" "  stored text  " "  positions    " "last update    " \
         "positions      per article (their size is in postings)"; do
    grep -q "^$l" "$T/s" || bad "no line '$l' in: $(cat "$T/s")"
done
grep -Eq "^size on disk   [0-9.]+ MB$" "$T/s" || bad "size: $(grep size "$T/s")"

echo "t37: corpus/: no dates, said so"
"$S" --db "$T/c.cti" --stats --json >"$T/c.json"
check_json "$T/c.json" "$T/c.cti" corpus || bad "corpus --stats --json: $(cat "$T/c.json")"
"$S" --db "$T/c.cti" --stats | grep -q "^dates          none: no article has a date" ||
    bad "corpus dates: $("$S" --db "$T/c.cti" --stats)"
"$S" --db "$T/c.cti" --stats | grep -q "^articles       3$" || bad "corpus articles"

echo "t37: shards are summed"
"$BIN/cti-index" -q --db "$T/sh.cti" --shards 2 tests/data/sotu.jsonl corpus/
"$S" --db "$T/sh.cti" --stats --json >"$T/sh.json"
check_json "$T/sh.json" "$T/sh.cti" shards || bad "shards: $(cat "$T/sh.json")"
"$S" --db "$T/sh.cti" --stats | grep -q "^index          .*sh.cti (2 shards)" || bad "shards line"

echo "t37: a segment listed but not merged is counted"
cp -r "$T/c.cti" "$T/seg.cti"
cp -r "$T/sotu.cti/$(awk '{ print $2 }' "$T/sotu.cti/XAPIANDB")" "$T/seg.cti/seg.7.0"
echo "auto seg.7.0" >>"$T/seg.cti/XAPIANDB"
"$S" --db "$T/seg.cti" --stats --json >"$T/seg.json"
check_json "$T/seg.json" "$T/seg.cti" segment || bad "segment: $(cat "$T/seg.json")"
"$S" --db "$T/seg.cti" --stats | grep -q "^segments       1 segment waiting to be merged" ||
    bad "segment line: $("$S" --db "$T/seg.cti" --stats | grep segments)"

echo "t37: --stats needs no query and takes none"
rc=0
"$S" --db "$T/c.cti" --stats campaign >/dev/null 2>"$T/e" || rc=$?
[ $rc -eq 2 ] && grep -q "takes no query" "$T/e" || bad "--stats with a query: exit $rc"

[ $fail -eq 0 ] && echo "t37: ok"
exit $fail
