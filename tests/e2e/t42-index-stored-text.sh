#!/bin/sh
# Stored text kept apart, compressed with zstd: a dictionary is trained
# from the first articles of an index and used by every text after it,
# also by a later run; every article reads back exactly; a text whose
# dictionary is missing is said out loud; --zlib-level keeps texts in
# their records as before.
set -eu
NAME=t42
. tests/lib/e2e.sh
S="$BIN/cti-search"

# What the index holds: "dicts=N current=ID with=N alone=N none=N", N
# articles whose frame names the current dictionary, none, or that have
# no text apart.
# python3-xapian is Debian's: for the system python3.
texts() {
    /usr/bin/python3 - "$1" <<'PY'
import sys, xapian
db = xapian.Database(sys.argv[1])
keys = [k.decode() for k in db.metadata_keys("cti.text.dict.")]
cur = db.get_metadata("cti.text.dict").decode()
def dict_id(f):
    # zstd frame: magic, header descriptor, [window], dictionary id
    if f[:4] != b"\x28\xb5\x2f\xfd":
        return None
    fhd = f[4]
    size = [0, 1, 2, 4][fhd & 3]
    at = 5 + (0 if fhd & 0x20 else 1)
    return int.from_bytes(f[at:at + size], "little") if size else 0
n = {"with": 0, "alone": 0, "none": 0}
for d in range(1, db.get_lastdocid() + 1):
    try:
        f = db.get_document(d).get_value(3)
    except xapian.DocNotFoundError:
        continue
    i = dict_id(f) if f else None
    if i is None:
        n["none"] += 1
    elif i and "%08x" % i == cur:
        n["with"] += 1
    else:
        n["alone"] += 1
print("dicts=%d current=%s with=%d alone=%d none=%d" %
      (len(keys), cur or "-", n["with"], n["alone"], n["none"]))
PY
}

# Every speech of tests/data/sotu.jsonl reads back from index $1 with
# --show exactly as it was given.
readback() {
    python3 - "$S" "$1" <<'PY'
import json, re, subprocess, sys
S, db = sys.argv[1], sys.argv[2]
arts = [json.loads(l) for l in open("tests/data/sotu.jsonl", encoding="utf-8")]
# --show prints a control character as a space (t34 checks that)
ctl = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
for a in arts:
    out = subprocess.run([S, "--db", db, "--json", "--show", a["id"]],
                         capture_output=True, text=True, check=True).stdout
    o = json.loads(out)
    want = ctl.sub(" ", a["text"].strip())
    assert o["text"] == want, "text of %s differs" % a["id"]
PY
}

echo "t42: the first articles train a dictionary, the rest use it"
"$BIN/cti-index" -q --db "$T/s.cti" tests/data/sotu.jsonl
got=$(texts "$T/s.cti")
echo "t42:   $got"
case $got in
dicts=1\ current=????????\ with=*) ;;
*) bad "one dictionary expected: $got" ;;
esac
with=$(echo "$got" | sed 's/.* with=\([0-9]*\).*/\1/')
alone=$(echo "$got" | sed 's/.* alone=\([0-9]*\).*/\1/')
[ "$with" -ge 150 ] || bad "few texts use the dictionary: $got"
[ "$alone" -ge 32 ] || bad "the samples should be compressed alone: $got"
[ $((with + alone)) -eq 233 ] || bad "every speech has its text apart: $got"

echo "t42: every article reads back exactly, with or without the dictionary"
readback "$T/s.cti" || bad "a text of the index differs"
hits=$("$S" --db "$T/s.cti" -n 3 '"hired laborer"' 2>"$T/err")
echo "$hits" | grep -q '\[hired laborer\]' || bad "no snippet: $hits"
[ -s "$T/err" ] && bad "stderr: $(cat "$T/err")"

echo "t42: a later run takes the index's dictionary up"
before=$(echo "$got" | sed 's/.* current=\([0-9a-f]*\).*/\1/')
"$BIN/cti-index" -q --db "$T/s.cti" corpus/
got2=$(texts "$T/s.cti")
echo "t42:   $got2"
with2=$(echo "$got2" | sed 's/.* with=\([0-9]*\).*/\1/')
case $got2 in
"dicts=1 current=$before "*) ;;
*) bad "the same dictionary expected ($before): $got2" ;;
esac
[ "$with2" -eq $((with + 3)) ] || bad "the new articles use it: $got2"
"$S" --db "$T/s.cti" -n 1 'Lina Khan' 2>"$T/err" | grep -q '\[Khan\]' ||
    bad "no snippet from a new article"

echo "t42: the dictionary is also a file a search maps; either copy serves"
dict_len=$(/usr/bin/python3 -c '
import sys, xapian
db = xapian.Database(sys.argv[1])
print(len(db.get_metadata("cti.text.dict." + sys.argv[2])))
' "$T/s.cti" "$before")
[ -f "$T/s.cti/text-dict-$before" ] &&
[ "$(wc -c <"$T/s.cti/text-dict-$before")" -eq "$dict_len" ] ||
    bad "no file of the dictionary $before of its $dict_len bytes"
mv "$T/s.cti/text-dict-$before" "$T/dict.keep"
readback "$T/s.cti" || bad "without the file, a text differs"
printf 'junk' >"$T/s.cti/text-dict-$before"
readback "$T/s.cti" || bad "with a file that is not the dictionary, a text differs"
rm "$T/s.cti/text-dict-$before"
"$BIN/cti-index" -q --db "$T/s.cti" corpus/
cmp -s "$T/s.cti/text-dict-$before" "$T/dict.keep" ||
    bad "a later run does not write the file again"

echo "t42: a damaged file is named, and the next run writes it again"
python3 - "$T/s.cti/text-dict-$before" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
for i in range(len(b) // 2, len(b)):   # the content, not the header and tables
    b[i] ^= 0x55
open(p, "wb").write(bytes(b))
PY
rc=0
"$S" --db "$T/s.cti" --show sotu-2020_donald_j_trump_r >/dev/null 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || bad "--show with a damaged dictionary file exits $rc"
grep -q "dictionary file text-dict-$before, which may be damaged" "$T/err" ||
    bad "the damaged file is not named: $(cat "$T/err")"
"$BIN/cti-index" -q --db "$T/s.cti" corpus/
cmp -s "$T/s.cti/text-dict-$before" "$T/dict.keep" ||
    bad "a later run does not mend a damaged file"
readback "$T/s.cti" || bad "after the mend, a text differs"

# set_dict VALUE: the metadata of the dictionary the index named first
# ($before) becomes VALUE ("": gone).
set_dict() {
    /usr/bin/python3 - "$T/s.cti" "$before" "$1" <<'PY'
import sys, xapian
db = xapian.WritableDatabase(sys.argv[1])
db.set_metadata("cti.text.dict." + sys.argv[2], sys.argv[3])
db.commit()
PY
}

echo "t42: the file alone serves when the metadata lost the dictionary"
set_dict ""
readback "$T/s.cti" || bad "with the file alone, a text differs"

echo "t42: a dictionary missing from the index is said, the hits still shown"
rm "$T/s.cti/text-dict-$before"
set +e
"$S" --db "$T/s.cti" -n 3 'Khan' >"$T/out" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 0 ] || bad "a search with unreadable texts exits $rc"
grep -q "dictionary $before is missing" "$T/err" || bad "stderr: $(cat "$T/err")"
grep -q "Kamala Harris" "$T/out" || bad "the hit's title is gone: $(cat "$T/out")"
set +e
"$S" --db "$T/s.cti" --show sotu-2020_donald_j_trump_r >"$T/out" 2>"$T/err"
rc=$?
set -e
[ $rc -ne 0 ] || bad "--show of an unreadable text succeeded"
grep -q "dictionary $before is missing" "$T/err" || bad "--show stderr: $(cat "$T/err")"
"$S" --db "$T/s.cti" -n 3 --json 'Khan' >"$T/out" 2>/dev/null || true
grep -q "\"problem\": *\"bad stored text: its dictionary $before is missing" "$T/out" ||
    bad "--json carries no problem: $(head -c 400 "$T/out")"

echo "t42: cti-web shows why a hit has no snippet, on the page and in JSON"
"$BIN/cti-web" --listen 127.0.0.1:0 --db "$T/s.cti" >"$T/web.out" 2>"$T/web.err" &
web=$!
trap 'kill $web 2>/dev/null || true; wait $web 2>/dev/null || true; rm -rf "$T"' EXIT INT TERM
i=0
while ! grep -q ' at http' "$T/web.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $web 2>/dev/null; then
        bad "cti-web did not start: $(cat "$T/web.err")"
        break
    fi
    sleep 0.1
done
URL=$(sed -n 's/.* at //p' "$T/web.out")
URL=${URL%/}
curl -s --max-time 30 -o "$T/page" "$URL/?q=Khan" || true
grep -q "class=\"problem\" role=\"alert\">bad stored text: its dictionary $before is missing" "$T/page" ||
    bad "the page does not say why: $(grep -o 'class="hit".\{0,300\}' "$T/page" | head -c 400)"
grep -q "Kamala Harris" "$T/page" || bad "the page lost the hit's title"
curl -s --max-time 30 -o "$T/api" "$URL/api/search?q=Khan" || true
grep -q "\"problem\": *\"bad stored text: its dictionary $before is missing" "$T/api" ||
    bad "/api/search carries no problem: $(head -c 400 "$T/api")"
kill $web 2>/dev/null || true
wait $web 2>/dev/null || true

echo "t42: indexing over a missing dictionary warns, and trains a new one"
printf 'Zorvex tariffs on steel return, the trade office said.\n' >"$T/tariffs.txt"
rc=0
"$BIN/cti-index" --no-progress --json --db "$T/s.cti" "$T/tariffs.txt" >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 0 ] || bad "indexing over a missing dictionary exits $rc: $(cat "$T/err")"
grep -q "warning: index '.*': its text dictionary $before is missing (metadata key cti.text.dict.$before)" "$T/err" ||
    bad "no warning names the missing dictionary: $(cat "$T/err")"
grep -q '"warnings":1' "$T/out" || bad "the summary counts no warning: $(cat "$T/out")"
"$S" --db "$T/s.cti" -n 1 'Zorvex' 2>"$T/err" | grep -q '\[Zorvex\]' ||
    bad "the new article shows no snippet: $(cat "$T/err")"
rm "$T/tariffs.txt"

echo "t42: a damaged dictionary stops cti-index and is named by cti-search"
set_dict "junk bytes"
rc=0
printf 'A new article about tariffs.\n' >"$T/new.txt"
"$BIN/cti-index" -q --db "$T/s.cti" "$T/new.txt" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || bad "indexing with a damaged dictionary exits $rc"
grep -q "text dictionary $before is damaged" "$T/err" || bad "cti-index stderr: $(cat "$T/err")"
"$S" --db "$T/s.cti" -n 3 'Khan' >/dev/null 2>"$T/err" || true
grep -q "dictionary $before is damaged" "$T/err" || bad "cti-search stderr: $(cat "$T/err")"

echo "t42: shards each train their own; a search over them reads every text"
"$BIN/cti-index" -q --shards 3 --db "$T/sh.cti" tests/data/sotu.jsonl
for sh in "$T"/sh.cti/shard-0*; do texts "$sh"; done >"$T/shards"
[ "$(sort -u "$T/shards" | grep -c '^dicts=1 ')" -eq 3 ] ||
    bad "three dictionaries expected: $(cat "$T/shards")"
readback "$T/sh.cti" || bad "a text of the sharded index differs"
"$S" --db "$T/sh.cti" -n 233 government >/dev/null 2>"$T/err"
[ -s "$T/err" ] && bad "a search over shards: $(cat "$T/err")"

echo "t42: --zlib-level keeps the text in the record"
"$BIN/cti-index" -q --zlib-level 6 --db "$T/z.cti" tests/data/sotu.jsonl
got=$(texts "$T/z.cti")
case $got in
"dicts=0 current=- with=0 alone=0 none=233") ;;
*) bad "texts in records expected: $got" ;;
esac
"$S" --db "$T/z.cti" --json --show sotu-1861_abraham_lincoln_r |
    python3 -c 'import json,sys; assert len(json.load(sys.stdin)["text"]) > 10000' ||
    bad "--show of a record's text"

exit $fail
