#!/bin/sh
# cti-index's summary and notices: every count --json reports is in the
# human line, nouns agree with numbers, sizes and rates are in units that
# fit; a file passed over (a .pdf, an empty file) is noticed once, when it
# is new or changed, and counted in every summary.
set -eu
NAME=t26
. tests/lib/e2e.sh
I="$BIN/cti-index"

mkdir "$T/in"
printf 'Hello\n\nsome words here\n' >"$T/in/a.txt"
printf -- '---\ntitle: Bad date\ndate: sometime soon\n---\nbody words\n' >"$T/in/baddate.txt"
: >"$T/in/empty.txt"
printf '%%PDF-1.4 not text' >"$T/in/doc.pdf"

echo "t26: the first run: each passed-over file noticed, every count in the summary"
"$I" --db "$T/db" "$T/in" 2>"$T/e1"
grep -q "empty.txt: empty file, skipped" "$T/e1" || bad "no notice for empty.txt: $(cat "$T/e1")"
grep -q "doc.pdf: not a text file" "$T/e1" || bad "no notice for doc.pdf: $(cat "$T/e1")"
sum=$(tail -1 "$T/e1")
case $sum in
"cti-index: 2 added, 0 updated, 0 unchanged, 0 removed, 0 failed, 1 warning, 2 passed over, 1 undated; 2 articles in the index; "*" bytes in "*" ms ("*"/s)") ;;
*) bad "summary: $sum" ;;
esac
"$I" --db "$T/j" --json "$T/in" 2>/dev/null | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
assert s["skipped"] == 2 and s["warnings"] == 1 and s["articles"] == 2, s' ||
    bad "--json counts"

echo "t26: again: silence about the same files, still counted"
"$I" --db "$T/db" "$T/in" 2>"$T/e2"
[ "$(wc -l <"$T/e2")" -eq 1 ] || bad "second run said more than its summary: $(cat "$T/e2")"
grep -q ", 2 passed over; " "$T/e2" || bad "second summary: $(cat "$T/e2")"

echo "t26: a changed file is noticed again, alone"
sleep 1
touch "$T/in/empty.txt"
printf '%%PDF-1.5 a longer one' >"$T/in/doc.pdf"
"$I" --db "$T/db" "$T/in" 2>"$T/e3"
grep -q "empty.txt: empty file" "$T/e3" || bad "touched empty.txt not noticed"
grep -q "doc.pdf: not a text file" "$T/e3" || bad "changed doc.pdf not noticed"
[ "$(wc -l <"$T/e3")" -eq 3 ] || bad "third run: $(cat "$T/e3")"

echo "t26: a file gone is forgotten; one that comes back is new"
rm "$T/in/doc.pdf"
"$I" --db "$T/db" "$T/in" 2>"$T/e4"
grep -q ", 1 passed over; " "$T/e4" || bad "after removal: $(cat "$T/e4")"
printf '%%PDF-1.5 a longer one' >"$T/in/doc.pdf"
"$I" --db "$T/db" "$T/in" 2>"$T/e5"
grep -q "doc.pdf: not a text file" "$T/e5" || bad "doc.pdf back, not noticed: $(cat "$T/e5")"

echo "t26: the same file under another index is noticed there too; --quiet says nothing"
"$I" --db "$T/other" "$T/in/doc.pdf" 2>"$T/e6" || true
grep -q "doc.pdf: not a text file" "$T/e6" || bad "another index: $(cat "$T/e6")"
"$I" -q --db "$T/q" "$T/in" 2>"$T/e7"
[ -s "$T/e7" ] && bad "--quiet printed: $(cat "$T/e7")"

echo "t26: one article: singular, and a size in bytes"
mkdir "$T/one"
printf 'One\n\nonly one\n' >"$T/one/x.txt"
"$I" --db "$T/one.cti" "$T/one" 2>"$T/e8"
grep -q "; 1 article in the index; [0-9]* bytes in [0-9.]* ms (" "$T/e8" || bad "one article: $(cat "$T/e8")"
grep -q "1 added, .*0 warnings, 0 passed over" "$T/e8" || bad "one article counts: $(cat "$T/e8")"

echo "t26: the progress line: of the total, a percentage, the time left"
"$I" --progress --db "$T/prog.cti" tests/data/sotu 2>"$T/p" >/dev/null
total=$(du -b --apparent-size -c tests/data/sotu/* | tail -1 | cut -f1)
python3 - "$T/p" "$total" <<'PY' || bad "progress line: $(tr '\r' '\n' <"$T/p" | tail -3)"
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
lines = [l.replace("\x1b[K", "") for l in re.split(r"[\r\n]", text)]
rows = [l for l in lines if " of " in l and "%)" in l]
assert rows, "no progress line with a total"
pcts = [int(re.search(r"\((\d+)%\)", l).group(1)) for l in rows]
assert pcts == sorted(pcts) and 0 <= pcts[0] and pcts[-1] <= 100, pcts
total = float(re.search(r" of ([\d.]+) MB", rows[0]).group(1))
assert abs(total - int(sys.argv[2]) / 1e6) < 0.06, (total, sys.argv[2])
assert all(("left" in l) or ("finishing" in l) or l.endswith("/s") for l in rows)
PY
"$I" --progress --db "$T/prog2.cti" - <tests/data/sotu.jsonl 2>"$T/p2" >/dev/null
if tr '\r' '\n' <"$T/p2" | grep -q " of .*%)"; then bad "a total for standard input"; fi
tr '\r' '\n' <"$T/p2" | grep -Eq "new, .* unchanged; [0-9.]+ (bytes|KB|MB), " ||
    bad "stdin progress: $(tr '\r' '\n' <"$T/p2" | head -3)"

[ $fail -eq 0 ] && echo "t26: ok"
exit $fail
