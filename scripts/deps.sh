#!/bin/sh
# Check that the Debian packages cti needs are installed; install the
# missing ones with apt-get when running as root, otherwise print the
# exact command to run and fail.
#
#   scripts/deps.sh [build|test|bench|bench-peers|fuzz|valgrind]...
#                                                (default: build)
#
# Fast when everything is there: one dpkg-query call.
set -u

build="make gcc g++ pkg-config libxapian-dev libstemmer-dev zlib1g-dev libutf8proc-dev libjansson-dev libjemalloc-dev libxml2-dev libcsv-dev"
test="libcmocka-dev xapian-tools python3 python3-xapian tmux"
bench="python3 python3-xapian sqlite3 xapian-tools"
# make bench with BENCH_PEERS set: Lucene 8 (our small indexer and searcher
# in bench/lucene/ are compiled with javac at bench time) and Sphinx 2.2
# (its searchd is queried with the MariaDB command-line client).
bench_peers="default-jdk-headless liblucene8-java sphinxsearch mariadb-client-core"
fuzz="clang libclang-rt-14-dev"
valgrind="valgrind"

want=""
[ $# -eq 0 ] && set -- build
for set in "$@"; do
    case "$set" in
    build) want="$want $build" ;;
    test) want="$want $build $test" ;;
    bench) want="$want $build $bench" ;;
    bench-peers) want="$want $bench_peers" ;;
    fuzz) want="$want $build $fuzz" ;;
    valgrind) want="$want $build $valgrind" ;;
    *) echo "deps.sh: unknown set '$set' (build, test, bench, bench-peers, fuzz, valgrind)" >&2; exit 2 ;;
    esac
done

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $want 2>/dev/null |
                awk '$2 == "installed" { print $1 }')
    for p in $want; do
        case " $missing " in *" $p "*) continue ;; esac
        if ! printf '%s\n' "$installed" | grep -qx "$p"; then
            missing="$missing $p"
        fi
    done
else
    echo "deps.sh: no dpkg-query: not a Debian system; install the equivalents of:$want" >&2
    exit 0
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "deps.sh: installing missing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends $missing >&2; then
        apt-get update -q >&2 && apt-get install -y -q --no-install-recommends $missing >&2 || {
            echo "deps.sh: apt-get could not install:$missing" >&2
            exit 1
        }
    fi
    exit 0
fi

echo "deps.sh: missing Debian packages:$missing" >&2
echo "deps.sh: install them with:  sudo apt-get install$missing" >&2
exit 1
