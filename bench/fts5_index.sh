#!/bin/sh
# SQLite FTS5 indexing, entirely through the sqlite3 command-line tool.
#
#   fts5_index.sh DB PATH...
#
# Creates (if needed) the table
#   articles(path UNINDEXED, title, body) USING fts5, tokenize='porter unicode61'
# and loads every file not named .* under each PATH (a file or a folder, recursive)
# with the CLI's own fsdir() and readfile() functions: no preprocessing, no
# Python.  The title is the first line when it is short (<= 300 bytes) and
# followed by a blank line (the rule bench/xapian_index.py uses too); the
# body is the rest.  One transaction per run.  Prints the number of
# articles loaded as one JSON line.
set -eu
[ $# -ge 2 ] || { echo "usage: fts5_index.sh DB PATH..." >&2; exit 2; }
db=$1; shift
{
    echo "CREATE VIRTUAL TABLE IF NOT EXISTS articles USING fts5(path UNINDEXED, title, body, tokenize='porter unicode61');"
    echo "CREATE TEMP TABLE loaded(n INTEGER);"
    echo "BEGIN;"
    for p in "$@"; do
        q=$(printf '%s' "$p" | sed "s/'/''/g")
        cat <<SQL
WITH f AS (SELECT name, CAST(data AS TEXT) AS t, length(data) AS b
           FROM fsdir('$q')
           WHERE name NOT LIKE '%/.%' AND (mode & 61440) = 32768
           ORDER BY name),
     s AS (SELECT name, t, b, instr(t, char(10)) AS nl FROM f)
INSERT INTO articles(path, title, body)
SELECT name,
       CASE WHEN nl BETWEEN 2 AND 301 AND substr(t, nl + 1, 1) = char(10)
            THEN substr(t, 1, nl - 1) ELSE '' END,
       CASE WHEN nl BETWEEN 2 AND 301 AND substr(t, nl + 1, 1) = char(10)
            THEN substr(t, nl + 1) ELSE t END
FROM s;
INSERT INTO loaded VALUES(changes());
SQL
    done
    echo "COMMIT;"
    echo "SELECT json_object('articles', sum(n)) FROM loaded;"
} | sqlite3 -batch "$db"
