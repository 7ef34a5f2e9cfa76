#!/bin/sh
# Articles as people have them: a folder mixing text, a saved web page, a
# scraper's CSV, an API's JSON dump, JSON lines and gzipped JSON lines is
# indexed in one run with every title and date right, and a second run
# changes nothing.  Every date form; --date-order; a Latin-1 file; each
# bad input (malformed CSV row, unreadable date, broken HTML, a JSON file
# holding neither an object nor an array) said with its file and line;
# --field and --source; cti-search's notes on articles without a date.
set -eu
NAME=t25
. tests/lib/e2e.sh
IDX=$BIN/cti-index
SEARCH=$BIN/cti-search
F=$(pwd)/tests/data/formats
key() { echo "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"; }
# Every article of index $1 as "title<TAB>date<TAB>date_text" lines, sorted.
all() {
    "$SEARCH" --db "$1" --json --limit 1000 --no-snippets 'NOT zzqqnothing' |
        python3 -c '
import sys, json
for l in sys.stdin:
    d = json.loads(l)
    print("%s\t%s\t%s" % (d["title"], d.get("date", "-"), d.get("date_text", "-")))
' | sort
}

echo "t25: a folder of every format, in one run"
M=$T/mixed
mkdir "$M"
cat > "$M/note.txt" <<'E'
---
title: Ferry timetable changes
date: February 14th, 2025
---
The winter ferry timetable ends on Friday.
E
cp "$F/wordpress-article.html" "$F/scraper.csv" "$F/newsapi.json" "$F/latin1.txt" "$M/"
cat > "$M/feed.jsonl" <<'E'
{"id": "r-1", "headline": "Cocoa prices climb", "body": "Cocoa futures rose on crop worries.", "date": "26-FEB-1987 15:01:01.79"}
{"guid": "r-2", "title": "Grain exports steady", "content": "Grain exports held steady in February.", "pubDate": "Tue, 26 Feb 1987 15:01:01 +0000"}
E
printf '%s\n' '{"id": "z-1", "title": "Archive item", "text": "From the gzipped archive.", "published_at": 1514764800000}' |
    gzip -c > "$M/archive.jsonl.gz"
rc=0
out=$("$IDX" --db "$T/db" --json "$M" 2> "$T/err") || rc=$?
[ "$rc" = 0 ] || bad "mixed folder: exit $rc: $(cat "$T/err")"
[ "$(key "$out" added)" = 13 ] || bad "mixed folder: $out"
[ "$(key "$out" failed)" = 0 ] && [ "$(key "$out" undated)" = 0 ] || bad "mixed folder: $out"
grep -q 'latin1.txt: not UTF-8: read as Windows-1252' "$T/err" || bad "no note on the Latin-1 file: $(cat "$T/err")"
cat > "$T/want" <<'E'
Archive item	2018-01-01	1514764800000
Café owners fear rent rises	-	-
City Council Approves Harbor Seawall Plan	2024-07-15	2024-07-15T14:32:10+00:00
Cocoa prices climb	1987-02-26	26-FEB-1987 15:01:01.79
Ferry timetable changes	2025-02-14	February 14th, 2025
Grain exports steady	1987-02-26	Tue, 26 Feb 1987 15:01:01 +0000
Harbor pilots strike over night shifts	2024-03-04	2024-03-04T23:10:00Z
Mayor signs budget, vows "no new taxes"	2017-12-31	December 31, 2017
Orchard growers brace for late frost	2024-03-03	2024-03-03T16:00:00Z
Port expansion wins federal grant	2017-12-28	2017-12-28
Snowstorm closes schools, airport	2017-12-30	Dec 30, 2017
Tidal energy pilot begins off the Orkney coast	2024-03-05	2024-03-05T07:45:12Z
Transit board approves fare freeze	2017-12-31	31-Dec-17
E
all "$T/db" > "$T/got"
diff "$T/want" "$T/got" > "$T/diff" || bad "titles and dates:
$(cat "$T/diff")"

echo "t25: the same folder again: nothing updated"
out=$("$IDX" --db "$T/db" --json -q "$M")
[ "$(key "$out" updated)" = 0 ] && [ "$(key "$out" added)" = 0 ] || bad "re-run: $out"
[ "$(key "$out" unchanged)" = 13 ] || bad "re-run: $out"

echo "t25: what a web page gives: no scripts, menus or comments; its author and source"
"$SEARCH" --db "$T/db" --json 'title:seawall' > "$T/hit"
grep -q '"author":"Maria Delgado"' "$T/hit" || bad "page author: $(cat "$T/hit")"
grep -q '"source":"The Bayport Ledger"' "$T/hit" || bad "page source: $(cat "$T/hit")"
for w in adsbygoogle zucchini obituaries wordpress polyfills; do
    n=$("$SEARCH" --db "$T/db" -c "$w" 2>/dev/null || true)
    [ "$n" = 0 ] || bad "'$w' from the page furniture or its scripts was indexed"
done
[ "$("$SEARCH" --db "$T/db" -c 'cannery' 2>/dev/null)" = 1 ] || bad "the page's text was not indexed"

echo "t25: a Latin-1 file keeps its pound sign"
"$SEARCH" --db "$T/db" --json 'rent' > "$T/hit"
grep -q '£2,400' "$T/hit" || bad "Latin-1: $(cat "$T/hit")"
grep -q "$(printf '\357\277\275')" "$T/hit" && bad "Latin-1 shown with U+FFFD"

echo "t25: every date form"
cp "$F/dates.jsonl" "$T/dates.jsonl"
rc=0
out=$("$IDX" --db "$T/dates" --json "$T/dates.jsonl" 2> "$T/err") || rc=$?
[ "$rc" = 0 ] || bad "dates: exit $rc"
[ "$(key "$out" undated)" = 1 ] || bad "dates: $out"
grep -q 'dates.jsonl:18: cannot read the date "the day after tomorrow"; indexed without a date' "$T/err" ||
    bad "no warning for the unreadable date: $(cat "$T/err")"
grep -q '1 undated' "$T/err" || bad "the summary does not count the undated article: $(cat "$T/err")"
"$SEARCH" --db "$T/dates" --json --limit 100 'NOT zzqqnothing' |
    python3 -c '
import sys, json
for l in sys.stdin:
    d = json.loads(l)
    print("%s %s" % (d["id"], d.get("date", "-")))
' | sort > "$T/got"
cat > "$T/want" <<'E'
ambiguous 2005-03-04
compact 2017-12-26
dmy-clear 2005-02-14
iso-date 2017-12-26
iso-time 2017-12-26
iso-time-zone 2017-12-26
mdy-clear 2017-12-28
month 2024-07
ordinal 2025-02-14
reuters 1987-02-26
rfc2822 1987-02-26
short-year 2017-12-31
unix-ms 2018-01-01
unix-ms-str 2018-01-01
unix-s 2018-01-01
unix-s-str 2018-01-01
unreadable -
year 1790
E
diff "$T/want" "$T/got" > "$T/diff" || bad "dates:
$(cat "$T/diff")"
[ "$("$SEARCH" --db "$T/dates" -c 'date:1987' 2>/dev/null)" = 2 ] || bad "date:1987 does not find the Reuters dates"

echo "t25: --date-order dmy reads 03/04/2005 as the 3rd of April"
"$IDX" --db "$T/dmy" -q --date-order dmy "$T/dates.jsonl" 2>/dev/null
"$SEARCH" --db "$T/dmy" --json 'either' | grep -q '"date":"2005-04-03"' || bad "--date-order dmy"
out=$("$IDX" --db "$T/dates" --json -q --date-order dmy "$T/dates.jsonl" 2>/dev/null)
[ "$(key "$out" updated)" = 1 ] || bad "another --date-order did not update the ambiguous date: $out"
"$SEARCH" --db "$T/dates" --json 'either' | grep -q '"date":"2005-04-03"' || bad "--date-order dmy on a re-run"
out=$("$IDX" --db "$T/dates" --json -q "$T/dates.jsonl" 2>/dev/null)
[ "$(key "$out" updated)" = 1 ] || bad "back to mdy: $out"
rc=0
"$IDX" --db "$T/dmy" --date-order ymd "$T/dates.jsonl" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'date-order' "$T/err" || bad "--date-order ymd: exit $rc"

echo "t25: cti-search says how many articles have no date"
"$SEARCH" --db "$T/dates" -c 'date:1987' > /dev/null 2> "$T/err" || true
grep -q 'note: 1 article in the index has no date' "$T/err" || bad "no note with date: ($(cat "$T/err"))"
"$SEARCH" --db "$T/dates" --sort -date 'date OR here' > /dev/null 2> "$T/err" || true
grep -q 'note: 1 of the .* matches has no date; sorted by date they come last' "$T/err" ||
    bad "no note with --sort -date ($(cat "$T/err"))"
"$SEARCH" --db "$T/dates" --json --sort date 'date OR here' > /dev/null 2> "$T/err" || true
[ -s "$T/err" ] && bad "a note in JSON mode: $(cat "$T/err")"
"$SEARCH" --db "$T/db" --sort date 'cocoa' > /dev/null 2> "$T/err" || true
[ -s "$T/err" ] && bad "a note when every match has a date: $(cat "$T/err")"

echo "t25: bad inputs: named with their line, the rest indexed"
B=$T/bad
mkdir "$B"
cp "$F/malformed.csv" "$F/baddate.jsonl" "$F/broken.html" "$F/notarticles.json" "$B/"
rc=0
out=$("$IDX" --db "$T/bad.cti" --json "$B" 2> "$T/err") || rc=$?
[ "$rc" = 2 ] || bad "bad inputs: exit $rc, want 2"
grep -q 'malformed.csv:3: malformed CSV row' "$T/err" || bad "malformed row: $(cat "$T/err")"
grep -q 'notarticles.json:1: neither a JSON object nor an array' "$T/err" || bad "not articles: $(cat "$T/err")"
grep -q 'baddate.jsonl:1: cannot read the date "sometime last week"' "$T/err" || bad "bad date: $(cat "$T/err")"
[ "$(key "$out" failed)" = 2 ] && [ "$(key "$out" undated)" = 1 ] || bad "bad inputs: $out"
[ "$(key "$out" added)" = 5 ] || bad "bad inputs: $out"
all "$T/bad.cti" > "$T/got"
for t in 'Library hours extended' 'Pool reopens' 'Parade route announced' 'Bridge reopens after repairs'; do
    grep -q "^$t	" "$T/got" || bad "'$t' missing: $(cat "$T/got")"
done
"$SEARCH" --db "$T/bad.cti" --json 'bridge' > "$T/hit"
grep -q '<b>\|</span>' "$T/hit" && bad "tags in the broken page's text: $(cat "$T/hit")"

echo "t25: --field and --source"
cat > "$T/custom.json" <<'E'
{"items": [{"uid": "c-1", "story": {"headline": "Mapped headline", "paragraphs": ["First.", "Second about walruses."]}, "publisher": {"name": "Mapped Press"}, "when": "2019-05-06"}]}
E
printf 'Plain note\n\nA note about narwhals.\n' > "$T/plain.txt"
rc=0
"$IDX" --db "$T/map" -q --field id=uid --field title=story.headline --field body=story.paragraphs \
    --field source=publisher.name --field date=when --source 'Desk Notes' "$T/custom.json" "$T/plain.txt" || rc=$?
[ "$rc" = 0 ] || bad "--field: exit $rc"
"$SEARCH" --db "$T/map" --json walruses > "$T/hit"
grep -q '"id":"c-1","title":"Mapped headline"' "$T/hit" || bad "--field: $(cat "$T/hit")"
grep -q '"date":"2019-05-06"' "$T/hit" && grep -q '"source":"Mapped Press"' "$T/hit" || bad "--field: $(cat "$T/hit")"
"$SEARCH" --db "$T/map" --json narwhals | grep -q '"source":"Desk Notes"' || bad "--source"
[ "$("$SEARCH" --db "$T/map" -c 'source:desk')" = 1 ] || bad "--source not searchable"
rc=0
"$IDX" --db "$T/map" --field colour=x "$T/plain.txt" 2> "$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--field 'colour=x'" "$T/err" || bad "a bad --field: exit $rc"

echo "t25: a web page saved under another name is still a web page"
cp "$F/wordpress-article.html" "$T/saved-page.txt"
"$IDX" --db "$T/sniff" -q "$T/saved-page.txt"
[ "$("$SEARCH" --db "$T/sniff" -c 'adsbygoogle' 2>/dev/null || true)" = 0 ] || bad "a page saved as .txt was indexed as text"
"$SEARCH" --db "$T/sniff" --json cannery | grep -q '"title":"City Council Approves Harbor Seawall Plan"' ||
    bad "a page saved as .txt lost its title"

exit $fail
