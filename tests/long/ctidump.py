#!/usr/bin/env python3
"""Helpers for the long reliability trials: dump and compare cti indexes.

    ctidump.py dump BIN DB OUT       every article of DB as JSON lines, by id
    ctidump.py check DUMP CLEAN [--prefix ORDER] [--old OLDCLEAN] [--keep] [--same]
        DUMP's articles must each equal the same article in CLEAN (or in
        OLDCLEAN: an update not yet applied); with --prefix, the ids
        present must be the first ids of ORDER (one id per line); with
        --keep, every article of CLEAN must be there (in either version);
        with --same, DUMP must hold exactly CLEAN's articles.
    ctidump.py titles DUMP N         N titles of DUMP safe to search, "id\\ttitle"

A dump line holds the id, the title and the whole stored text (as the
article's opening snippet, which cti-search builds from the inflated body),
so equal dumps mean equal stored articles.
"""
import json
import subprocess
import sys

MATCH_ALL = "-zzqqxxnotaword"  # a query of exclusions only matches every article


def dump(binp, db, out):
    r = subprocess.run([binp + "/cti-search", "--db", db, "--json", "-n", "10000000",
                        "--snippet-size", "100000000", "--fragments", "1", "--color", "never",
                        "--no-collapse",
                        "--", MATCH_ALL], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    if r.returncode not in (0, 1):
        sys.stderr.write("cti-search failed (exit %d): %s\n" % (r.returncode, r.stderr.decode(errors="replace")))
        sys.exit(2)
    arts = {}
    for line in r.stdout.decode().splitlines():
        h = json.loads(line)
        rec = {k: h.get(k) for k in ("id", "title", "snippet", "date", "author", "source", "url")}
        if rec["id"] in arts:
            sys.stderr.write("duplicate article id %s\n" % rec["id"])
            sys.exit(1)
        arts[rec["id"]] = rec
    with open(out, "w") as f:
        for k in sorted(arts):
            f.write(json.dumps(arts[k], sort_keys=True) + "\n")


def load(path):
    return {json.loads(l)["id"]: json.loads(l) for l in open(path)}


def check(args):
    d, clean = load(args[0]), load(args[1])
    order = old = None
    same = "--same" in args
    if "--prefix" in args:
        order = [l.rstrip("\n") for l in open(args[args.index("--prefix") + 1])]
    if "--old" in args:
        old = load(args[args.index("--old") + 1])
    bad = 0
    for k, v in d.items():
        if clean.get(k) == v or (old is not None and old.get(k) == v):
            continue
        bad += 1
        if bad <= 5:
            why = "not in the clean build" if k not in clean else "differs from the clean build"
            sys.stderr.write("article %s %s\n" % (k, why))
    if "--keep" in args:
        # Nothing lost: every article of CLEAN is there (in either version).
        missing = sorted(set(clean) - set(d))
        for k in missing[:5]:
            sys.stderr.write("article %s missing\n" % k)
        bad += len(missing)
    if same:
        missing = sorted(set(clean) - set(d))
        for k in missing[:5]:
            sys.stderr.write("article %s missing\n" % k)
        bad += len(missing)
    if order is not None:
        n = len(d)
        if set(order[:n]) != set(d):
            extra = sorted(set(d) - set(order[:n]))[:3]
            sys.stderr.write("the %d articles present are not the first %d in walk order (e.g. %s)\n"
                             % (n, n, extra))
            bad += 1
    print("%d articles, %d bad" % (len(d), bad))
    sys.exit(1 if bad else 0)


def titles(path, n):
    out = []
    for v in load(path).values():
        t = v.get("title") or ""
        if t and all(c.isalnum() or c in " ,.'" for c in t) and len(t.split()) >= 3:
            out.append("%s\t%s" % (v["id"], t))
    step = max(1, len(out) // n) if out else 1
    for line in out[::step][:n]:
        print(line)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "dump":
        dump(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "check":
        check(sys.argv[2:])
    elif cmd == "titles":
        titles(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)
