#!/bin/sh
# cti-web over HTTP (curl): every route, the JSON API byte for byte against
# cti-search --json, hostile requests (huge and malformed queries, bad
# UTF-8, path tricks, bodies, other hosts, many connections at once, idle
# connections), hostile article content, and searches while cti-index
# writes.  Servers listen on 127.0.0.1 only, on ports the kernel picks.
set -eu
NAME=t80
. tests/lib/e2e.sh
DATA=${CTI_TEST_DATA:-tests/data}
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

# start NAME ARGS...: run cti-web in the background; its URL in $URL,
# its process in $pid.
start() {
    name=$1
    shift
    "$BIN/cti-web" --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
    pid=$!
    pids="$pids $pid"
    i=0
    while ! grep -q ' at http' "$T/$name.out" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "t80: FAIL: cti-web did not start: $(cat "$T/$name.err")" >&2
            exit 1
        fi
        sleep 0.1
    done
    URL=$(sed -n 's/.* at //p' "$T/$name.out")
    URL=${URL%/}
}

# get PATH [CURL-ARGS...]: the status in $code, the body in $T/body,
# the headers in $T/head.
get() {
    p=$1
    shift
    code=$(curl -s --path-as-is --max-time 30 -D "$T/head" -o "$T/body" \
                -w '%{http_code}' "$@" "$URL$p") || true
}

expect() { # expect CODE WHAT
    [ "$code" = "$1" ] || bad "$2: HTTP $code, expected $1: $(head -c 300 "$T/body")"
}

has() { # has TEXT WHAT: the body holds TEXT
    grep -qF -- "$1" "$T/body" || bad "$2: the reply lacks '$1'"
}

hasnt() {
    ! grep -qF -- "$1" "$T/body" || bad "$2: the reply holds '$1'"
}

cat > "$T/hostile.jsonl" <<'JSONL'
{"id": "evil <1> & \"2\"", "title": "<script>alert(1)</script>", "date": "2024-07-04", "source": "<b>Evil</b> \"News\"", "author": "O'Brien", "url": "javascript:alert(2)", "text": "<img src=x onerror=alert(3)> antitrust & \"quotes\" \u001b[31mred\u001b[0m \u202eevil"}
{"id": "plain", "title": "Antitrust roundup", "date": "2024-08-01", "source": "Daily Planet", "url": "https://example.com/a?b=1&c=<2>", "text": "An antitrust roundup for the summer."}
JSONL
"$BIN/cti-index" --db "$T/m.cti" corpus/ "$DATA/sotu.jsonl" "$T/hostile.jsonl" >/dev/null 2>&1
start main --db "$T/m.cti"
main_pid=$pid
case $URL in http://127.0.0.1:[0-9]*) ;; *) bad "not on 127.0.0.1: $URL" ;; esac

echo "t80: every route"
get /
expect 200 "start page"
has 'Search 238 articles' "start page"
has 'autofocus' "start page"
grep -qi '^content-security-policy: default-src .self.;' "$T/head" || bad "no CSP on /"
grep -qi '^x-content-type-options: nosniff' "$T/head" || bad "no nosniff on /"
grep -qi '^content-type: text/html; charset=utf-8' "$T/head" || bad "/ is not HTML"
get '/?q=Lina+Khan+AND+antitrust'
expect 200 "search page"
has '<strong>1</strong> match' "search page"
has 'reappoint <mark>Lina</mark> <mark>Khan</mark>' "search page"
has '01-harris-courts-silicon-valley.txt' "search page"
link=$(grep -o 'href="/article?id=[^"]*"' "$T/body" | head -1 | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
get "$link"
expect 200 "article view ($link)"
has '<mark>antitrust</mark>' "article view"
has '← Results for <q>Lina Khan AND antitrust</q>' "article view"
get '/?q=slavery&sort=-date&n=3&offset=3'
expect 200 "sorted, paged page"
has '<ol class="hits" start="4">' "paged page"
has 'rel="prev"' "paged page"
has 'By decade' "timeline"
has 'Top authors' "author counts"
has 'href="/?q=slavery%20date%3A1860..1869&amp;sort=-date&amp;n=3"' "timeline link"
link=$(grep -o 'href="/article?id=[^"]*"' "$T/body" | head -1 | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
get "$link"
expect 200 "article from a sorted, paged page"
has 'href="/?q=slavery&amp;sort=-date&amp;offset=3&amp;n=3">← Results' "link back to the same page"
get '/?q=antitrast'
expect 200 "no match"
has 'Did you mean <a href="/?q=antitrust">antitrust</a>?' "did you mean"
get '/?q=Lina+AND'
expect 400 "syntax error page"
has 'Syntax error at column' "syntax error page"
get '/?q=zebracorn+OR+%22vice+president%22&any=1'
expect 200 "--any page"
has 'value="1" checked' "--any page keeps the box ticked"
get '/api/search?q=Harris'
expect 200 "/api/search"
grep -qi '^content-type: application/x-ndjson' "$T/head" || bad "/api/search type"
get '/api/article?id=plain&q=roundup'
expect 200 "/api/article"
python3 - "$T/body" <<'PY' || bad "/api/article JSON"
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
assert a["id"] == "plain" and a["source"] == "Daily Planet", a
spans = [a["text"].encode()[s:e].decode() for s, e in a["highlights"]]
assert spans == ["roundup"], spans
PY
echo "t80: the article API prints what cti-search --show --json prints"
for args in 'id=plain&q=roundup|plain|roundup' 'id=plain&q=summer+OR+roundup|plain|summer OR roundup' \
            "id=$(printf %s "$PWD/corpus/01-harris-courts-silicon-valley.txt" | sed 's#/#%2F#g')&q=Lina+Khan+AND+antitrust|$PWD/corpus/01-harris-courts-silicon-valley.txt|Lina Khan AND antitrust" \
            'id=evil+%3C1%3E+%26+%222%22&q=antitrust|evil <1> & "2"|antitrust'; do
    qs=${args%%|*}
    rest=${args#*|}
    id=${rest%%|*}
    q=${rest#*|}
    get "/api/article?$qs"
    expect 200 "/api/article?$qs"
    "$BIN/cti-search" --db "$T/m.cti" --show "$id" --json -- "$q" >"$T/cli" 2>"$T/err" ||
        bad "cti-search --show '$id': $(cat "$T/err")"
    cmp -s "$T/body" "$T/cli" || bad "/api/article?$qs differs from cti-search --show --json"
done

for asset in style.css:text/css app.js:text/javascript favicon.svg:image/svg+xml; do
    get "/assets/${asset%%:*}"
    expect 200 "asset ${asset%%:*}"
    grep -qi "^content-type: ${asset#*:}" "$T/head" || bad "asset ${asset%%:*} type"
    cmp -s "$T/body" "web/assets/${asset%%:*}" || bad "asset ${asset%%:*} differs from web/assets/"
    grep -qi '^x-content-type-options: nosniff' "$T/head" || bad "no nosniff on ${asset%%:*}"
done
get /nope
expect 404 "unknown page"
grep -qi '^content-security-policy: default-src' "$T/head" || bad "no CSP on 404"
get /api/nope
expect 404 "unknown API route"
has '"error"' "unknown API route"
get '/article?id=no-such-article'
expect 404 "unknown article"
get '/api/article?id=no-such-article'
expect 404 "unknown article (API)"
get /article
expect 400 "article without id"
code=$(curl -s -I -o "$T/head" -w '%{http_code}' "$URL/") || true
expect 200 "HEAD /"

echo "t80: the JSON API prints what cti-search --json prints"
n=0
while IFS='|' read -r args q; do
    # shellcheck disable=SC2086
    curl -s -G --data-urlencode "q=$q" $args "$URL/api/search" >"$T/api" || bad "curl $q"
    opts=$(printf '%s' "$args" | sed 's/--data-urlencode any=1/--any/; s/--data-urlencode sort=/--sort /;
        s/--data-urlencode offset=/--offset /; s/--data-urlencode n=/-n /')
    rc=0
    # shellcheck disable=SC2086
    "$BIN/cti-search" --db "$T/m.cti" --json $opts -- "$q" >"$T/cli" 2>/dev/null || rc=$?
    [ $rc -le 1 ] || bad "cti-search exited $rc for $q"
    cmp -s "$T/api" "$T/cli" || bad "API and cti-search --json differ for [$args] $q"
    n=$((n + 1))
done <<'QUERIES'
|Lina Khan AND antitrust
|"Silicon Valley" NEAR/5 Harris
|title:Bloomberg
|tech -Harris
|antitrust
|slavery
--data-urlencode any=1|what did Lina Khan do about big tech?
--data-urlencode sort=-date --data-urlencode n=5|war OR peace
--data-urlencode sort=date --data-urlencode offset=7 --data-urlencode n=3|union
--data-urlencode offset=2 --data-urlencode n=2|tax*
|zebracornnothing
|date:1860..1869 slavery
QUERIES
echo "t80: $n queries compared"
get '/api/search?q=%22unclosed'
expect 400 "API syntax error"
has '"column":1' "API syntax error"
get '/api/search'
expect 400 "API without a query"

echo "t80: hostile article content is shown as text"
get '/?q=antitrust+date:2024'
expect 200 "hostile search"
has '&lt;script&gt;alert(1)&lt;/script&gt;' "hostile title"
has '&lt;b&gt;Evil&lt;/b&gt; &quot;News&quot;' "hostile source"
has '&lt;img src=x onerror=alert(3)&gt;' "hostile text"
hasnt '<script>alert' "hostile search"
hasnt '<img src=x' "hostile search"
hasnt '<b>Evil' "hostile search"
hasnt "$(printf '\033')" "hostile search (escape byte)"
hasnt "$(printf '\342\200\256')" "hostile search (bidi override)"
link=$(grep -o 'href="/article?id=evil[^"]*"' "$T/body" | head -1 | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
[ -n "$link" ] || bad "no link to the hostile article"
get "$link"
expect 200 "hostile article ($link)"
has '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>' "hostile article title"
has 'evil &lt;1&gt; &amp; &quot;2&quot;' "hostile article id"
hasnt '<script>alert' "hostile article"
hasnt 'href="javascript' "hostile article url"
get '/article?id=plain'
has 'href="https://example.com/a?b=1&amp;c=&lt;2&gt;" rel="noopener noreferrer nofollow"' "article url link"

echo "t80: hostile requests get a 4xx with a message"
big=$(python3 -c 'print("a" * 1100)')
get "/?q=$big"
expect 400 "query over 1 KB"
has 'at most 1024' "query over 1 KB"
huge=$(python3 -c 'print("a" * 100000)')
get "/?q=$huge"
case $code in 414|431) ;; *) bad "100 KB URL: HTTP $code, expected 414" ;; esac
get / -H "X-Big: $huge"
case $code in 413|431) ;; *) bad "100 KB header: HTTP $code, expected 431" ;; esac
get '/?q=caf%C3'
expect 400 "bad UTF-8 (cut character)"
has 'not valid UTF-8' "bad UTF-8"
get '/?q=%FF%FE'
expect 400 "bad UTF-8 (bytes)"
get '/api/search?q=a%00b'
expect 400 "NUL in the query"
get '/?q=x&sort=title'
expect 400 "bad sort"
get '/?q=x&offset=-1'
expect 400 "bad offset"
get '/?q=x&n=1000'
expect 400 "bad n"
get '/?q=x&any=maybe'
expect 400 "bad any"
for p in '/../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' '/assets/../../../etc/passwd' \
         '/assets/..%2f..%2fMakefile' '/assets/%2e%2e/Makefile' '/assets/' '/assets' \
         '/web/assets/style.css' '/assets/style.css/' '//etc/passwd' '/assets/style.css%00.js'; do
    get "$p"
    expect 404 "path $p"
    hasnt 'root:' "path $p"
done
get / -X POST -d 'q=x'
expect 405 "POST"
grep -qi '^allow: GET, HEAD' "$T/head" || bad "405 without Allow"
get / -X DELETE
expect 405 "DELETE"
get / -X GET -d 'q=x'
expect 413 "GET with a body"
get / -H 'Host: attacker.example'
expect 403 "another Host (DNS rebinding)"
get / -H 'Host: localhost'
expect 200 "Host: localhost"
get / -H 'Host: 127.0.0.1:1'
expect 200 "Host: 127.0.0.1"
# Raw requests that are not HTTP, or are cut short: a 4xx, or the
# connection closed (at the latest after the 10 s idle timeout).
python3 - "$URL" <<'PY' || bad "malformed raw requests"
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
for raw in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
            b"GET /?q=\xff\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n",
            b"GET /?q=a"):
    s = socket.create_connection((u.hostname, u.port), timeout=30)
    s.sendall(raw)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        reply += b
    s.close()
    if reply:
        status = int(reply.split(b" ", 2)[1])
        assert 400 <= status < 500 or status == 505, (raw[:20], reply[:80])
PY
get '/?q=Lina+Khan'
expect 200 "still serving after hostile requests"

echo "t80: many connections at once are bounded"
start small --db "$T/m.cti" --max-connections 8 --threads 2 --timeout 2
: >"$T/codes"
t0=$(date +%s)
for i in $(seq 60); do
    curl -s -o /dev/null --max-time 30 -w '%{http_code}\n' "$URL/?q=union+OR+tax" >>"$T/codes" 2>/dev/null &
done
w=0
while [ "$(wc -l < "$T/codes")" -lt 60 ] && [ $w -lt 600 ]; do
    sleep 0.1
    w=$((w + 1))
done
t1=$(date +%s)
[ "$(wc -l < "$T/codes")" -eq 60 ] || bad "60 parallel requests did not all end"
[ $((t1 - t0)) -le 60 ] || bad "60 parallel requests took $((t1 - t0)) s"
others=$(grep -cv '^\(200\|000\)$' "$T/codes" || true)
[ "$others" -eq 0 ] || bad "parallel requests got other than 200 or a closed connection: $(sort "$T/codes" | uniq -c)"
grep -q '^200$' "$T/codes" || bad "no parallel request was served"
echo "t80: 60 at once: $(grep -c '^200$' "$T/codes") served, $(grep -c '^000$' "$T/codes" || true) turned away, in $((t1 - t0)) s"
# Idle connections fill the 8 places: a request waits for one (the idle
# ones are closed after the 2 s timeout), then is answered.
python3 - "$URL" <<'PY' || bad "idle connections"
import socket, sys, time, urllib.parse, urllib.request
u = urllib.parse.urlparse(sys.argv[1])
socks = []
for i in range(8):
    s = socket.create_connection((u.hostname, u.port), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")   # never finished
    socks.append(s)
time.sleep(0.3)
t0 = time.time()
with urllib.request.urlopen(sys.argv[1] + "/?q=Lina+Khan", timeout=20) as r:
    assert r.status == 200, r.status
waited = time.time() - t0
assert waited >= 1.0, "served at once (%.2f s) while 8 idle connections were open" % waited
for s in socks:
    s.settimeout(10)
    try:
        s.recv(100)
    except socket.timeout:
        raise SystemExit("an idle connection was kept open past the timeout")
    s.close()
print("t80: with 8 idle connections open, a request waited %.1f s for a place" % waited)
PY
get '/?q=Lina+Khan'
expect 200 "serving after idle connections"

echo "t80: searches while cti-index writes"
"$BIN/cti-index" --db "$T/w.cti" corpus/ >/dev/null 2>&1
start writer --db "$T/w.cti"
"$BIN/cti-index" --db "$T/w.cti" "$DATA/sotu.jsonl" >/dev/null 2>"$T/index.err" &
ipid=$!
n=0
while kill -0 "$ipid" 2>/dev/null; do
    get '/api/search?q=Harris+OR+Washington&n=3'
    [ "$code" = 200 ] || { bad "API search during indexing: HTTP $code: $(head -c 300 "$T/body")"; break; }
    get '/?q=Harris+OR+Washington'
    [ "$code" = 200 ] || { bad "page during indexing: HTTP $code: $(head -c 300 "$T/body")"; break; }
    n=$((n + 1))
done
rc=0
wait "$ipid" || rc=$?
[ $rc -eq 0 ] || bad "cti-index exited $rc: $(cat "$T/index.err")"
echo "t80: $n searches during indexing"
get '/api/search?q=title:Washington'
expect 200 "new articles"
[ -s "$T/body" ] || bad "the new articles are not found without a restart"
get '/'
has 'Search 236 articles' "the article count follows the index"

echo "t80: start-up errors and stopping"
rc=0
"$BIN/cti-web" --db "$T/none.cti" --listen 127.0.0.1:0 >/dev/null 2>"$T/err" || rc=$?
[ $rc -eq 2 ] && grep -q "cannot open index" "$T/err" || bad "missing index: exit $rc: $(cat "$T/err")"
for l in 'abc' ':8080' '127.0.0.1:99999' '127.0.0.1:-1' 'no.such.host.invalid:80'; do
    rc=0
    "$BIN/cti-web" --db "$T/m.cti" --listen "$l" >/dev/null 2>"$T/err" || rc=$?
    [ $rc -eq 2 ] && grep -q "listen" "$T/err" || bad "--listen $l: exit $rc: $(cat "$T/err")"
done
port=${URL##*:}
rc=0
"$BIN/cti-web" --db "$T/m.cti" --listen "127.0.0.1:$port" >/dev/null 2>"$T/err" || rc=$?
[ $rc -eq 2 ] && grep -q "in use" "$T/err" || bad "port in use: exit $rc: $(cat "$T/err")"
rc=0
"$BIN/cti-web" --db "$T/m.cti" extra >/dev/null 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || bad "extra argument: exit $rc"
"$BIN/cti-web" --help | grep -q -- '--listen' || bad "--help"
kill -TERM "$main_pid"
rc=0
wait "$main_pid" || rc=$?
[ $rc -eq 0 ] || bad "SIGTERM: exit $rc"

[ $fail -eq 0 ] && echo "t80: ok"
exit $fail
