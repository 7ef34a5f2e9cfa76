#!/bin/sh
# cti-search --facet: counts over every match by period, source and author,
# on the State of the Union speeches (dated) and on corpus/ (undated); the
# bars of the timeline line up on terminals 80 and 200 columns wide.
set -eu
NAME=t35
. tests/lib/e2e.sh
S="$BIN/cti-search"
. tests/lib/tty.sh

"$BIN/cti-index" -q --db "$T/sotu.cti" tests/data/sotu.jsonl
"$BIN/cti-index" -q --db "$T/c.cti" corpus/

echo "t35: counts are over every match, as -c counts them"
n=$("$S" --db "$T/sotu.cti" -c slavery)
"$S" --db "$T/sotu.cti" --json --facet date:year --facet date:decade \
    --facet author --facet-limit 5 -n 1 slavery >"$T/f.json"
python3 - "$T/f.json" "$n" <<'PY' || fail=1
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, "one object: %d lines" % len(lines)
o = json.loads(lines[0])
n = int(sys.argv[2])
assert o["query"] == "slavery" and o["matches"] == n, (o["matches"], n)
f = o["facets"]
assert list(f) == ["date:year", "date:decade", "author"], list(f)
years = f["date:year"]["values"]
# every year from the first to the last, one speech a year at most
ys = [int(v["value"]) for v in years]
assert ys == list(range(ys[0], ys[-1] + 1)), "years skipped"
assert sum(v["count"] for v in years) == n
assert any(v["count"] == 0 for v in years), "no empty year shown"
assert f["date:year"]["missing"] == 0 and f["date:year"]["coarse"] == 0
dec = f["date:decade"]["values"]
assert sum(v["count"] for v in dec) == n and dec[0]["value"].endswith("0s")
au = f["author"]
assert len(au["values"]) == 5 and au["distinct"] > 5
counts = [v["count"] for v in au["values"]]
assert counts == sorted(counts, reverse=True), counts
assert au["values"][0] == {"value": "Ulysses S Grant", "count": 5}, au["values"][0]
PY

echo "t35: a month facet of speeches dated only by year says so"
"$S" --db "$T/sotu.cti" --facet date:month slavery >"$T/m" || bad "month facet failed"
grep -q "^date:month  $n matching articles" "$T/m" || bad "month header: $(cat "$T/m")"
grep -q "^$n articles dated only to a year" "$T/m" || bad "month note: $(cat "$T/m")"

echo "t35: a facet over zero matches: a header, an empty object, exit 1"
rc=0
"$S" --db "$T/sotu.cti" --facet date:year zebracornish >"$T/z" 2>"$T/ze" || rc=$?
[ $rc -eq 1 ] || bad "zero matches: exit $rc"
grep -q "^date:year  0 matching articles" "$T/z" || bad "zero matches: $(cat "$T/z")"
rc=0
"$S" --db "$T/sotu.cti" --json --facet source zebracornish >"$T/zj" 2>/dev/null || rc=$?
[ $rc -eq 1 ] || bad "zero matches --json: exit $rc"
python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["matches"] == 0 and o["facets"]["source"]["values"] == []' "$T/zj" ||
    bad "zero matches JSON: $(cat "$T/zj")"

echo "t35: a date facet over an index without dates says so"
"$S" --db "$T/c.cti" --facet date:month --facet source campaign >"$T/u" ||
    bad "undated facet failed"
grep -q "^date:month  3 matching articles, none of them with a date" "$T/u" ||
    bad "undated: $(cat "$T/u")"
grep -q "^source  3 matching articles, none with a source" "$T/u" ||
    bad "no sources: $(cat "$T/u")"
"$S" --db "$T/c.cti" --json --facet date:day campaign | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())["facets"]["date:day"]
assert o["values"] == [] and o["missing"] == 3, o' || bad "undated JSON"

echo "t35: in a pipe, aligned labels and counts, no bars"
"$S" --db "$T/sotu.cti" --facet date:decade slavery >"$T/p"
if grep -q "$(printf '\342\226')" "$T/p"; then bad "bars in a pipe"; fi
sed -n 2p "$T/p" | grep -Eq '^[0-9]{4}s +[0-9]+$' || bad "pipe row: $(sed -n 2p "$T/p")"

# Check the screen 'file' of a terminal 'width' columns wide: the rows of
# each facet have their counts right-aligned in one column, their bars
# start in one column, the longest bar ends one column before the edge,
# each bar is as long as its count says (to an eighth), and no line is
# wider than the terminal.
check_screen() {
    python3 - "$1" "$2" <<'PY'
import re, sys, unicodedata
text = open(sys.argv[1], encoding="utf-8").read()
width = int(sys.argv[2])
lines = text.rstrip("\n").split("\n")
def cols(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
EIGHTHS = {chr(0x2588): 8, chr(0x2589): 7, chr(0x258A): 6, chr(0x258B): 5,
           chr(0x258C): 4, chr(0x258D): 3, chr(0x258E): 2, chr(0x258F): 1}
for l in lines:
    assert cols(l) <= width, "line wider than %d: %r" % (width, l)
blocks, cur = [], None
for l in lines:
    if re.match(r"^(date:\S+|author|source)  ", l):
        cur = []
        blocks.append(cur)
    elif cur is not None and re.search(r"\d( |$)", l) and l.strip():
        m = re.match(r"^(.*?\S) +([\d,]+)(?:( +)(\S+))?$", l)
        if m and (m.group(4) is None or set(m.group(4)) <= set(EIGHTHS)):
            assert m.group(3) in (None, " "), "bar not one space after its count: %r" % l
            cur.append((l, m))
assert blocks and all(len(b) >= 3 for b in blocks), "facets not found:\n" + text
for rows in blocks:
    count_end = {cols(l[:m.end(2)]) for l, m in rows}
    assert len(count_end) == 1, "counts not aligned: %s" % count_end
    starts = {cols(l[:m.start(4)]) for l, m in rows if m.group(4)}
    assert len(starts) == 1, "bars not aligned: %s" % starts
    start = starts.pop()
    bar_cols = width - 1 - start
    top = max(int(m.group(2).replace(",", "")) for l, m in rows)
    for l, m in rows:
        n = int(m.group(2).replace(",", ""))
        bar = m.group(4) or ""
        assert (n == 0) == (bar == ""), "count %d with bar %r" % (n, bar)
        e = sum(EIGHTHS[c] for c in bar)
        want = max(1, round(n * bar_cols * 8 / top)) if n else 0
        assert abs(e - want) <= 1, "count %d: %d eighths, want %d" % (n, e, want)
        if n == top:
            assert start + len(bar) == width - 1, "longest bar ends at %d" % (start + len(bar))
print("%d facets, %d rows checked" % (len(blocks), sum(len(b) for b in blocks)))
PY
}

for w in 80 200; do
    echo "t35: bars line up on a terminal $w columns wide"
    cti_tty "$w" 60 "unset NO_COLOR; $S --db $T/sotu.cti --facet date:decade \
        --facet author --facet-limit 12 slavery" >"$T/screen$w" ||
        { bad "tmux could not run"; continue; }
    check_screen "$T/screen$w" "$w" || { bad "$w columns:"; cat "$T/screen$w" >&2; }
done
grep -q "more not shown (--facet-limit)" "$T/screen80" || bad "no note of the names left out"

[ $fail -eq 0 ] && echo "t35: ok"
exit $fail
