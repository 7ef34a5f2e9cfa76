#!/usr/bin/python3
"""bench/eval.py - search quality of cti-search --any beside its peers.

    eval.py [--collections time,cranfield,cisi] [--systems cti,fts5,...]
            [--bin DIR] [--cti-args "ARGS"] [--keep DIR] [--markdown FILE]
            [--json FILE] [--per-query]

Every collection under bench/eval/ (docs.jsonl, topics.tsv, qrels.txt;
see each SOURCE.md) is indexed by each system, every topic is run as a
ranked "any of the words" query (1000 hits), and the runs are scored with
bench/eval/trec-eval-lite: MAP, P@10, nDCG@10 and recall@100.

Systems:
  cti          cti-index, then one `cti-search --any --json -n 1000
               --no-snippets` process per topic: what a user gets
  fts5         SQLite FTS5 (porter unicode61), articles(id, title, body),
               every word of the topic OR-ed, ORDER BY bm25
  fts5-stop    the same without the Snowball English stop words
  xapian       python3-xapian as its documentation shows it: TermGenerator
               (English, STEM_SOME, title under S and unprefixed),
               QueryParser with OR as the default operator, BM25 defaults
  xapian-stop  the same with the Snowball stop list as the QueryParser's
               stopper

A repeated word stays repeated in every peer's query (FTS5 and Xapian
both weigh it once per occurrence).  Cranfield is scored on qrels.txt
(source papers not relevant; see bench/eval/cranfield/SOURCE.md).

The table gives, per collection, each system's MAP, P@10 and nDCG@10, and
for cti the paired randomization test of its MAP against the best peer's
(two-sided p over 20,000 permutations of the per-query AP differences,
fixed seed).
"""

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EVAL = os.environ.get("EVAL_DIR") or os.path.join(HERE, "eval")
TREC_EVAL = os.path.join(HERE, "eval", "trec-eval-lite")
DEPTH = 1000
COLLECTIONS = ["time", "cranfield", "cisi"]
SYSTEMS = ["cti", "fts5", "fts5-stop", "xapian", "xapian-stop"]
MEASURES = [("map", "MAP"), ("P_10", "P@10"), ("ndcg_cut_10", "nDCG@10")]
WORD = re.compile(r"[^\W_]+")


def log(msg):
    sys.stderr.write("eval: %s\n" % msg)
    sys.stderr.flush()


def read_docs(coll):
    with open(os.path.join(EVAL, coll, "docs.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_topics(coll):
    topics = []
    with open(os.path.join(EVAL, coll, "topics.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                qid, text = line.split("\t", 1)
                topics.append((qid, text))
    return topics


def stopwords():
    with open(os.path.join(HERE, "eval", "stopwords", "english.snowball.txt"),
              encoding="utf-8") as f:
        return {w.strip() for w in f if w.strip()}


def write_run(path, ranked):
    """ranked: {qid: [(docid, score), ...]} best first."""
    with open(path, "w", encoding="utf-8") as f:
        for qid, hits in ranked.items():
            for rank, (docid, score) in enumerate(hits, 1):
                f.write("%s Q0 %s %d %.6f run\n" % (qid, docid, rank, score))


# ---------------------------------------------------------------- cti

def run_cti(coll, work, args):
    db = os.path.join(work, coll + ".cti")
    if not os.path.isdir(db):
        p = subprocess.run([os.path.join(args.bin, "cti-index"), "--db", db,
                            "--quiet", os.path.join(EVAL, coll, "docs.jsonl")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        if p.returncode != 0:
            raise SystemExit("eval: cti-index failed on %s: %s" % (coll, p.stderr))
    extra = args.cti_args.split() if args.cti_args else []
    ranked = {}
    for qid, text in read_topics(coll):
        argv = [os.path.join(args.bin, "cti-search"), "--db", db, "--any",
                "--json", "-n", str(DEPTH), "--no-snippets"] + extra + ["--", text]
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if p.returncode not in (0, 1):
            raise SystemExit("eval: cti-search failed on %s topic %s: %s"
                             % (coll, qid, p.stderr.strip()))
        hits = []
        for line in p.stdout.splitlines():
            h = json.loads(line)
            hits.append((h["id"], h["score"]))
        ranked[qid] = hits
    return ranked


# ---------------------------------------------------------------- FTS5

def run_fts5(coll, work, stop):
    path = os.path.join(work, coll + ".fts5")
    fresh = not os.path.exists(path)
    con = sqlite3.connect(path)
    if fresh:
        con.execute("CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, "
                    "title, body, tokenize='porter unicode61')")
        con.executemany("INSERT INTO articles VALUES (?, ?, ?)",
                        [(str(d["id"]), d.get("title") or "", d.get("text") or "")
                         for d in read_docs(coll)])
        con.commit()
    ranked = {}
    for qid, text in read_topics(coll):
        words = [w for w in WORD.findall(text.lower()) if not stop or w not in stop]
        if not words:
            ranked[qid] = []
            continue
        match = " OR ".join('"%s"' % w for w in words)
        rows = con.execute("SELECT id, bm25(articles) FROM articles WHERE articles "
                           "MATCH ? ORDER BY bm25(articles) LIMIT ?",
                           (match, DEPTH)).fetchall()
        ranked[qid] = [(r[0], -r[1]) for r in rows]
    con.close()
    return ranked


# ---------------------------------------------------------------- Xapian

def run_xapian(coll, work, stop):
    import xapian
    path = os.path.join(work, coll + ".xapian")
    if not os.path.isdir(path):
        db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
        tg = xapian.TermGenerator()
        tg.set_stemmer(xapian.Stem("english"))
        for d in read_docs(coll):
            doc = xapian.Document()
            tg.set_document(doc)
            title = d.get("title") or ""
            if title:
                tg.index_text(title, 1, "S")
                tg.index_text(title)
                tg.increase_termpos()
            tg.index_text(d.get("text") or "")
            doc.set_data(str(d["id"]))
            doc.add_boolean_term("Q" + str(d["id"]))
            db.replace_document("Q" + str(d["id"]), doc)
        db.commit()
        db.close()
    db = xapian.Database(path)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_OR)
    qp.set_database(db)
    stopper = None
    if stop:
        stopper = xapian.SimpleStopper()
        for w in sorted(stop):
            stopper.add(w)
        qp.set_stopper(stopper)
    enq = xapian.Enquire(db)
    enq.set_weighting_scheme(xapian.BM25Weight())
    ranked = {}
    for qid, text in read_topics(coll):
        # Plain words: the topics are questions, not query syntax.
        q = qp.parse_query(" ".join(WORD.findall(text.lower())), 0)
        enq.set_query(q)
        m = enq.get_mset(0, DEPTH)
        ranked[qid] = [(it.document.get_data().decode(), it.weight) for it in m]
    return ranked


# ---------------------------------------------------------------- scoring

def score(coll, run_path):
    p = subprocess.run([sys.executable, TREC_EVAL, "-q", "--json",
                        os.path.join(EVAL, coll, "qrels.txt"), run_path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       check=False)
    if p.returncode != 0:
        raise SystemExit("eval: trec-eval-lite failed: %s" % p.stderr)
    return json.loads(p.stdout)


def per_query_ap(result):
    return {qid: m["map"] for qid, m in result.get("per_query", {}).items()}


def randomization_p(a, b, rounds=20000, seed=1):
    """Two-sided paired randomization test of mean(a - b) over common keys."""
    keys = sorted(set(a) & set(b))
    diffs = [a[k] - b[k] for k in keys]
    if not diffs:
        return 1.0
    obs = abs(sum(diffs))
    rng = random.Random(seed)
    hits = 0
    for _ in range(rounds):
        s = sum(d if rng.random() < 0.5 else -d for d in diffs)
        if abs(s) >= obs - 1e-12:
            hits += 1
    return (hits + 1) / (rounds + 1)


def markdown(results, systems, colls):
    lines = ["| collection | system | MAP | P@10 | nDCG@10 |",
             "|---|---|---|---|---|"]
    for coll in colls:
        peers = [s for s in systems if s != "cti" and s in results[coll]]
        best = max(peers, key=lambda s: results[coll][s]["all"]["map"]) if peers else None
        for s in systems:
            r = results[coll].get(s)
            if not r:
                continue
            cells = []
            for key, _name in MEASURES:
                v = "%.4f" % r["all"][key]
                if s == "cti" and best and key == "map":
                    v = "**%s**" % v if r["all"]["map"] > results[coll][best]["all"]["map"] else v
                cells.append(v)
            name = s
            if s == best:
                name += " (best peer)"
            if s == "cti" and best:
                p = randomization_p(per_query_ap(r), per_query_ap(results[coll][best]))
                d = r["all"]["map"] - results[coll][best]["all"]["map"]
                name += " (%+.4f MAP vs %s, p %s)" % (d, best, "< 0.001" if p < 0.001 else "= %.3f" % p)
            lines.append("| %s | %s | %s |" % (coll, name, " | ".join(cells)))
    return "\n".join(lines) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collections", default=",".join(COLLECTIONS))
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--bin", default=os.environ.get("CTI_BIN", "build"))
    ap.add_argument("--cti-args", default=os.environ.get("CTI_SEARCH_ARGS", ""))
    ap.add_argument("--keep", default=os.environ.get("EVAL_KEEP", ""),
                    help="keep indexes and runs in this folder (reused)")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--json", help="write every measure (per query too) here")
    args = ap.parse_args(argv[1:])
    colls = [c for c in args.collections.split(",") if c]
    systems = [s for s in args.systems.split(",") if s]
    for s in systems:
        if s not in SYSTEMS:
            ap.error("unknown system '%s' (%s)" % (s, ", ".join(SYSTEMS)))
    for c in colls:
        if not os.path.isfile(os.path.join(EVAL, c, "topics.tsv")):
            ap.error("unknown collection '%s'" % c)
    if "cti" in systems:
        for p in ("cti-index", "cti-search"):
            if not os.access(os.path.join(args.bin, p), os.X_OK):
                raise SystemExit("eval: no %s/%s (run make first)" % (args.bin, p))
    if args.keep:
        work = args.keep
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="cti-eval-")
    stop = stopwords()
    results = {}
    try:
        for coll in colls:
            results[coll] = {}
            for s in systems:
                t0 = time.perf_counter()
                if s == "cti":
                    ranked = run_cti(coll, work, args)
                elif s.startswith("fts5"):
                    ranked = run_fts5(coll, work, stop if s.endswith("-stop") else None)
                else:
                    ranked = run_xapian(coll, work, stop if s.endswith("-stop") else None)
                run_path = os.path.join(work, "%s.%s.run" % (coll, s))
                write_run(run_path, ranked)
                results[coll][s] = score(coll, run_path)
                a = results[coll][s]["all"]
                log("%-9s %-11s MAP %.4f  P@10 %.4f  nDCG@10 %.4f  (%.1f s)%s"
                    % (coll, s, a["map"], a["P_10"], a["ndcg_cut_10"],
                       time.perf_counter() - t0,
                       " " + args.cti_args if s == "cti" and args.cti_args else ""))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    table = markdown(results, systems, colls)
    sys.stdout.write(table)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(table)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
