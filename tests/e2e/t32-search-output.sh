#!/bin/sh
# cti-search output: JSON lines (valid, documented keys, highlight offsets
# into the snippet), the human format, colour rules, paging, sorting,
# counting.
set -eu
NAME=t32
. tests/lib/e2e.sh
S="$BIN/cti-search"
ESC=$(printf '\033')

cat > "$T/news.jsonl" <<'EOF'
{"id": "a1", "title": "Harris courts Silicon Valley", "date": "2024-07-15", "author": "Jane Doe", "source": "Example News", "url": "https://example.com/a1", "text": "Kamala Harris met tech leaders in Silicon Valley to talk about antitrust."}
{"id": "a2", "title": "Bloomberg asks tech leaders for staff", "date": "2020-02-10", "author": "John Roe", "source": "Tech Daily", "text": "Mike Bloomberg wants Silicon Valley engineers and antitrust lawyers."}
{"id": "a3", "title": "Antitrust in the U.S.", "date": "2019-05-01", "text": "The U.S. antitrust agencies, led by Lina Khan, sued over a merger. Antitrust is back."}
{"id": "a4", "title": "Antitrust, again", "date": "2022-03-04", "text": "More antitrust news from the valley."}
EOF
"$BIN/cti-index" --db "$T/news.cti" "$T/news.jsonl" >/dev/null 2>&1
"$BIN/cti-index" --db "$T/c.cti" corpus/ >/dev/null 2>&1

echo "t32: JSON lines are valid, with the documented keys and offsets"
"$S" --db "$T/news.cti" --json antitrust >"$T/j"
"$S" --db "$T/c.cti" --json -- 'Silicon Valley -Khan' >>"$T/j"
"$S" --db "$T/c.cti" --json --any -- 'Lina Khan antitrust enforcer' >>"$T/j"
python3 - "$T/j" <<'EOF' || fail=1
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) >= 7, len(lines)
for line in lines:
    h = json.loads(line)
    for k in ("rank", "id", "title", "score", "snippet", "highlights"):
        assert k in h, (k, line)
    assert isinstance(h["rank"], int) and h["rank"] >= 1
    assert isinstance(h["score"], float)
    snip = h["snippet"].encode("utf-8")
    last = 0
    for s, e in h["highlights"]:
        assert last <= s < e <= len(snip), (s, e, len(snip))
        last = e
        word = snip[s:e].decode("utf-8").lower()
        # Only what the queries asked for.
        assert any(w in word for w in ("antitrust", "silicon", "valley", "lina", "khan", "enforcer")), word
# The first block: 4 hits on the JSON-lines index, ranks 1..4, metadata.
first = [json.loads(l) for l in lines[:4]]
assert [h["rank"] for h in first] == [1, 2, 3, 4], [h["rank"] for h in first]
assert all(first[i]["score"] >= first[i + 1]["score"] for i in range(3))
a1 = [h for h in first if h["id"] == "a1"][0]
assert a1["date"] == "2024-07-15" and a1["author"] == "Jane Doe", a1
assert a1["source"] == "Example News" and a1["url"] == "https://example.com/a1", a1
a3 = [h for h in first if h["id"] == "a3"][0]
assert "author" not in a3 and "source" not in a3, a3
assert a3["highlights"], a3
EOF
# Excluded words are never highlighted.
"$S" --db "$T/c.cti" --json -- 'Silicon Valley -Khan' | python3 -c '
import json, sys
for l in sys.stdin:
    h = json.loads(l)
    s = h["snippet"].encode()
    for a, b in h["highlights"]:
        assert s[a:b].decode().lower() != "khan", h
' || bad "an excluded word was highlighted"

echo "t32: human output: rank, title, relative id, date, score, snippet, footer"
"$S" --db "$T/c.cti" 'Lina Khan AND antitrust' >"$T/h"
grep -q '^1\. ' "$T/h" || bad "no rank line: $(cat "$T/h")"
grep -q '^   corpus/01-harris-courts-silicon-valley.txt  .*score [0-9]' "$T/h" ||
    bad "id not relative to the current directory: $(cat "$T/h")"
grep -q '\[Lina\] \[Khan\]' "$T/h" || bad "no markers in the piped snippet: $(cat "$T/h")"
grep -q '^1 match, [0-9.]* ms$' "$T/h" || bad "footer: $(tail -1 "$T/h")"
(cd / && "$S" --db "$T/c.cti" 'Lina Khan AND antitrust') >"$T/h2"
grep -q "^   /.*corpus/01-harris-courts-silicon-valley.txt " "$T/h2" ||
    bad "id outside the current directory not absolute: $(cat "$T/h2")"
"$S" --db "$T/news.cti" antitrust >"$T/h3"
grep -q '  2024-07-15  score' "$T/h3" || bad "no date: $(cat "$T/h3")"
grep -q '^4 matches, ' "$T/h3" || bad "footer: $(tail -1 "$T/h3")"
"$S" --db "$T/news.cti" -n 2 antitrust | grep -q '^4 matches, showing 1-2, ' ||
    bad "footer of a page"

echo "t32: colour only on a terminal, never with NO_COLOR, always when asked"
"$S" --db "$T/c.cti" 'Lina Khan' >"$T/p"
if grep -q "$ESC" "$T/p"; then bad "escape codes in piped output"; fi
"$S" --db "$T/c.cti" --color always 'Lina Khan' >"$T/p"
grep -q "$ESC\[" "$T/p" || bad "no escape codes with --color always"
NO_COLOR=1 "$S" --db "$T/c.cti" --color always 'Lina Khan' | grep -q "$ESC\[" ||
    bad "--color always must win over NO_COLOR"
if command -v script >/dev/null 2>&1; then
    script -qec "$S --db '$T/c.cti' 'Lina Khan'" /dev/null >"$T/tty" 2>&1 || true
    grep -q "$ESC\[" "$T/tty" || bad "no colour on a terminal"
    script -qec "NO_COLOR=1 $S --db '$T/c.cti' 'Lina Khan'" /dev/null >"$T/tty" 2>&1 || true
    if grep -q "$ESC\[" "$T/tty"; then bad "colour on a terminal with NO_COLOR"; fi
    script -qec "$S --db '$T/c.cti' --color never 'Lina Khan'" /dev/null >"$T/tty" 2>&1 || true
    if grep -q "$ESC\[" "$T/tty"; then bad "colour with --color never"; fi
fi
if "$S" --db "$T/c.cti" --json --color always 'Lina Khan' | grep -q "$ESC"; then
    bad "escape codes in JSON"
fi

echo "t32: control characters in a file name are shown escaped"
mkdir "$T/in"
printf 'Escape name\n\nnamemarker here\n' >"$T/in/esc${ESC}[31mred$(printf '\007').txt"
"$BIN/cti-index" --db "$T/esc.cti" "$T/in" >/dev/null 2>&1
for mode in never always; do
    "$S" --db "$T/esc.cti" --color $mode namemarker >"$T/e" 2>&1 || true
    # Colour (SGR) and the hyperlink around the id (OSC 8, its URL
    # percent-encoded) are ours; nothing else may reach the terminal.
    if LC_ALL=C sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\x1b\]8;;[^\x1b\x07]*\x1b\\//g' "$T/e" |
        LC_ALL=C grep -q "$(printf '[\033\007]')"; then
        bad "--color $mode: a file name's control characters reach the terminal: $(cat -v "$T/e")"
    fi
    grep -q 'esc\\x1B\[31mred\\x07\.txt' "$T/e" || bad "--color $mode: name not shown escaped: $(cat -v "$T/e")"
done
"$S" --db "$T/esc.cti" --json namemarker | python3 -c '
import json, sys
assert json.loads(sys.stdin.readline())["id"].endswith("esc\x1b[31mred\x07.txt")' ||
    bad "JSON id is not the file name"

echo "t32: highlight styles and markers"
"$S" --db "$T/news.cti" --highlight=markers --markers '<<,>>' -n 1 'Lina Khan' |
    grep -q '<<Lina>> <<Khan>>' || bad "--markers"
"$S" --db "$T/news.cti" --highlight=html -n 1 'Lina Khan' |
    grep -q '<mark>Lina</mark> <mark>Khan</mark>' || bad "--highlight=html"
if "$S" --db "$T/news.cti" --highlight=none -n 1 'Lina Khan' | grep -q '\[Lina\]'; then
    bad "--highlight=none still marks"
fi
"$S" --db "$T/news.cti" --color always --highlight=ansi -n 1 'Lina Khan' |
    grep -q "$ESC\[[0-9;]*mLina" || bad "--highlight=ansi"

echo "t32: --count, --limit, --offset"
[ "$("$S" --db "$T/c.cti" --count 'Silicon Valley')" = 3 ] || bad "--count"
[ "$("$S" --db "$T/news.cti" -c antitrust)" = 4 ] || bad "-c"
rc=0
n=$("$S" --db "$T/c.cti" --count zebra) || rc=$?
[ "$n" = 0 ] && [ $rc -eq 1 ] || bad "--count with no match: '$n' exit $rc"
[ "$("$S" --db "$T/news.cti" --json -n 2 antitrust | wc -l)" -eq 2 ] || bad "-n 2"
[ "$("$S" --db "$T/news.cti" --json --limit 1 antitrust | wc -l)" -eq 1 ] || bad "--limit 1"
second=$("$S" --db "$T/news.cti" --json -n 2 antitrust | sed -n 2p)
paged=$("$S" --db "$T/news.cti" --json --offset 1 -n 1 antitrust)
[ "$second" = "$paged" ] || bad "--offset 1 -n 1 is not the second hit: $paged"

echo "t32: --sort date (oldest first) and -date (newest first)"
dates() {
    "$S" --db "$T/news.cti" --json "$@" antitrust |
        python3 -c 'import json,sys; print(" ".join(json.loads(l)["date"] for l in sys.stdin))'
}
[ "$(dates --sort date)" = "2019-05-01 2020-02-10 2022-03-04 2024-07-15" ] ||
    bad "--sort date: $(dates --sort date)"
[ "$(dates --sort -date)" = "2024-07-15 2022-03-04 2020-02-10 2019-05-01" ] ||
    bad "--sort -date: $(dates --sort -date)"

echo "t32: snippet options"
long=$("$S" --db "$T/c.cti" --json --snippet-size 400 --fragments 3 -n 1 'Silicon Valley' |
    python3 -c 'import json,sys; print(len(json.loads(sys.stdin.readline())["snippet"]))')
short=$("$S" --db "$T/c.cti" --json --snippet-size 80 --fragments 1 -n 1 'Silicon Valley' |
    python3 -c 'import json,sys; print(len(json.loads(sys.stdin.readline())["snippet"]))')
[ "$short" -lt "$long" ] && [ "$short" -le 100 ] || bad "--snippet-size: $short vs $long"

[ $fail -eq 0 ] && echo "t32: ok"
exit $fail
