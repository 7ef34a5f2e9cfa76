#!/bin/sh
# cti-search: every operator of the query language, the precedence, the
# punctuation a person types, fields and dates, on a small JSON-lines
# collection built for the purpose and on corpus/.
set -eu
NAME=t30
. tests/lib/e2e.sh

cat > "$T/news.jsonl" <<'EOF'
{"id": "a1", "title": "Harris courts Silicon Valley", "date": "2024-07-15", "author": "Jane Doe", "source": "Example News", "text": "Kamala Harris met tech leaders in Silicon Valley. Harris's campaign says Lina Khan and antitrust were discussed."}
{"id": "a2", "title": "Bloomberg asks tech leaders for staff", "date": "2020-02-10", "author": "John Roe", "source": "Tech Daily", "text": "Mike Bloomberg wants valley engineers. The silicon chip makers were not asked. A pro-Bloomberg group spent $50,000 on ads."}
{"id": "a3", "title": "Antitrust in the U.S.", "date": "2019-05-01", "author": "Jane Doe", "source": "Law Review", "text": "The U.S. antitrust agencies, led by Lina Khan, sued AT&T over a record-breaking merger."}
{"id": "a4", "title": "Weather report", "date": "2021-12", "author": "Sam Poe", "source": "Example News", "text": "Rain and wind across the valley; not a day for politics. Harris County expects storms."}
{"id": "a5", "title": "Khan Academy", "date": "2023", "text": "Khan teaches algebra and geometry to many students across several countries with free videos Lina."}
EOF
"$BIN/cti-index" --db "$T/news.cti" "$T/news.jsonl" >/dev/null 2>&1
"$BIN/cti-index" --db "$T/corpus.cti" corpus/ >/dev/null 2>&1

# The sorted ids (basenames) matching the query, "-" when nothing matched.
ids() {
    db=$1
    shift
    out=$("$BIN/cti-search" --db "$db" --json -n 100 "$@") || true
    printf '%s\n' "$out" | python3 -c '
import json, os, sys
ids = sorted(os.path.basename(json.loads(l)["id"]) for l in sys.stdin if l.strip())
print(" ".join(ids) if ids else "-")'
}

check() {
    want=$1
    shift
    got=$(ids "$T/news.cti" -- "$@")
    if [ "$got" != "$want" ]; then
        echo "t30: FAIL: $* -> '$got', want '$want'" >&2
        fail=1
    fi
}

check_corpus() {
    want=$1
    shift
    got=$(ids "$T/corpus.cti" -- "$@")
    if [ "$got" != "$want" ]; then
        echo "t30: FAIL (corpus): $* -> '$got', want '$want'" >&2
        fail=1
    fi
}

echo "t30: words, AND, OR, NOT, exclusion, parentheses"
check "a1 a3 a5" 'Lina Khan'
check "a1 a3 a5" 'Lina AND Khan'
check "a2 a4" 'Bloomberg OR Weather'
check "a4" 'valley NOT silicon'
check "a4" 'valley -silicon'
check "a3 a5" '-valley'
check "a1 a2 a3 a4 a5" 'NOT Khan OR Lina'
check "a1" '(Bloomberg OR Harris) antitrust'

echo "t30: precedence NOT > AND > OR"
check "a1 a2" 'Bloomberg OR Harris antitrust'
check "a1 a2" 'Harris antitrust OR Bloomberg'
check "a2 a4" 'Bloomberg OR valley NOT silicon'
check "a4" '(Bloomberg OR valley) NOT silicon'
check "a4" 'Harris valley NOT silicon'

echo "t30: lower-case and/or/not are words"
check "a4" 'not politics'
check "a1 a2 a3 a5" 'NOT politics'
check "-" 'rain or snow'
check "a4" 'rain OR snow'

echo "t30: phrases, NEAR, prefixes"
check "a1" '"Silicon Valley"'
check "a1 a2" 'Silicon Valley'
check "a1 a3" '"Lina Khan"'
check "a1 a3" 'Lina NEAR Khan'
check "a1 a3" 'Lina NEAR/10 Khan'
check "a1 a3 a5" 'Lina NEAR/13 Khan'
check "a1 a3" 'Lina NEAR/12 Khan'
check "a1" '"Silicon Valley" NEAR/5 Harris'
check "a1" '"Silicon Valley" NEAR/1 Harris'
check "-" 'Kamala NEAR/5 Valley'
check "a1" 'Kamala NEAR/6 Valley'
check "a1" 'Valley NEAR/6 Kamala'
check "a1 a3" 'antitru*'
check "a2" 'Bloom*'

echo "t30: fields"
check "a5" 'title:Khan'
check "a3" 'title:antitrust'
check "a1 a3" 'author:Doe'
check "a1 a3" 'author:"Jane Doe"'
check "a1 a4" 'source:"example news"'
check "a4 a5" 'title:(Weather OR Khan)'
check "a1" 'title:Silicon Lina'

echo "t30: dates"
check "a1" 'date:2024'
check "a1" 'date:2024-07'
check "a1" 'date:2024-07-15'
check "-" 'date:2024-07-16'
check "a2" 'date:2020-02'
check "a2 a3 a4" 'date:2019..2021'
check "a1 a4 a5" 'date:2021..'
check "a3" 'date:..2019'
check "a2 a3" 'date:2019-05..2020-02'
check "a3" 'Khan date:..2020'

echo "t30: punctuation searches for what it says"
check "a3" 'U.S.'
check "a2" '$50,000'
check "a2" 'pro-Bloomberg'
check "a3" 'AT&T'
check "a3" 'record-breaking'
check "a1" 'Harris’s campaign'
check "a1" "Harris's campaign"
check "a1 a4" 'Harris?'

echo "t30: corpus/"
check_corpus "01-harris-courts-silicon-valley.txt" 'Lina Khan AND antitrust'
check_corpus "02-bloomberg-courts-big-tech-leaders.txt 03-bloomberg-asks-tech-leaders-for-staff.txt" 'title:Bloomberg'
check_corpus "01-harris-courts-silicon-valley.txt" '"Silicon Valley" NEAR/5 Harris'
check_corpus "03-bloomberg-asks-tech-leaders-for-staff.txt" 'pro-Bloomberg'
check_corpus "01-harris-courts-silicon-valley.txt" '$50,000'
check_corpus "01-harris-courts-silicon-valley.txt" 'Harris’s'
check_corpus "01-harris-courts-silicon-valley.txt" 'U.S.'
check_corpus "01-harris-courts-silicon-valley.txt" 'record-breaking'

echo "t30: --any ranks documents with any of the words"
got=$(ids "$T/news.cti" --any -- 'what did Lina Khan say about AT&T (antitrust)?')
if [ "$got" != "a1 a3 a5" ]; then
    echo "t30: FAIL: --any -> '$got', want 'a1 a3 a5'" >&2
    fail=1
fi
first=$("$BIN/cti-search" --db "$T/news.cti" --any --json -n 1 -- 'Lina Khan antitrust AT&T' |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
if [ "$first" != "a3" ]; then
    echo "t30: FAIL: --any best hit '$first', want a3 (all four words)" >&2
    fail=1
fi

echo "t30: title matches and phrases rank first"
first=$("$BIN/cti-search" --db "$T/news.cti" --json -n 1 -- 'antitrust' |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
if [ "$first" != "a3" ]; then
    echo "t30: FAIL: 'antitrust' best hit '$first', want a3 (in its title)" >&2
    fail=1
fi

# Same words, same length: only the distance between Lina and Khan differs
# (p1 comes first in the index, so a tie would put it first).
cat > "$T/prox.jsonl" <<'EOF'
{"id": "p1", "title": "Press", "text": "Lina met the press today and later Khan spoke about antitrust policy."}
{"id": "p2", "title": "Press", "text": "Lina Khan met the press today and later spoke about antitrust policy."}
EOF
"$BIN/cti-index" --db "$T/prox.cti" "$T/prox.jsonl" >/dev/null 2>&1
for q in 'Lina Khan' 'Khan AND Lina' '"Lina Khan" OR antitrust' 'Lina NEAR/1 Khan OR policy'; do
    first=$("$BIN/cti-search" --db "$T/prox.cti" --json -n 1 -- "$q" |
        python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
    if [ "$first" != "p2" ]; then
        echo "t30: FAIL: '$q' best hit '$first', want p2 (the words together)" >&2
        fail=1
    fi
done

[ $fail -eq 0 ] && echo "t30: ok"
exit $fail
