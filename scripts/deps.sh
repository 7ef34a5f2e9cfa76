#!/bin/sh
# Check that the Debian packages cti needs are installed; install the
# missing ones with apt-get when running as root, otherwise print the
# exact command to run and fail.
#
#   scripts/deps.sh [build|test|bench|bench-peers|fuzz|valgrind]...
#                                                (default: build)
#
# Fast when everything is there: a dpkg-query call or two.
set -u

build="make gcc g++ pkg-config libxapian-dev libstemmer-dev zlib1g-dev libzstd-dev libutf8proc-dev libjansson-dev libjemalloc-dev libxml2-dev libcsv-dev libmicrohttpd-dev xxd"
test="libcmocka-dev xapian-tools python3 python3-xapian tmux curl"
# The browser test (tests/e2e/t81) runs headless Chromium when it can be
# installed, and is skipped when it cannot: a failure here is not fatal.
test_optional="chromium fonts-dejavu-core"
bench="python3 python3-xapian sqlite3 xapian-tools apache2-utils curl"
# make bench with BENCH_PEERS set: Lucene 8 (our small indexer and searcher
# in bench/lucene/ are compiled with javac at bench time) and Sphinx 2.2
# (its searchd is queried with the MariaDB command-line client).
bench_peers="default-jdk-headless liblucene8-java sphinxsearch mariadb-client-core"
fuzz="clang libclang-rt-14-dev"
valgrind="valgrind"

want=""
optional=""
[ $# -eq 0 ] && set -- build
for set in "$@"; do
    case "$set" in
    build) want="$want $build" ;;
    test) want="$want $build $test"; optional="$optional $test_optional" ;;
    bench) want="$want $build $bench" ;;
    bench-peers) want="$want $bench_peers" ;;
    fuzz) want="$want $build $fuzz" ;;
    valgrind) want="$want $build $valgrind" ;;
    *) echo "deps.sh: unknown set '$set' (build, test, bench, bench-peers, fuzz, valgrind)" >&2; exit 2 ;;
    esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: no dpkg-query: not a Debian system; install the equivalents of:$want$optional" >&2
    exit 0
fi

# The packages of the list "$1" that are not installed (each once).
missing_of() {
    [ -n "${1# }" ] || return 0
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $1 2>/dev/null |
                awk '$2 == "installed" { print $1 }')
    out=""
    for p in $1; do
        case " $out " in *" $p "*) continue ;; esac
        printf '%s\n' "$installed" | grep -qx "$p" || out="$out $p"
    done
    printf '%s' "$out"
}

# apt-get install "$@", with an update and a second try if the first fails.
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "$@" >&2 ||
        { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "$@" >&2; }
}

missing=$(missing_of "$want")
missing_opt=$(missing_of "$optional")
[ -z "$missing$missing_opt" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    if [ -n "$missing" ]; then
        echo "deps.sh: installing missing Debian packages:$missing" >&2
        apt_install $missing || {
            echo "deps.sh: apt-get could not install:$missing" >&2
            exit 1
        }
    fi
    if [ -n "$missing_opt" ]; then
        echo "deps.sh: installing optional Debian packages:$missing_opt" >&2
        apt_install $missing_opt ||
            echo "deps.sh: could not install:$missing_opt (the tests that need them are skipped)" >&2
    fi
    exit 0
fi

[ -n "$missing_opt" ] &&
    echo "deps.sh: optional packages missing:$missing_opt (the tests that need them are skipped; sudo apt-get install$missing_opt)" >&2
[ -z "$missing" ] && exit 0
echo "deps.sh: missing Debian packages:$missing" >&2
echo "deps.sh: install them with:  sudo apt-get install$missing" >&2
exit 1
