#!/bin/sh
# cti-web in a real browser (headless Chromium): the search page for
# `Lina Khan AND antitrust` on corpus/ shows the Harris article with a
# highlighted snippet, its link opens the article view with the query
# highlighted, nothing is refused by the Content-Security-Policy, and a
# screenshot is saved as $CTI_BIN/web-screenshot.png (a CI artifact).
# Skipped, not failed, when Chromium is not installed.
set -eu
NAME=t81
. tests/lib/e2e.sh
CHROMIUM=${CHROMIUM:-chromium}
if ! command -v "$CHROMIUM" >/dev/null 2>&1 || ! "$CHROMIUM" --version >/dev/null 2>&1; then
    echo "t81: SKIP: no working Chromium ('$CHROMIUM'; Debian package chromium, installed by scripts/deps.sh test when it can be)"
    exit 0
fi
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

# browse OUT ARGS... URL: headless Chromium with a profile of its own,
# no network but the page; its log in $T/log.
browse() {
    out=$1
    shift
    rm -rf "$T/profile"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$T/profile" --hide-scrollbars \
        --enable-logging=stderr --v=0 "$@" >"$out" 2>>"$T/log" || true
}

"$BIN/cti-index" --db "$T/c.cti" corpus/ >/dev/null 2>&1
"$BIN/cti-web" --db "$T/c.cti" --listen 127.0.0.1:0 >"$T/out" 2>"$T/err" &
pid=$!
i=0
while ! grep -q ' at http' "$T/out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] && kill -0 "$pid" 2>/dev/null || { echo "t81: FAIL: cti-web did not start: $(cat "$T/err")" >&2; exit 1; }
    sleep 0.1
done
URL=$(sed -n 's/.* at //p' "$T/out")
URL=${URL%/}

echo "t81: the search page in Chromium"
browse "$T/dom" --dump-dom "$URL/?q=Lina+Khan+AND+antitrust"
grep -q 'As the 2024 U.S. presidential race intensifies, Kamala Harris' "$T/dom" ||
    bad "the Harris article is not in the rendered page"
grep -q '<p class="snippet">.*reappoint <mark>Lina</mark> <mark>Khan</mark>.*<mark>antitrust</mark>' "$T/dom" ||
    bad "no highlighted snippet in the rendered page"
grep -q '<strong>1</strong> match' "$T/dom" || bad "no match count in the rendered page"
link=$(grep -o 'href="/article?id=[^"]*"' "$T/dom" | head -1 | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
[ -n "$link" ] || bad "no link to the article"

echo "t81: following the link to the article view"
browse "$T/article" --dump-dom "$URL$link"
grep -q '<h1>As the 2024 U.S. presidential race' "$T/article" || bad "the article view has no title"
grep -q 'reappoint <mark>Lina</mark> <mark>Khan</mark>' "$T/article" || bad "the article view does not highlight the query"
grep -q 'class="notice" id="hits">[0-9]* matches highlighted' "$T/article" || bad "the article view does not count its matches"

echo "t81: screenshots"
rm -f "$BIN/web-screenshot.png" "$BIN/web-screenshot-phone.png"
browse "$T/s1" --window-size=1280,800 --screenshot="$BIN/web-screenshot.png" "$URL/?q=Lina+Khan+AND+antitrust"
browse "$T/s2" --window-size=390,844 --screenshot="$BIN/web-screenshot-phone.png" "$URL$link"
for png in "$BIN/web-screenshot.png" "$BIN/web-screenshot-phone.png"; do
    [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] ||
        bad "no screenshot $png"
done

if grep -i 'content security policy\|refused to\|uncaught' "$T/log" >"$T/csp"; then
    bad "the browser refused something or the script failed: $(head -3 "$T/csp")"
fi
[ $fail -eq 0 ] && echo "t81: ok (screenshot: $BIN/web-screenshot.png)"
exit $fail
