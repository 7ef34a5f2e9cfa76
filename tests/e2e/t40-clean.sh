#!/bin/sh
# Clean articles: page boilerplate set aside (searched only with page:),
# a site's template learned from the index and forgotten when its
# articles go, copies of a story found at index time and incrementally,
# collapsed by default, and distinct stories on one topic kept apart.
set -eu
NAME=t40
. tests/lib/e2e.sh
I="$BIN/cti-index"
S="$BIN/cti-search"

# hits DB QUERY [OPTIONS...]: the ids found, one per line, sorted.
hits() {
    db=$1 q=$2
    shift 2
    "$S" --db "$db" --json -n 100 "$@" -- "$q" 2>/dev/null |
        python3 -c 'import json,sys
for l in sys.stdin: print(json.loads(l)["id"].rsplit("/", 1)[-1])' | sort
}

echo "t40: corpus/: the junk around the articles is set aside"
"$I" -q --db "$T/c.cti" corpus/
for q in awesome originality coronavirus jihadists '"email address"'; do
    rc=0
    "$S" --db "$T/c.cti" -- "$q" >"$T/out" 2>&1 || rc=$?
    [ $rc -eq 1 ] || bad "'$q' matches by default (exit $rc): $(cat "$T/out")"
done
rc=0
"$S" --db "$T/c.cti" awesome >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && [ ! -s "$T/out" ] && grep -q "try page:awesome" "$T/err" ||
    bad "no hint that 'awesome' is in set-aside text: $(cat "$T/err")"
for q in awesome originality; do
    [ "$(hits "$T/c.cti" "page:$q")" = 01-harris-courts-silicon-valley.txt ] ||
        bad "page:$q does not find the Harris article"
done
for q in coronavirus jihadists '"email address"' 'Home AND Tech' Agent; do
    [ "$(hits "$T/c.cti" "page:$q")" = 03-bloomberg-asks-tech-leaders-for-staff.txt ] ||
        bad "page:$q does not find the second Bloomberg article"
done
[ "$(hits "$T/c.cti" 'page:"issues with commenting"')" = 02-bloomberg-courts-big-tech-leaders.txt ] ||
    bad "page:\"issues with commenting\" does not find the first Bloomberg article"

echo "t40: the article's own words find what they found before, same snippets"
for q in '"Lina Khan" AND antitrust' Hawkfish '"breaking up" NEAR/5 tech'; do
    "$S" --db "$T/c.cti" --json -- "$q"
done >"$T/keep.json"
python3 - "$T/keep.json" <<'PY'
import json, sys
want = [
    ("01-harris-courts-silicon-valley.txt",
     "… “It would be very difficult for a Harris administration not to reappoint Lina Khan,” Stoppelman said, pushing back against calls to remove the antitrust enforcer. …",
     [[79, 88], [151, 160]]),
    ("03-bloomberg-asks-tech-leaders-for-staff.txt",
     "… Together, Briggs and Glueck oversee Bloomberg’s digital promoting company, referred to as Hawkfish. Another key participant within the Bloomberg’s Silicon Valley pitch: Rusty Rueff, a high fundraiser …",
     [[96, 104]]),
    ("02-bloomberg-courts-big-tech-leaders.txt",
     "… “That means breaking up Big Tech.” Bloomberg, however, does not seem to agree. The former mayor has not only signaled his opposition to taking a firm stand against tech companies, but he’s also …",
     [[18, 29], [34, 38]]),
]
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(hits) == 3, hits
for h, (name, snip, hl) in zip(hits, want):
    assert h["id"].endswith(name), (h["id"], name)
    assert h["snippet"] == snip, h["snippet"]
    assert h["highlights"] == hl, h["highlights"]
    assert h["similar"] == 0, h
PY
[ $? -eq 0 ] || bad "snippets changed"

echo "t40: snippets never come from the set-aside text"
"$S" --db "$T/c.cti" --json --snippet-size 2000 Bloomberg >"$T/b.json"
if grep -q -e 'Leave a Reply' -e 'Check Also' -e 'About Agent' -e 'commenting' "$T/b.json"; then
    bad "a snippet shows boilerplate: $(cat "$T/b.json")"
fi

echo "t40: the article view shows the article, then what was set aside"
"$S" --db "$T/c.cti" --show corpus/03-bloomberg-asks-tech-leaders-for-staff.txt >"$T/show"
python3 - "$T/show" <<'PY' || bad "--show does not mark what was set aside: $(tail -20 "$T/show")"
import sys
text = open(sys.argv[1], encoding="utf-8").read()
head, sep, aside = text.partition("-- set aside as page boilerplate (navigation, author, teaser, comments) --")
assert sep, "no marker"
assert "Hawkfish" in head and "coupon deal" in head
for junk in ("Home / Tech", "About Agent", "Check Also", "Leave a Reply"):
    assert junk not in head, junk
    assert junk in aside, junk
assert "\n\n\n" not in head.strip("\n"), "blank lines where ranges were"
PY
"$S" --db "$T/c.cti" --json --show corpus/01-harris-courts-silicon-valley.txt >"$T/show.json"
python3 - "$T/show.json" <<'PY' || bad "--show --json: set_aside"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert "awesome" not in d["text"] and "campaign" in d["text"]
assert d["set_aside"].startswith("1 Comment") and "awesome" in d["set_aside"]
assert [r["kind"] for r in d["set_aside_ranges"]] == ["comments"]
PY

echo "t40: the two Bloomberg stories are different stories"
[ "$(hits "$T/c.cti" Bloomberg | wc -l)" -eq 2 ] || bad "Bloomberg: not 2 stories"
"$S" --db "$T/c.cti" Bloomberg | grep -q '^2 matches, ' || bad "Bloomberg footer"

echo "t40: web pages: what the markup calls furniture, and what the text shows"
mkdir -p "$T/web"
cp tests/data/formats/wordpress-article.html "$T/web/"
# A page whose comments and teasers carry no telling markup.
cat >"$T/web/plain.html" <<'HTML'
<!DOCTYPE html><html><head><title>Ferry fares rise in the fall</title></head>
<body><div class="page"><p>Home / Local / Transport</p>
<h1>Ferry fares rise in the fall</h1>
<p>The county ferry board voted on Tuesday to raise fares by forty cents in
September, the first increase in six years, citing fuel and crew costs that
have grown faster than ridership since the pandemic.</p>
<p>Commuters who buy monthly passes will pay eleven dollars more, while
seniors and students keep their discounts, the board said in a statement
after the vote, which passed four to one.</p>
<p>Related</p><p>Bridge tolls under review</p><p>New schedule for the night boat</p>
<p>2 Comments</p>
<p>Pelican says: outrageous, the boats are always late anyway.</p>
<p>Gull says: cheaper than driving around the bay, stop complaining.</p>
</div></body></html>
HTML
"$I" -q --db "$T/w.cti" "$T/web"
for q in zucchini obituaries wordpress levy pelican tolls; do
    rc=0
    "$S" --db "$T/w.cti" -- "$q" >"$T/out" 2>&1 || rc=$?
    [ $rc -eq 1 ] || bad "web page: '$q' matches by default (exit $rc)"
    [ "$(hits "$T/w.cti" "page:$q" | wc -l)" -eq 1 ] || bad "web page: page:$q finds nothing"
done
[ "$(hits "$T/w.cti" seawall)" = wordpress-article.html ] || bad "web page: seawall"
[ "$(hits "$T/w.cti" 'ferry AND fares')" = plain.html ] || bad "web page: ferry AND fares"
"$S" --db "$T/w.cti" --json --snippet-size 3000 'council OR fares' >"$T/w.json"
if grep -q -e Zucchini -e Obituaries -e Pelican -e 'Bridge tolls' "$T/w.json"; then
    bad "a web page's snippet shows its furniture: $(cat "$T/w.json")"
fi

echo "t40: copies of a story, found as a fresh index is loaded"
mkdir -p "$T/news/recode" "$T/news/ledger" "$T/news/wire"
cp tests/data/dups/recode.txt "$T/news/recode/staff.txt"
cp corpus/03-bloomberg-asks-tech-leaders-for-staff.txt "$T/news/wire/spun.txt"
cp corpus/02-bloomberg-courts-big-tech-leaders.txt "$T/news/wire/courts.txt"
# A syndicated copy: another site's header and footer, cut after two thirds.
python3 - tests/data/dups/recode.txt "$T/news/ledger/staff.txt" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read().split("---\n", 2)[2]
paras = text.strip().split("\n\n")
keep = paras[: (2 * len(paras)) // 3]
page = ["Home / Politics / Campaign 2020",
        "Bloomberg wants your engineers",
        "By Staff Writer"] + keep + [
        "Share this article", "\u00a9 2020 Daily Ledger. All rights reserved.",
        "2 Comments", "Great read, thanks.", "Old news by now."]
open(sys.argv[2], "w", encoding="utf-8").write("\n\n".join(page) + "\n")
PY
# One worker: the articles come in walk order, the trimmed copy and the
# original before the reworded one, which is a copy of the original only
# (clusters are not joined, so which story an article joins depends on
# what came before it).
"$I" -q -j 1 --db "$T/n.cti" "$T/news"
out=$("$S" --db "$T/n.cti" 'Rusty Rueff')
printf '%s\n' "$out" | grep -c '^[0-9]*\. ' | grep -qx 1 || bad "Rueff: not one story: $out"
printf '%s\n' "$out" | grep -q '  2 similar$' || bad "Rueff: no '2 similar': $out"
printf '%s\n' "$out" | grep -q '^1 story (3 articles), ' || bad "Rueff footer: $out"
[ "$(hits "$T/n.cti" 'Rusty Rueff' --no-collapse | wc -l)" -eq 3 ] ||
    bad "--no-collapse does not show the 3 copies"
"$S" --db "$T/n.cti" --json 'Rusty Rueff' | grep -q '"similar":2' || bad "--json has no similar: 2"
[ "$("$S" --db "$T/n.cti" --count 'Rusty Rueff')" = 3 ] || bad "--count is not 3 articles"
# The other outlet's story on the same campaign stays a story of its own.
[ "$(hits "$T/n.cti" 'Bloomberg AND Briggs' | wc -l)" -eq 2 ] ||
    bad "Bloomberg AND Briggs: not 2 stories: $(hits "$T/n.cti" 'Bloomberg AND Briggs')"

# Across the shards of a sharded index (the shards index at the same
# time: two copies that match each other, in any order).
mkdir -p "$T/news3/recode" "$T/news3/ledger"
cp "$T/news/recode/staff.txt" "$T/news3/recode/"
cp "$T/news/ledger/staff.txt" "$T/news3/ledger/"
"$I" -q --db "$T/n3.cti" --shards 3 "$T/news3"
"$S" --db "$T/n3.cti" 'Rusty Rueff' | grep -q '^1 story (2 articles), ' ||
    bad "3 shards: copies not collapsed: $("$S" --db "$T/n3.cti" 'Rusty Rueff')"

echo "t40: --similar lists an article's copies"
"$S" --db "$T/n.cti" --similar "$T/news/recode/staff.txt" >"$T/sim" || bad "--similar: exit $?"
grep -q 'ledger/staff.txt' "$T/sim" && grep -q 'wire/spun.txt' "$T/sim" ||
    bad "--similar misses a copy: $(cat "$T/sim")"
grep -q 'courts.txt' "$T/sim" && bad "--similar lists a distinct story"
grep -q '^2 copies, ' "$T/sim" || bad "--similar footer: $(tail -1 "$T/sim")"
"$S" --db "$T/n.cti" --json --similar "$T/news/wire/spun.txt" >"$T/sim.json"
python3 - "$T/sim.json" <<'PY' || bad "--similar --json"
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(hits) == 2, hits
sims = [h["similarity"] for h in hits]
# The trimmed copy shares less with the reworded one than either with the
# original: it is listed as one of the story's copies all the same.
assert sims == sorted(sims, reverse=True) and sims[0] >= 0.2 and sims[1] > 0.1, sims
PY
rc=0
"$S" --db "$T/n.cti" --similar /no/such/article.txt 2>"$T/err" || rc=$?
[ $rc -eq 2 ] && grep -q "no article with id" "$T/err" || bad "--similar unknown id: exit $rc"

echo "t40: copies found incrementally, and after removals"
mkdir -p "$T/news/late"
cp "$T/news/ledger/staff.txt" "$T/news/late/again.txt"
printf '\n\nEditor’s note: this story has been updated.\n' >>"$T/news/late/again.txt"
"$I" -q --db "$T/n.cti" "$T/news"
"$S" --db "$T/n.cti" 'Rusty Rueff' | grep -q '  3 similar$' || bad "a later copy is not collapsed"
rm "$T/news/recode/staff.txt"
"$I" -q --db "$T/n.cti" "$T/news"
"$S" --db "$T/n.cti" 'Rusty Rueff' | grep -q '^1 story (3 articles), ' ||
    bad "after removing the first copy: $("$S" --db "$T/n.cti" 'Rusty Rueff')"

# Two copies too different to be called copies of each other, then the
# original they both copy: it goes with the more similar one, and the
# two clusters stay apart (joining clusters through a shared original
# chains overlapping stories together).
mkdir -p "$T/join/a" "$T/join/b"
cp "$T/news/wire/spun.txt" "$T/join/a/spun.txt"
cp "$T/news/ledger/staff.txt" "$T/join/a/ledger.txt"
"$I" -q --db "$T/j.cti" "$T/join/a"
"$S" --db "$T/j.cti" 'Rusty Rueff' | grep -q '^2 matches, ' ||
    bad "two far copies: $("$S" --db "$T/j.cti" 'Rusty Rueff')"
cp tests/data/dups/recode.txt "$T/join/b/staff.txt"
"$I" -q --db "$T/j.cti" "$T/join"
"$S" --db "$T/j.cti" 'Rusty Rueff' | grep -q '^2 stories (3 articles), ' ||
    bad "the original and its two far copies: $("$S" --db "$T/j.cti" 'Rusty Rueff')"

echo "t40: a site's template is learned across its articles"
mkdir -p "$T/site"
mk() { # mk N: an article of the site (its text from speech N), with its header and footer
    python3 - "$1" "$T/site/story$1.txt" <<'PY'
import os, sys
n = int(sys.argv[1])
names = sorted(f for f in os.listdir("tests/data/sotu") if f.endswith(".txt"))
words = open(os.path.join("tests/data/sotu", names[40 * n]), encoding="utf-8").read().split()
body = [" ".join(words[i:i + 60]) for i in range(0, 240, 60)]
page = ["The council of week %d" % n, "Metro Wire — the city, every day"] + body + [
        "Metro Wire is an independent newsroom covering the city since 1921. Send tips to our newsdesk."]
open(sys.argv[2], "w", encoding="utf-8").write("\n\n".join(page) + "\n")
PY
}
mk 1
mk 2
"$I" -q --db "$T/s.cti" "$T/site"
[ "$(hits "$T/s.cti" newsdesk | wc -l)" -eq 2 ] || bad "2 articles: the footer is not theirs yet"
mk 3
mk 4
mk 5
"$I" -q --db "$T/s.cti" "$T/site"
rc=0
"$S" --db "$T/s.cti" newsdesk >/dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || bad "5 articles: the footer is still searched (exit $rc)"
[ "$(hits "$T/s.cti" page:newsdesk | wc -l)" -eq 5 ] || bad "page:newsdesk does not find the 5"
rc=0
"$S" --db "$T/s.cti" '"Metro Wire"' >/dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || bad "5 articles: the site's header line is still searched (exit $rc)"
[ "$(hits "$T/s.cti" 'title:council' | wc -l)" -eq 5 ] || bad "the stories themselves are not found"
rm "$T/site/story3.txt" "$T/site/story4.txt" "$T/site/story5.txt"
"$I" -q --db "$T/s.cti" "$T/site"
[ "$(hits "$T/s.cti" newsdesk | wc -l)" -eq 2 ] || bad "removed: the footer is not forgotten"
[ "$(hits "$T/s.cti" '"Metro Wire"' | wc -l)" -eq 2 ] || bad "removed: the header is not forgotten"
[ -e "$T/s.cti/unsettled" ] && bad "a finished run left its unsettled marker"

echo "t40: a run that stopped before settling is settled by the next"
# Three articles make the footer template; taking two away without
# cleaning (no settle step) leaves the last one with its footer set aside
# on a count that no longer holds, as a run killed before its settle step
# would.  The marker such a run leaves makes the next run check every line.
mk 3
mk 4
"$I" -q --db "$T/s.cti" "$T/site"
[ "$(hits "$T/s.cti" newsdesk | wc -l)" -eq 0 ] || bad "4 articles: the footer is searched"
rm "$T/site/story3.txt" "$T/site/story4.txt" "$T/site/story2.txt"
"$I" -q --no-clean --db "$T/s.cti" "$T/site"
[ "$(hits "$T/s.cti" newsdesk | wc -l)" -eq 0 ] || bad "the test needs a stale verdict"
"$I" -q --db "$T/s.cti" "$T/site"
[ "$(hits "$T/s.cti" newsdesk | wc -l)" -eq 0 ] || bad "a run with nothing to do settled every line"
: >"$T/s.cti/unsettled"
"$I" -q --db "$T/s.cti" "$T/site"
[ "$(hits "$T/s.cti" newsdesk | wc -l)" -eq 1 ] ||
    bad "after an unsettled run: the footer of the last article is not searchable again"
[ -e "$T/s.cti/unsettled" ] && bad "the settling run left its marker"

echo "t40: a line is judged again when its site grows past 60 articles"
# A line in 3 articles is template while the site has 60 or fewer (at
# least 3 articles make a template) and not once it has more (5% of them,
# here 4): the settle step takes the site's lines in order and rebuilds
# the 3, so their line is searchable again.  Two other lines, in 4 and 6
# articles, stay template.
site() { # site N: JSON lines of N articles of one site
    python3 - "$1" >"$T/herald.jsonl" <<'PY'
import json, os, sys
names = sorted(f for f in os.listdir("tests/data/sotu") if f.endswith(".txt"))
for i in range(int(sys.argv[1])):
    words = open(os.path.join("tests/data/sotu", names[i]), encoding="utf-8").read().split()
    body = [" ".join(words[k:k + 50]) for k in range(0, 200, 50)]
    for held, line in ((3, "Corrections go to the Herald desk by fax"),
                       (4, "The Herald prints nothing it cannot verify"),
                       (6, "Subscribers receive the Herald before dawn")):
        if i < held:
            body.append(line)
    print(json.dumps({"id": "h%03d" % i, "title": " ".join(words[:8]),
                      "source": "Valley Herald", "body": "\n\n".join(body)}))
PY
}
site 10
"$I" -q --db "$T/h.cti" "$T/herald.jsonl"
[ "$(hits "$T/h.cti" fax | wc -l)" -eq 0 ] || bad "10 articles: a line in 3 is searched"
site 80
"$I" -q --db "$T/h.cti" "$T/herald.jsonl"
[ "$(hits "$T/h.cti" fax)" = "$(printf 'h000\nh001\nh002')" ] ||
    bad "80 articles: the line in 3 is not searchable again: $(hits "$T/h.cti" fax)"
[ "$(hits "$T/h.cti" verify | wc -l)" -eq 0 ] || bad "80 articles: the line in 4 is searched"
[ "$(hits "$T/h.cti" dawn | wc -l)" -eq 0 ] || bad "80 articles: the line in 6 is searched"

[ $fail -eq 0 ] && echo "t40: ok"
exit $fail
