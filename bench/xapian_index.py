#!/usr/bin/python3
"""Xapian's own indexing pipeline: the baseline a Xapian user would write.

    xapian_index.py DB PATH...

Walks each PATH (a file or a folder, recursively; in sorted order, every
file whose name does not start with ".", as cti-index does with text
files) and indexes every file as one document with python3-xapian's
TermGenerator: English stemmer, default strategy (STEM_SOME), positions.
The title (the first line, when it is short and followed by a blank line,
the rule bench/fts5.sh uses too) is indexed with the "S" prefix and again
unprefixed; the rest of the text follows it.  The document data holds the
whole text, and the unique term "Q" + path lets a re-run replace instead of
duplicate.  Commits once at the end (Xapian flushes itself every 10000
documents).  Prints one JSON line: {"articles": N, "bytes": B, "seconds": S}.
"""

import json
import os
import sys
import time

import xapian

TITLE_MAX = 300


def files_of(path):
    if os.path.isfile(path):
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)


def split_title(text):
    """The first line is the title when short and followed by a blank line."""
    nl = text.find("\n")
    if 0 < nl <= TITLE_MAX and text[nl + 1:nl + 2] == "\n":
        return text[:nl], text[nl + 1:]
    return "", text


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: xapian_index.py DB PATH...\n")
        return 2
    t0 = time.perf_counter()
    db = xapian.WritableDatabase(argv[1], xapian.DB_CREATE_OR_OPEN)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    n = 0
    nbytes = 0
    for root in argv[2:]:
        for path in files_of(root):
            with open(path, "rb") as f:
                raw = f.read()
            text = raw.decode("utf-8", "replace")
            title, body = split_title(text)
            doc = xapian.Document()
            tg.set_document(doc)
            if title:
                tg.index_text(title, 1, "S")
                tg.index_text(title)
                tg.increase_termpos()
            tg.index_text(body)
            doc.set_data(text)
            uid = "Q" + os.path.abspath(path)
            if len(uid) > 240:
                uid = uid[:240]
            doc.add_boolean_term(uid)
            db.replace_document(uid, doc)
            n += 1
            nbytes += len(raw)
    db.commit()
    db.close()
    print(json.dumps({"articles": n, "bytes": nbytes,
                      "seconds": round(time.perf_counter() - t0, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
