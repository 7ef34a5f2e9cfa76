#!/bin/sh
# cti-search --show ID [QUERY]: the stored article whole, its fields first,
# its matches highlighted as in snippets; wrapped on a terminal, as stored
# in a pipe; an unknown id is exit 1 with a message naming it; file ids
# are hyperlinks in colour; --pager pages only when asked.
set -eu
NAME=t34
. tests/lib/e2e.sh
S="$BIN/cti-search"
ESC=$(printf '\033')
. tests/lib/tty.sh

"$BIN/cti-index" -q --db "$T/sotu.cti" tests/data/sotu.jsonl
"$BIN/cti-index" -q --db "$T/c.cti" corpus/
ID=sotu-1861_abraham_lincoln_r

echo "t34: the fields, then the stored text, the matches marked"
"$S" --db "$T/sotu.cti" --markers '<<,>>' --show "$ID" 'slaves OR "hired laborer"' >"$T/show"
python3 - "$T/show" "$ID" <<'PY' || fail=1
import json, re, sys
out = open(sys.argv[1], encoding="utf-8").read().split("\n")
art = next(json.loads(l) for l in open("tests/data/sotu.jsonl", encoding="utf-8")
           if json.loads(l)["id"] == sys.argv[2])
assert out[0] == art["title"], out[0]
assert out[1] == "Date:   1861" and out[2] == "Author: Abraham Lincoln", out[1:3]
assert out[3] == "Id:     " + sys.argv[2] and out[4] == "", out[3:5]
body = "\n".join(out[5:]).rstrip("\n")
# In a pipe the text is as stored: one line here, not wrapped.
assert "\n" not in body and len(body) > 10000
marked = re.findall(r"<<(.*?)>>", body)
assert body.replace("<<", "").replace(">>", "") == art["text"].strip(), "text differs"
# every form of the stem, and the phrase as one piece, nothing else
want = re.findall(r"\b(?:slaves?|hired? laborers?)\b", art["text"], re.I)
assert marked == want, (marked, want)
assert "hired laborer" in marked
PY

echo "t34: --json: one object, text and highlights as byte offsets into it"
"$S" --db "$T/sotu.cti" --json --show "$ID" 'slaves OR "hired laborer"' >"$T/show.json"
python3 - "$T/show.json" "$ID" <<'PY' || fail=1
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, len(lines)
o = json.loads(lines[0])
assert list(o) == ["id", "title", "date", "date_text", "author", "text", "highlights"], list(o)
art = next(json.loads(l) for l in open("tests/data/sotu.jsonl", encoding="utf-8")
           if json.loads(l)["id"] == sys.argv[2])
assert o["id"] == sys.argv[2] and o["date"] == "1861"
assert o["text"] == art["text"].strip(), "text differs"
b = o["text"].encode()
got = [b[s:e].decode() for s, e in o["highlights"]]
want = re.findall(r"\b(?:slaves?|hired? laborers?)\b", art["text"], re.I)
assert got == want, (got, want)
PY

echo "t34: without a query nothing is marked"
"$S" --db "$T/sotu.cti" --show sotu-1790_george_washington_n >"$T/plain"
grep -q '\[' "$T/plain" && bad "marks without a query"
[ "$(sed -n 6p "$T/plain" | cut -c1-25)" = "Fellow-Citizens of the Se" ] ||
    bad "text: $(sed -n 6p "$T/plain" | cut -c1-40)"

echo "t34: an unknown id: exit 1, the id named, nothing on stdout"
for fmt in "" --json; do
    rc=0
    "$S" --db "$T/sotu.cti" $fmt --show 'no such id' slavery >"$T/u" 2>"$T/ue" || rc=$?
    [ $rc -eq 1 ] || bad "unknown id $fmt: exit $rc"
    [ -s "$T/u" ] && bad "unknown id $fmt: stdout: $(cat "$T/u")"
    grep -qx "cti-search: no article with id 'no such id' in the index" "$T/ue" ||
        bad "unknown id $fmt: $(cat "$T/ue")"
done
rc=0
"$S" --db "$T/sotu.cti" --show "$ID" '"unclosed' >/dev/null 2>"$T/se" || rc=$?
[ $rc -eq 2 ] && grep -q "syntax error at column" "$T/se" || bad "bad query with --show: exit $rc"

echo "t34: a file article: its path is the id, a hyperlink in colour only"
f=$(cd corpus && pwd -P)/01-harris-courts-silicon-valley.txt
"$S" --db "$T/c.cti" --color always --show "$f" 'Lina Khan' >"$T/col"
grep -q "${ESC}]8;;file://[^$ESC]*/corpus/01-harris-courts-silicon-valley.txt${ESC}\\\\" "$T/col" ||
    bad "no hyperlink in colour: $(sed -n 1,3p "$T/col" | cat -v)"
grep -q "${ESC}\[1;31mLina${ESC}\[0m" "$T/col" || bad "no highlight in colour"
for opt in "--color never" "--color auto"; do
    "$S" --db "$T/c.cti" $opt --show "$f" 'Lina Khan' >"$T/nocol"
    grep -q "$ESC" "$T/nocol" && bad "escape codes with $opt in a pipe"
done
NO_COLOR=1 "$S" --db "$T/c.cti" --show "$f" >"$T/nc"
grep -q "$ESC" "$T/nc" && bad "escape codes with NO_COLOR"
grep -qx "Id:     $f" "$T/nocol" || bad "Id line: $(grep Id: "$T/nocol")"
# The id as a search shows it (relative to the current folder) works too.
"$S" --db "$T/c.cti" --show corpus/01-harris-courts-silicon-valley.txt | grep -qx "Id:     $f" ||
    bad "--show with the relative path the search shows"
# Search hits link their file too, in colour.
"$S" --db "$T/c.cti" --color always 'Lina Khan' | grep -q "${ESC}]8;;file://" ||
    bad "no hyperlink in a search hit"

echo "t34: on a terminal the text is wrapped to its width, words whole"
for w in 80 200; do
    cti_tty "$w" 200 "unset NO_COLOR; $S --db $T/sotu.cti --show sotu-1790_george_washington_n; echo END" \
        >"$T/tty$w" || { bad "tmux could not run"; continue; }
    python3 - "$T/tty$w" "$w" <<'PY' || { bad "wrapped at $w columns"; head -8 "$T/tty$w" >&2; }
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
w = int(sys.argv[2])
art = next(json.loads(l) for l in open("tests/data/sotu.jsonl", encoding="utf-8")
           if json.loads(l)["id"] == "sotu-1790_george_washington_n")
end = lines.index("END")
body = lines[5:end]
assert all(len(l) <= w for l in lines), "a line wider than the terminal"
assert len(body) > 20 and max(len(l) for l in body) > w - 20, "not filled"
# the words of the text, in order, none cut: a line ends where a space was
assert " ".join(body).split() == art["text"].split(), "words changed"
for a, b in zip(body, body[1:]):
    assert len(a) + 1 + len(b.split(" ")[0]) > w, "a word that fit was moved down: %r" % a
PY
done

echo "t34: --pager pages through \$PAGER on a terminal, and only when asked"
"$S" --db "$T/sotu.cti" --pager --show "$ID" >"$T/paged-pipe"
cmp -s "$T/paged-pipe" "$T/plain" && bad "pipe output is the wrong article"
[ -s "$T/paged-pipe" ] || bad "--pager in a pipe printed nothing"
cti_tty 80 20 "PAGER='cat > $T/paged' $S --db $T/sotu.cti --pager --show $ID" >/dev/null ||
    bad "tmux could not run"
# (in colour: the terminal was the pager's)
sed 's/\x1b\[[0-9;]*m//g' "$T/paged" 2>/dev/null | grep -q "^Author: Abraham Lincoln" ||
    bad "\$PAGER did not get the article"
cti_tty 80 20 "PAGER='cat > $T/paged2' $S --db $T/sotu.cti --show $ID" >/dev/null ||
    bad "tmux could not run"
[ -e "$T/paged2" ] && bad "\$PAGER used without --pager"

[ $fail -eq 0 ] && echo "t34: ok"
exit $fail
