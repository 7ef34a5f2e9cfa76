#!/bin/sh
# cti-search -l / --files-with-matches: the id of every match, one a line,
# in --sort order, on thousands of matches; -n and --offset page it; JSON
# lines with --json; nothing and exit 1 when nothing matches.  --count
# --json is an object.
set -eu
NAME=t36
. tests/lib/e2e.sh
S="$BIN/cti-search"

# 6000 short dated articles; "common" is in 5000 of them, "rare" in 7.
python3 - "$T/many.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(6000):
        words = ["common"] if i % 6 else ["other"]
        if i % 857 == 5:
            words.append("rare")
        words += ["word%d" % (i % 50)] * (1 + i % 5)
        f.write(json.dumps({"id": "n%05d" % i, "title": "Article %d" % i,
                            "date": "%04d-%02d-%02d" % (2000 + i % 20, 1 + i % 12, 1 + i % 28),
                            "text": " ".join(words)}) + "\n")
PY
"$BIN/cti-index" -q --db "$T/many.cti" "$T/many.jsonl"
"$BIN/cti-index" -q --db "$T/sotu.cti" tests/data/sotu.jsonl

echo "t36: every match, once, as many as -c counts"
"$S" --db "$T/many.cti" -l common >"$T/l"
n=$(wc -l <"$T/l")
[ "$n" -eq 5000 ] || bad "-l common: $n lines, want 5000"
[ "$(sort -u "$T/l" | wc -l)" -eq 5000 ] || bad "-l printed an id twice"
[ "$("$S" --db "$T/many.cti" -c common)" -eq 5000 ] || bad "-c common"
python3 - "$T/l" <<'PY' || bad "-l ids are not the matching articles"
import sys
got = set(open(sys.argv[1]).read().split())
want = {"n%05d" % i for i in range(6000) if i % 6}
assert got == want, (len(got - want), len(want - got))
PY

echo "t36: in relevance order by default, as the search ranks them"
"$S" --db "$T/many.cti" --json -n 30 common | python3 -c '
import json, sys
print("\n".join(json.loads(l)["id"] for l in sys.stdin))' >"$T/top"
head -30 "$T/l" | cmp -s - "$T/top" || bad "-l order differs from the search's"

echo "t36: --sort date and -date"
"$S" --db "$T/many.cti" -l --sort date common >"$T/ld"
"$S" --db "$T/many.cti" -l --sort -date common >"$T/ldd"
python3 - "$T/ld" "$T/ldd" <<'PY' || bad "--sort not honoured"
import sys
def date(i):
    i = int(i[1:])
    return "%04d%02d%02d" % (2000 + i % 20, 1 + i % 12, 1 + i % 28)
up = open(sys.argv[1]).read().split()
down = open(sys.argv[2]).read().split()
assert len(up) == len(down) == 5000
assert [date(i) for i in up] == sorted(date(i) for i in up), "date order"
assert [date(i) for i in down] == sorted((date(i) for i in down), reverse=True), "-date order"
PY

echo "t36: -n and --offset page the list"
"$S" --db "$T/many.cti" -l -n 10 --offset 20 common >"$T/page"
sed -n 21,30p "$T/l" | cmp -s - "$T/page" || bad "-n 10 --offset 20 is not lines 21-30"

echo "t36: --json: one object a line with rank and id"
"$S" --db "$T/many.cti" -l --json rare >"$T/lj"
python3 - "$T/lj" <<'PY' || bad "-l --json"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1)), rows
assert sorted(r["id"] for r in rows) == sorted("n%05d" % i for i in range(6000)
                                              if i % 857 == 5), rows
assert all(list(r) == ["rank", "id"] for r in rows)
PY

echo "t36: nothing matches: no output, exit 1"
rc=0
"$S" --db "$T/many.cti" -l zebracornish >"$T/none" 2>/dev/null || rc=$?
[ $rc -eq 1 ] || bad "-l with no match: exit $rc"
[ -s "$T/none" ] && bad "-l with no match printed $(head -2 "$T/none")"

echo "t36: file ids are paths ready for xargs; SOTU ids as stored"
"$BIN/cti-index" -q --db "$T/c.cti" corpus/
"$S" --db "$T/c.cti" -l campaign >"$T/paths"
[ "$(wc -l <"$T/paths")" -eq 3 ] || bad "corpus -l: $(cat "$T/paths")"
tr '\n' '\0' <"$T/paths" | xargs -0 cat | grep -q "Lina Khan" || bad "xargs cat of the paths"
"$S" --db "$T/sotu.cti" -l --sort date slavery | head -1 | grep -qx "sotu-1816_james_madison_dr" ||
    bad "SOTU -l --sort date: $("$S" --db "$T/sotu.cti" -l --sort date slavery | head -1)"

echo "t36: --count --json is an object"
[ "$("$S" --db "$T/many.cti" --count --json common)" = '{"matches":5000}' ] ||
    bad "--count --json: $("$S" --db "$T/many.cti" --count --json common)"
rc=0
out=$("$S" --db "$T/many.cti" --count --json zebracornish 2>/dev/null) || rc=$?
[ "$out" = '{"matches":0}' ] && [ $rc -eq 1 ] || bad "--count --json, no match: $out (exit $rc)"

[ $fail -eq 0 ] && echo "t36: ok"
exit $fail
