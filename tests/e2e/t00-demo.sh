#!/bin/sh
# The README's first command: index corpus/ and search "Lina Khan AND
# antitrust"; the Harris article comes back with Lina Khan and antitrust
# highlighted in its snippet.
set -eu
NAME=t00
. tests/lib/e2e.sh

"$BIN/cti-index" -q --db "$T/demo.cti" corpus/
n=$("$BIN/cti-search" --db "$T/demo.cti" --count 'campaign')
echo "t00: corpus indexed ($n articles match 'campaign')"

out=$("$BIN/cti-search" --db "$T/demo.cti" --color always 'Lina Khan AND antitrust')
printf '%s\n' "$out"
case $out in
*01-harris-courts-silicon-valley.txt*) ;;
*) echo "t00: FAIL: the Harris article is not found" >&2; exit 1 ;;
esac
esc=$(printf '\033')
for w in Lina Khan antitrust; do
    case $out in
    *"$esc["*"m$w$esc[0m"*) ;;
    *) echo "t00: FAIL: '$w' is not highlighted" >&2; exit 1 ;;
    esac
done
hits=$("$BIN/cti-search" --db "$T/demo.cti" --count 'Lina Khan AND antitrust')
[ "$hits" = 1 ] || { echo "t00: FAIL: $hits matches, expected 1 (only the Harris article names Lina Khan)" >&2; exit 1; }
plain=$("$BIN/cti-search" --db "$T/demo.cti" 'Lina Khan AND antitrust')
case $plain in
*"$esc"*) echo "t00: FAIL: escape codes when stdout is not a terminal" >&2; exit 1 ;;
esac

# The phrase form: "Lina Khan" is highlighted as one span, in the JSON
# output too, and only where the whole phrase occurs.
"$BIN/cti-search" --db "$T/demo.cti" --json '"Lina Khan" AND antitrust' >"$T/phrase.json"
python3 - "$T/phrase.json" <<'PY'
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(hits) == 1, hits
h = hits[0]
assert h["id"].endswith("01-harris-courts-silicon-valley.txt"), h["id"]
snip = h["snippet"].encode("utf-8")
marked = [snip[a:b].decode("utf-8") for a, b in h["highlights"]]
assert "Lina Khan" in marked, marked
assert "antitrust" in marked, marked
assert all(m in ("Lina Khan", "antitrust") for m in marked), marked
print("t00: phrase highlights:", marked)
PY
echo "t00: ok"
