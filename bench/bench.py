#!/usr/bin/python3
"""The measuring half of make bench (bench/run.sh prepares the corpora).

    bench.py NAME=DIR...

For each corpus: indexes it with cti-index, with Xapian's own pipeline
(bench/xapian_index.py) and with SQLite FTS5 (bench/fts5_index.sh), times
the re-run over the unchanged tree and the addition of single articles,
compacts, runs the fixed query set (bench/queries.txt) one process per
query with each tool, checks that the tools agree on the number of
matching articles, and runs the analyzer floors (bench/analyze).  Prints
Markdown tables with cti's ratio to each peer on stdout and writes the same
text to $BENCH_RESULTS.  Progress goes to stderr.

Environment: O, BENCH_DIR, BENCH_RUNS, BENCH_INDEX_RUNS, BENCH_RESULTS, BENCH_SEED,
BENCH_SIZES (see bench/run.sh); BENCH_CTI_NOSNIP overrides the cti-search
option(s) that turn snippets off (found in cti-search --help otherwise).
"""

import datetime
import json
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import peers

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
PY = sys.executable or "/usr/bin/python3"


def env(name, default):
    v = os.environ.get(name)
    return v if v else default


O = env("O", "build")
if not os.path.isabs(O):
    O = os.path.join(TOP, O)
BENCH_DIR = env("BENCH_DIR", "/tmp/cti-bench")
RUNS = max(3, int(env("BENCH_RUNS", "21")))
INDEX_RUNS = max(1, int(env("BENCH_INDEX_RUNS", "1")))
RESULTS = env("BENCH_RESULTS", os.path.join(HERE, "RESULTS.md"))
CTI_INDEX = os.path.join(O, "cti-index")
CTI_SEARCH = os.path.join(O, "cti-search")
ANALYZE = os.path.join(O, "bench", "analyze")
SNIPPET = os.path.join(O, "bench", "snippet")
SNIPPET_QUERY = "government"
HITS = 10           # results asked of every tool per query
ADDS = 3            # single articles added one by one
IDS_QUERY = env("BENCH_IDS_QUERY", "the")   # -l over every match of this
IDS_RUNS = 5
T_START = time.time()


def log(msg):
    sys.stderr.write("bench: %s %s\n" % (time.strftime("%H:%M:%S", time.gmtime()), msg))
    sys.stderr.flush()


def executable(p):
    return os.path.isfile(p) and os.access(p, os.X_OK)


# ------------------------------------------------------------ processes

class Run:
    __slots__ = ("rc", "out", "err", "secs", "rss_kb", "cpu")


def run(argv, capture=True, stdin=None):
    """Run argv; wall time around fork..reap, peak RSS from wait4()."""
    r = Run()
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL if stdin is None else stdin)
    if capture:
        so, se = p.stdout.read(), p.stderr.read()
    else:
        so, se = b"", p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    r.secs = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    for f in (p.stdout, p.stderr):
        if f:
            f.close()
    r.rc = p.returncode
    r.out = so.decode("utf-8", "replace")
    r.err = se.decode("utf-8", "replace")
    r.rss_kb = ru.ru_maxrss
    r.cpu = ru.ru_utime + ru.ru_stime
    return r


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def disk_bytes(path):
    """Like du -s --block-size=1: allocated blocks of everything under path."""
    if not os.path.exists(path):
        return None
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except OSError:
                pass
    return total


def corpus_files(path):
    out = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if not f.startswith("."):
                out.append(os.path.join(root, f))
    return out


def rm(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.unlink(path)
    for suffix in ("-journal", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)


def median(xs):
    return statistics.median(xs) if xs else None


def pct(xs, p):
    """Nearest-rank percentile."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


# ------------------------------------------------------------ formatting

def fnum(x, digits=1, unit=""):
    if x is None:
        return "n/a"
    if isinstance(x, str):
        return x
    if abs(x) >= 100 and digits > 0:
        digits = 0
    return ("%." + str(digits) + "f%s") % (x, unit)


def ratio_text(r, word):
    return ("%.0f× " if r >= 100 else "%.1f× " if r >= 10 else "%.2f× ") % r + word


def speed_ratio(cti, peer):
    """Times (lower is better): how many times faster cti is."""
    if cti is None or peer is None or cti <= 0 or peer <= 0:
        return "n/a"
    r = peer / cti
    return ratio_text(r, "faster") if r >= 1 else ratio_text(1 / r, "slower")


def rate_ratio(cti, peer):
    """Rates (higher is better)."""
    if cti is None or peer is None or cti <= 0 or peer <= 0:
        return "n/a"
    r = cti / peer
    return ratio_text(r, "faster") if r >= 1 else ratio_text(1 / r, "slower")


def size_ratio(cti, peer):
    """Sizes (lower is better)."""
    if cti is None or peer is None or cti <= 0 or peer <= 0:
        return "n/a"
    r = cti / peer
    return ratio_text(r, "larger") if r > 1 else ratio_text(1 / r, "smaller") if r < 1 else "same"


def met(value, op, limit):
    if value is None:
        return "n/a"
    ok = value >= limit if op == ">=" else value < limit if op == "<" else value <= limit
    return "yes" if ok else "**no**"


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------ cti options

def cti_help(prog):
    if not executable(prog):
        return ""
    r = run([prog, "--help"])
    return r.out + r.err


def nosnip_candidates(help_text):
    """Options that may turn cti-search's snippets off, from its --help."""
    if os.environ.get("BENCH_CTI_NOSNIP"):
        return [shlex.split(os.environ["BENCH_CTI_NOSNIP"])]
    out = []
    for opt, args in (("--no-snippets", ["--no-snippets"]),
                      ("--no-snippet", ["--no-snippet"]),
                      ("--fragments", ["--fragments", "0"]),
                      ("--snippets", ["--snippets", "0"]),
                      ("--snippet", ["--snippet", "0"]),
                      ("--snippet", ["--snippet", "none"]),
                      ("--snippets", ["--snippets", "none"])):
        if re.search(re.escape(opt) + r"(?![\w-])", help_text):
            out.append(args)
    return out


NOSNIP = {}


def nosnip_opts(db):
    """The first candidate cti-search accepts on a real index, or None."""
    if "opts" not in NOSNIP:
        NOSNIP["opts"] = None
        for args in nosnip_candidates(cti_help(CTI_SEARCH)):
            r = run([CTI_SEARCH, "--db", db, "-n", "1"] + args + ["government"])
            if r.rc in (0, 1):
                NOSNIP["opts"] = args
                break
        log("cti-search without snippets: %s"
            % (" ".join(NOSNIP["opts"]) if NOSNIP["opts"] else "no working option"))
    return NOSNIP["opts"]


# ------------------------------------------------------------ queries

QUERY_COLUMNS = ("cti", "xapian", "fts5", "lucene", "sphinx")


def load_queries():
    """queries.txt: name | cti | quest | FTS5 | Lucene | Sphinx | note."""
    qs = []
    with open(os.path.join(HERE, "queries.txt"), encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip().replace("\0", "|")
                     for p in line.rstrip("\n").replace("\\|", "\0").split("|")]
            if len(parts) != len(QUERY_COLUMNS) + 2:
                raise SystemExit("bench: queries.txt:%d: want %d columns "
                                 "(name | %s | note), got %d"
                                 % (lineno, len(QUERY_COLUMNS) + 2,
                                    " | ".join(QUERY_COLUMNS), len(parts)))
            q = {"name": parts[0], "note": "" if parts[-1] == "-" else parts[-1]}
            for col, spelling in zip(QUERY_COLUMNS, parts[1:-1]):
                q[col] = None if spelling == "-" else spelling
            qs.append(q)
    return qs


def query_argv(tool, db, q, nosnip=None):
    if tool == "cti":
        return [CTI_SEARCH, "--db", db, "-n", str(HITS), q]
    if tool == "cti-estimate":
        return [CTI_SEARCH, "--db", db, "-n", str(HITS), "--count-time", "0", q]
    if tool == "cti-nosnip":
        return [CTI_SEARCH, "--db", db, "-n", str(HITS)] + nosnip + [q]
    return PEER[tool].query_argv(db, q, HITS)


# cti-search run with other options: timed, but not tools of their own
CTI_VARIANTS = ("cti-nosnip", "cti-estimate")


def count_of(tool, db, q):
    """Number of matching articles, or an error string."""
    if tool == "cti":
        r = run([CTI_SEARCH, "--db", db, "--count", q])
        if r.rc in (0, 1) and r.out.strip().split()[:1]:
            try:
                return int(r.out.strip().split()[0])
            except ValueError:
                pass
        return "error"
    p = PEER[tool]
    r = run(p.count_argv(db, q))
    return p.count_of(r.rc, r.out)


def printed_count(db, q):
    """The match count cti-search's footer prints for q: (lo, hi), equal
    when it says an exact number; ("at least", n); or an error string.
    With copies collapsed the footer counts stories, then the articles in
    parentheses ("186 stories (188 articles)", "between 116 and 36,749
    stories (at least 4,083 articles)"): the articles are what --count
    counts."""
    r = run(query_argv("cti", db, q))
    if r.rc not in (0, 1):
        return "error"
    last = r.out.strip().splitlines()[-1] if r.out.strip() else ""
    num = lambda s: int(s.replace(",", ""))
    m = re.search(r"\((at least )?([\d,]+) articles\)", last)
    if m:
        return ("at least", num(m.group(2))) if m.group(1) else (num(m.group(2)),) * 2
    m = re.match(r"between ([\d,]+) and ([\d,]+) matches", last)
    if m:
        return (num(m.group(1)), num(m.group(2)))
    m = re.match(r"(about )?([\d,]+) match", last)
    if m:
        return ("about", num(m.group(2))) if m.group(1) else (num(m.group(2)),) * 2
    return (0, 0) if r.rc == 1 else "error"


def count_truth(printed, count):
    """'exact', 'true range', or why the printed count is wrong."""
    if not isinstance(printed, tuple) or not isinstance(count, int):
        return "**error**"
    if printed[0] == "about":
        return "**estimate** (%+.0f%%)" % (100.0 * (printed[1] - count) / max(count, 1))
    if printed[0] == "at least":
        return "true range" if printed[1] <= count else "**false range**"
    lo, hi = printed
    if lo == hi:
        return "exact" if lo == count else "**wrong** (%d)" % lo
    return "true range" if lo <= count <= hi else "**false range**"


# ------------------------------------------------------------ one corpus

def index_argv(tool, db, paths):
    if tool == "cti":
        return [CTI_INDEX, "--db", db, "--json", "--quiet"] + paths
    return PEER[tool].index_argv(db, paths)


def add_argv(tool, db, path):
    if tool == "cti":
        return [CTI_INDEX, "--db", db, "--json", "--quiet", path]
    return PEER[tool].add_argv(db, path)


def tool_db(tool, work):
    """Where 'tool' keeps its index of the corpus measured in 'work'."""
    return os.path.join(work, "cti") if tool == "cti" else PEER[tool].db_path(work)


def clear_db(db):
    for suffix in ("", ".compact", ".run"):
        rm(db + suffix)


def load_paths(tool, db, cdir, adds):
    """What 'tool' indexes in one load: the corpus, and the single articles
    too for a tool that cannot add to its index, so that every tool holds
    the same articles."""
    return [cdir] if add_argv(tool, db, adds[0]) is not None else [cdir] + adds


def trial_loads(tools, work, cdir, adds):
    """BENCH_INDEX_RUNS - 1 rounds of loads before the measured one, the
    tools in turn (so that a slow spell of a shared machine falls on every
    tool, not on one), each into an empty index removed after it; returns
    the successful runs by tool, for index_tool() to keep the fastest."""
    trials = {t: [] for t in tools}
    for i in range(INDEX_RUNS - 1):
        for tool in tools:
            db = tool_db(tool, work)
            clear_db(db)
            r = run(index_argv(tool, db, load_paths(tool, db, cdir, adds)))
            log("%s: load %d of %d: %.2f s%s" % (tool, i + 1, INDEX_RUNS, r.secs,
                                                "" if r.rc == 0 else " (failed)"))
            if r.rc == 0:
                trials[tool].append(r)
            clear_db(db)
    return trials


def index_tool(tool, res, work, cdir, adds, trials=()):
    """Index the corpus with one tool, re-run (cti), add single articles,
    compact; fill res["idx"][tool]; return the database to query or None.
    The indexing figures are those of the fastest of this load and the
    'trials' (runs of trial_loads())."""
    mb = res["bytes"] / 1e6
    db = tool_db(tool, work)
    clear_db(db)
    st = {}
    res["idx"][tool] = st
    log("%s: indexing %.1f MB" % (tool, mb))
    argv = index_argv(tool, db, load_paths(tool, db, cdir, adds))
    r = run(argv)
    summary = last_json(r.out) if tool == "cti" else PEER[tool].index_summary(r.out)
    if r.rc != 0 or summary is None:
        st["error"] = "rc %d: %s" % (r.rc, (r.err or r.out).strip()[-300:])
        log("  FAILED: " + st["error"])
        return None
    if trials:
        log("  %.2f s; the fastest of %d loads counts" % (r.secs, len(trials) + 1))
    fast = min([r] + list(trials), key=lambda x: x.secs)
    st["secs"] = fast.secs
    st["cpu"] = fast.cpu
    st["mbps"] = mb / fast.secs
    st["rss_mb"] = fast.rss_kb / 1024.0
    st["articles"] = summary.get("articles", summary.get("added"))
    if tool == "cti":
        st["summary"] = summary
        st["articles"] = summary.get("articles", summary.get("added", 0)
                                     + summary.get("unchanged", 0))
    st["size"] = disk_bytes(db)
    log("  %.2f s, %.1f MB/s, peak RSS %.0f MB, index %.1f MB"
        % (st["secs"], st["mbps"], st["rss_mb"], st["size"] / 1e6))

    # re-run over the unchanged tree (cti only: the peers' pipelines
    # have no change detection; a re-run is a full re-index)
    if tool == "cti":
        times = []
        for i in range(3):
            r = run(argv)
            s = last_json(r.out) or {}
            if r.rc != 0:
                st["rerun_error"] = "rc %d: %s" % (r.rc, (r.err or r.out).strip()[-200:])
                break
            times.append(r.secs)
            st["rerun_summary"] = s
        if times:
            st["rerun"] = median(times)
            log("  unchanged re-run: %.3f s (median of %d)" % (st["rerun"], len(times)))

    # add single articles, one process each
    times = []
    for p in adds:
        a = add_argv(tool, db, p)
        if a is None:
            break
        r = run(a)
        if r.rc != 0:
            st["add_error"] = "rc %d: %s" % (r.rc, (r.err or r.out).strip()[-200:])
            break
        s = last_json(r.out) or {}
        if tool == "cti" and s.get("removed"):
            st["add_error"] = "adding one file removed %s articles" % s.get("removed")
        times.append(r.secs)
    if times:
        st["add"] = median(times)
        st["added"] = len(times)
        log("  add one article: %.1f ms (median of %d)" % (st["add"] * 1e3, len(times)))

    # compaction
    if tool == "cti":
        step = [CTI_INDEX, "--db", db, "--compact"], db, db
    else:
        step = PEER[tool].compact(db)
    if step is None:
        st["csize"] = st["size"]
        st["parts"] = PEER[tool].parts(db)
        return db
    log("%s: compacting" % tool)
    cargv, qdb, measured = step
    r = run(cargv)
    if r.rc == 0:
        st["csecs"] = r.secs
        st["csize"] = disk_bytes(measured)
        st["parts"] = (peers.glass_parts(measured) if tool == "cti"
                       else PEER[tool].parts(measured))
        log("  %.2f s, %.1f MB" % (r.secs, st["csize"] / 1e6))
        return qdb
    st["compact_error"] = "rc %d: %s" % (r.rc, (r.err or r.out).strip()[-200:])
    log("  compaction failed: " + st["compact_error"])
    return db


def query_runs(res, queries, tools, qdbs, nosnip):
    """Counts per tool, then RUNS rounds (after a warm-up) of every query as
    its own process, the tools interleaved in an order shuffled for each
    query of each round (seeded: the same every run).  A process runs
    faster or slower by what ran just before it: after Lucene's JVM (or
    any large process) the CPU's caches hold nothing of the libraries and
    index blocks the others share (0.5 ms slower on this machine, cti and
    quest alike, SOTU), after a process of the same tool they hold its
    code.  In a fixed order, or one only turned each round, each tool
    always follows the same one; shuffled, each follows every other as
    often.  Fills res["q"] and res["tools"]."""
    dbfor = lambda t: qdbs["cti" if t.startswith("cti") else t]
    spelling = lambda t, q: q["cti" if t.startswith("cti") else t]
    counted = [t for t in tools if t not in CTI_VARIANTS]
    for q in queries:
        qr = {"counts": {}, "lat": {t: [] for t in tools}, "err": {}}
        res["q"][q["name"]] = qr
        for t in counted:
            if q[t] is not None:
                qr["counts"][t] = count_of(t, qdbs[t], q[t])
        if "cti" in qdbs and q["cti"] is not None:
            qr["printed"] = printed_count(qdbs["cti"], q["cti"])
    log("queries: %d x %d processes per tool (%s)" % (len(queries), RUNS, ", ".join(tools)))
    for i in range(RUNS + 1):       # run 0 is a warm-up
        for j, q in enumerate(queries):
            qr = res["q"][q["name"]]
            order = list(tools)
            random.Random(1000 * i + j).shuffle(order)
            for t in order:
                s = spelling(t, q)
                if s is None or t in qr["err"]:
                    continue
                r = run(query_argv(t, dbfor(t), s, nosnip), capture=False)
                if r.rc not in (0, 1):
                    qr["err"][t] = "rc %d: %s" % (r.rc, r.err.strip()[:200])
                    log("  %s %r failed: %s" % (t, s, qr["err"][t]))
                    continue
                if i > 0:
                    qr["lat"][t].append(r.secs * 1e3)
        if i == 0:
            log("  warm-up done")
        elif i % 5 == 0:
            log("  %d/%d rounds" % (i, RUNS))
    res["tools"] = tools


def bench_corpus(name, cdir, have, queries):
    log("== corpus %s (%s)" % (name, cdir))
    files = corpus_files(cdir)
    cbytes = sum(os.path.getsize(f) for f in files)
    res = {"name": name, "dir": cdir, "files": len(files), "bytes": cbytes,
           "idx": {}, "q": {}, "ana": {}}
    work = os.path.join(BENCH_DIR, "idx", name)
    os.makedirs(work, exist_ok=True)
    extra = os.path.join(BENCH_DIR, "extra")
    os.makedirs(extra, exist_ok=True)
    adds = []
    seeds = sorted(os.listdir(os.path.join(TOP, "corpus")))
    for i in range(ADDS):
        p = os.path.join(extra, "added-%d.txt" % (i + 1))
        with open(os.path.join(TOP, "corpus", seeds[i % len(seeds)]), "rb") as f:
            body = f.read()
        with open(p, "wb") as f:
            f.write(b"Benchmark added article %d\n\n" % (i + 1) + body)
        adds.append(p)

    # Warm the page cache so that no tool pays for the first read.
    log("reading the corpus once (page cache)")
    for f in files:
        with open(f, "rb") as fh:
            fh.read()

    # -------------------------------------------------- analyzer floors
    if executable(ANALYZE):
        for mode in ("read", "tokenize", "analyze", "analyze-nocache"):
            log("analyzer --mode %s" % mode)
            r = run([ANALYZE, "--mode", mode, cdir])
            kv = dict(re.findall(r"(\w+)=(\S+)", r.out))
            if r.rc == 0 and "seconds" in kv:
                try:
                    secs = float(kv["seconds"])
                    nb = float(kv.get("bytes", cbytes))
                    res["ana"][mode] = {
                        "secs": secs, "bytes": nb,
                        "tokens": int(float(kv["tokens"])) if "tokens" in kv else None,
                        "mbps": float(kv["mb_per_s"]) if "mb_per_s" in kv
                        else (nb / 1e6 / secs if secs > 0 else None)}
                except ValueError:
                    res["ana"][mode] = {"error": r.out.strip()[:200]}
            else:
                res["ana"][mode] = {"error": (r.err or r.out).strip()[:200]}
                log("  failed (rc %d): %s" % (r.rc, (r.err or r.out).strip()[:200]))

    # in-process snippet cost per hit (bench/snippet), on the first files
    if executable(SNIPPET):
        sample = files[:200]
        log("snippet cost per hit (bench/snippet, %d files)" % len(sample))
        r = run([SNIPPET, "-q", SNIPPET_QUERY] + sample)
        m = re.search(r"us per snippet: p50 ([\d.]+)\s+p90 ([\d.]+)", r.out)
        if r.rc == 0 and m:
            res["snippet_us"] = (float(m.group(1)), float(m.group(2)), len(sample))

    # -------------------------------------------------- indexing
    qdbs = {}
    loaders = [t for t in ["cti"] + [p.name for p in PEERS] if have[t]]
    trials = trial_loads(loaders, work, cdir, adds)
    for tool in loaders:
        qdb = index_tool(tool, res, work, cdir, adds, trials[tool])
        if qdb:
            qdbs[tool] = qdb

    # -------------------------------------------------- queries
    tools = []
    nosnip = None
    if "cti" in qdbs:
        tools.append("cti")
        nosnip = nosnip_opts(qdbs["cti"])
        if nosnip:
            tools.append("cti-nosnip")
        if "--count-time" in cti_help(CTI_SEARCH):
            tools.append("cti-estimate")
    started = []
    try:
        for p in PEERS:
            if p.name not in qdbs:
                continue
            err = p.start(qdbs[p.name], log)
            if err:
                res["idx"][p.name]["query_error"] = err
                log("%s: %s" % (p.name, err))
                continue
            started.append(p)
            tools.append(p.name)
        query_runs(res, queries, tools, qdbs, nosnip)
    finally:
        for p in started:
            p.stop()
    if "cti" in qdbs:
        bench_ids(res, qdbs["cti"])

    if SHARDS > 1 and "cti" in qdbs and "--shards" in cti_help(CTI_INDEX):
        try:
            bench_shards(res, cdir, work, qdbs["cti"], queries, adds)
        except Exception as e:      # a failure here must not lose the rest
            res["shards"] = {"error": "%s: %s" % (type(e).__name__, e)}
            log("shards: FAILED: %s" % res["shards"]["error"])
    if env("BENCH_KEEP", "0") == "0":
        shutil.rmtree(work, ignore_errors=True)     # the corpora stay
    return res


def bench_ids(res, db):
    """cti-search -l over every match of IDS_QUERY: ids printed, wall time."""
    if "--files-with-matches" not in cti_help(CTI_SEARCH):
        return
    argv = [CTI_SEARCH, "--db", db, "-l", IDS_QUERY]
    r = run(argv)                   # a warm-up, and the ids to count
    if r.rc not in (0, 1):
        res["ids"] = {"error": "rc %d: %s" % (r.rc, r.err.strip()[:200])}
        log("-l: failed: " + res["ids"]["error"])
        return
    n = len(r.out.splitlines())
    times = []
    for _ in range(IDS_RUNS):
        times.append(run(argv, capture=False).secs)
    secs = median(times)
    # Below 20,000 ids the start-up dominates: no rate per 100,000.
    res["ids"] = {"query": IDS_QUERY, "n": n, "secs": secs,
                  "per100k": secs * 1e5 / n if n >= 20000 else None}
    log("-l %s: %d ids in %.3f s (median of %d)" % (IDS_QUERY, n, secs, IDS_RUNS))


def report_ids(res):
    """The -l table: ids of every match, and the time per 100,000."""
    ids = res.get("ids")
    if not ids:
        return ""
    if "error" in ids:
        return "### Ids of every match (-l)\n\n-l failed: `%s`\n" % ids["error"]
    per = ids["per100k"]
    rows = [["`cti-search -l %s`" % ids["query"], ids["n"], fnum(ids["secs"], 3),
             fnum(per, 3)] + list(tgt("ids", per))]
    note = ("" if ids["n"] >= 100000 else
            "\nFewer than 100,000 matches here: the time per 100,000 is the "
            "measured rate (none below 20,000 ids, where start-up dominates).\n")
    return ("### Ids of every match (-l, median of %d runs)\n\n" % IDS_RUNS
            + table(["command", "ids", "wall time, s", "s per 100,000 ids",
                     "target", "met"], rows) + "\n" + note)


# ------------------------------------------------------------ shards

SHARDS = int(env("BENCH_SHARDS", "3"))
PEERS = []          # peers.Peer objects measured in this run, in column order
PEER = {}           # name -> peers.Peer


def bench_shards(res, cdir, work, cti_db, queries, adds):
    """Query latency over 1 local index, SHARDS local shards and SHARDS
    loopback remote shards (xapian-tcpsrv), cti-search with snippets."""
    mb = res["bytes"] / 1e6
    sdir = os.path.join(work, "cti-%dshards" % SHARDS)
    rm(sdir)
    log("cti: indexing %.1f MB into %d shards" % (mb, SHARDS))
    # Positions in the table: the format of shards served by xapian-tcpsrv,
    # which cannot match cti's per-article positions (README, Word positions).
    r = run([CTI_INDEX, "--db", sdir, "--shards", str(SHARDS), "--positions", "table",
             "--json", "--quiet", cdir])
    sh = {"configs": {}, "counts": {}, "lat": {}}
    res["shards"] = sh
    if r.rc != 0:
        sh["error"] = "cti-index --shards: rc %d: %s" % (r.rc, (r.err or r.out).strip()[-300:])
        log("  FAILED: " + sh["error"])
        return
    sh["secs"], sh["rss_mb"], sh["size"] = r.secs, r.rss_kb / 1024.0, disk_bytes(sdir)
    log("  %.2f s, %.1f MB/s" % (r.secs, mb / r.secs))
    # the articles the single index got, so that both hold the same set
    r = run([CTI_INDEX, "--db", sdir, "--quiet"] + adds)
    if r.rc != 0:
        sh["add_error"] = "rc %d: %s" % (r.rc, (r.err or r.out).strip()[-200:])
    shard_dirs = sorted(os.path.join(sdir, d) for d in os.listdir(sdir)
                        if d.startswith("shard-"))
    servers = []
    stub = os.path.join(work, "remote-%dshards.stub" % SHARDS)
    try:
        lines = []
        for d in shard_dirs:
            port = peers.free_port()
            p = subprocess.Popen(["xapian-tcpsrv", "--quiet", "--interface", "127.0.0.1",
                                  "--port", str(port), d],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 # its own session: on SIGTERM xapian-tcpsrv
                                 # signals its whole process group
                                 start_new_session=True)
            servers.append(p)
            if not peers.wait_listening(port):
                sh["remote_error"] = "xapian-tcpsrv on %s did not start" % d
                break
            lines.append("remote 127.0.0.1:%d\n" % port)
        with open(stub, "w") as f:
            f.writelines(lines)
        configs = [("1 local index", cti_db), ("%d local shards" % SHARDS, sdir)]
        if "remote_error" not in sh and len(lines) == len(shard_dirs):
            configs.append(("%d remote shards (loopback)" % SHARDS, stub))
        for label, db in configs:
            sh["counts"][label] = {q["name"]: count_of("cti", db, q["cti"])
                                   for q in queries if q["cti"]}
            sh["lat"][label] = {q["name"]: [] for q in queries if q["cti"]}
        log("shards: %d queries x %d processes x %d layouts" % (len(queries), RUNS, len(configs)))
        for i in range(RUNS + 1):
            for q in queries:
                if not q["cti"]:
                    continue
                for label, db in configs:
                    r = run(query_argv("cti", db, q["cti"]), capture=False)
                    if r.rc not in (0, 1):
                        sh.setdefault("errors", {})[label] = "rc %d: %s" % (r.rc, r.err.strip()[:200])
                        continue
                    if i > 0:
                        sh["lat"][label][q["name"]].append(r.secs * 1e3)
        sh["order"] = [c[0] for c in configs]
    finally:
        for p in servers:
            p.terminate()
        for p in servers:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def report_shards(res, queries):
    sh = res.get("shards")
    if not sh:
        return ""
    out = ["### Shards: 1 local index vs %d local shards vs %d loopback remote shards\n"
           % (SHARDS, SHARDS)]
    if sh.get("error"):
        out.append("- %s\n" % sh["error"])
        return "\n".join(out)
    out.append("`cti-index --shards %d --positions table`: %.2f s (%.1f MB/s), peak RSS %.0f MB, "
               "%.1f MB on disk (positions in Xapian's table, the format of shards served by "
               "`xapian-tcpsrv`). The same shards are searched locally and, served by one "
               "`xapian-tcpsrv` per shard on 127.0.0.1 and listed in a stub file "
               "(`remote 127.0.0.1:PORT` lines), remotely.\n"
               % (SHARDS, sh["secs"], res["bytes"] / 1e6 / sh["secs"], sh["rss_mb"], sh["size"] / 1e6))
    order = sh.get("order", [])
    head = ["query"] + ["p50 ms, " + l for l in order] + ["same counts"]
    rows = []
    for q in queries:
        if not q["cti"]:
            continue
        cs = [sh["counts"][l].get(q["name"]) for l in order]
        row = ["`%s`" % q["cti"]]
        row += [fnum(median(sh["lat"][l][q["name"]]), 1) for l in order]
        row.append("yes" if len(set(map(str, cs))) == 1 else "**no** (%s)" % " / ".join(map(str, cs)))
        rows.append(row)
    pooled = {l: [v for q in queries if q["cti"] for v in sh["lat"][l][q["name"]]] for l in order}
    rows.append(["**all queries, p50**"] + ["**%s**" % fnum(median(pooled[l]), 1) for l in order] + [""])
    rows.append(["**all queries, p95**"] + ["**%s**" % fnum(pct(pooled[l], 95), 1) for l in order] + [""])
    if order:
        base = median(pooled[order[0]])
        rows.append(["p50 vs 1 local index", "1×"]
                    + [speed_ratio(median(pooled[l]), base) for l in order[1:]] + [""])
    out.append(table(head, rows))
    for label, e in sh.get("errors", {}).items():
        out.append("\n- %s: `%s`" % (label, e))
    if sh.get("remote_error"):
        out.append("\n- remote: %s" % sh["remote_error"])
    if sh.get("add_error"):
        out.append("\n- adding the single articles to the shards: `%s`" % sh["add_error"])
    out.append("")
    return "\n".join(out)


# ------------------------------------------------------------ report

TARGETS = {
    "mbps": (">=", 10.0, "≥ 10 MB/s"),
    "vs_xapian": (">=", 4.0, "≥ 4× Xapian"),
    "ratio": ("<=", 2.0, "≤ 2.0× corpus"),
    "ratio_sotu": ("<=", 1.2, "≤ 1.2× corpus"),
    "rss": ("<", 1024.0, "< 1 GB"),
    "rerun": ("<", 2.0, "< 2 s"),
    "add": ("<", 0.050, "< 50 ms"),
    "p50": ("<", 3.0, "< 3 ms"),
    "p95": ("<", 10.0, "< 10 ms"),
    "snip": ("<", 1.0, "< 1 ms"),
    "analyzer": (">=", 150.0, "≥ 150 MB/s"),
    "ids": ("<", 1.0, "< 1 s"),
}


def tgt(key, value):
    op, lim, text = TARGETS[key]
    return text, met(value, op, lim)


def report_corpus(res, queries):
    out = []
    name = res["name"]
    mb = res["bytes"] / 1e6
    out.append("## Corpus %s: %d files, %.1f MB (%s)\n"
               % (name, res["files"], mb, res["dir"]))
    idx = res["idx"]

    # indexing table: cti, each peer, then cti's ratio to each peer
    c = idx.get("cti", {})
    ps = [p for p in PEERS if p.name in idx]
    pd = [idx[p.name] for p in ps]
    x = idx.get("xapian", {})
    rows = []

    def row(label, key, fmt, ratio, target=("", "")):
        cells = [fmt(c.get(key))] + [fmt(d.get(key)) for d in pd]
        cells += [ratio(c.get(key), d.get(key)) if ratio else "" for d in pd]
        rows.append([label] + cells + list(target))

    f2 = lambda v: fnum(v, 2)
    f1 = lambda v: fnum(v)
    f0 = lambda v: fnum(v, 0)
    mbv = lambda v: fnum(v / 1e6) if v is not None else "n/a"
    vs_x = (x["secs"] / c["secs"]) if c.get("secs") and x.get("secs") else None
    row("wall time, s", "secs", f2, speed_ratio,
        (TARGETS["vs_xapian"][2], met(vs_x, ">=", 4.0)))
    row("throughput, MB/s", "mbps", f1, rate_ratio, tgt("mbps", c.get("mbps")))
    row("CPU time (user+sys), s", "cpu", f2, speed_ratio)
    row("peak RSS, MB", "rss_mb", f0, size_ratio, tgt("rss", c.get("rss_mb")))
    rk = "ratio_sotu" if name == "sotu" else "ratio"
    rr = lambda d, k: d.get(k) / res["bytes"] if d.get(k) is not None else None
    row("index size, MB", "size", mbv, size_ratio)
    rows.append(["index ÷ corpus", fnum(rr(c, "size"), 2)]
                + [fnum(rr(d, "size"), 2) for d in pd] + [""] * len(pd)
                + list(tgt(rk, rr(c, "size"))))
    row("compacted size, MB", "csize", mbv, size_ratio)
    rows.append(["compacted ÷ corpus", fnum(rr(c, "csize"), 2)]
                + [fnum(rr(d, "csize"), 2) for d in pd] + [""] * len(pd)
                + list(tgt(rk, rr(c, "csize"))))
    row("compaction time, s", "csecs", f2, speed_ratio)
    rows.append(["re-run, unchanged tree, s", fnum(c.get("rerun"), 3)]
                + ["full re-index"] * len(pd)
                + [speed_ratio(c.get("rerun"), d.get("secs")) for d in pd]
                + list(tgt("rerun", c.get("rerun"))))
    ms = lambda d: d.get("add") * 1e3 if d.get("add") is not None else None
    rows.append(["add one article, ms", fnum(ms(c))] + [fnum(ms(d)) for d in pd]
                + [speed_ratio(ms(c), ms(d)) for d in pd]
                + list(tgt("add", c.get("add"))))
    rows.append(["articles indexed", c.get("articles") or "n/a"]
                + [d.get("articles") or "n/a" for d in pd] + [""] * len(pd) + ["", ""])
    out.append("### Indexing\n")
    out.append(table([""] + ["cti"] + [p.label for p in ps]
                     + ["cti vs " + p.label.split()[0] for p in ps]
                     + ["target (cti)", "met"], rows))
    notes = []
    for p in ps:
        if p.add_argv("DB", "FILE") is None:
            notes.append("- %s cannot add to a built index: the %d single articles are "
                         "indexed with the corpus." % (p.label, ADDS))
        if p.compact("DB") is None:
            notes.append("- %s: its index is built compact (no compaction step)." % p.label)
    for t, label in [("cti", "cti")] + [(p.name, p.label) for p in ps]:
        for k in ("error", "rerun_error", "add_error", "compact_error", "query_error"):
            if idx.get(t, {}).get(k):
                notes.append("- %s %s: `%s`" % (label, k.replace("_", " "),
                                                idx[t][k].replace("`", "'")))
    if not idx.get("cti"):
        notes.append("- cti: %s not built: its columns are n/a." % os.path.relpath(CTI_INDEX, TOP))
    if notes:
        out.append("\n" + "\n".join(notes))
    out.append("")

    # where the bytes go
    have_parts = [("cti", "cti")] + [(p.name, p.label) for p in ps
                                     if idx[p.name].get("parts")]
    if c.get("parts"):
        rows = []
        for part in peers.PARTS:
            cells = [idx[t]["parts"].get(part) for t, _ in have_parts]
            if any(cells):
                rows.append([part] + [fnum(v / res["bytes"], 2) if v else "–" for v in cells])
        rows.append(["**all**"] + ["**%s**" % fnum(sum(idx[t]["parts"].values()) / res["bytes"], 2)
                                   for t, _ in have_parts])
        out.append("### Where the index goes (compacted, ÷ corpus)\n")
        out.append(table([""] + [l for _, l in have_parts], rows))
        out.append("\nBy file: Xapian glass tables (docdata; position; postlist, which "
                   "also holds the value slots; termlist; spelling), Lucene file types "
                   "(.fdt/.fdx stored fields; .pos/.pay; .doc; .tim/.tip; norms and the "
                   "rest), Sphinx files (.sps string attributes; .spp; .spd; .spi), "
                   "FTS5 tables from SQLite's dbstat (its index keeps postings and "
                   "positions together).\n")

    # query table
    tools = res.get("tools", [])
    if tools:
        counted = [t for t in tools if t not in CTI_VARIANTS]
        lab = {"cti": "cti", "cti-nosnip": "cti no snippets",
               "cti-estimate": "cti --count-time 0"}
        lab.update((p.name, p.qlabel) for p in PEERS)
        head = ["query", "articles: " + " / ".join(lab[t] for t in counted), "agree"]
        head += ["p50 ms " + lab[t] for t in tools]
        rows = []
        explained = []
        for q in queries:
            qr = res["q"][q["name"]]
            cs = qr["counts"]
            cells = [str(cs.get(t, "–")) for t in counted]
            nums = [v for v in cs.values() if isinstance(v, int)]
            if any(v == "error" for v in cs.values()):
                agree = "**error**"
            elif len(nums) < 2:
                agree = "–"
            elif len(set(nums)) == 1:
                agree = "yes"
            else:
                lo, hi = min(nums), max(nums)
                agree = "**no** (%.1f%%)" % (100.0 * (hi - lo) / hi) + (" ¹" if q["note"] else " !")
                if q["note"]:
                    explained.append("- %s: %s." % (q["name"], q["note"]))
            row = ["`%s`" % q["cti"] if q["cti"] else q["name"], " / ".join(cells), agree]
            for t in tools:
                if t in qr["err"]:
                    row.append("error")
                else:
                    row.append(fnum(median(qr["lat"][t]), 1))
            rows.append(row)
        # summary rows
        pooled = {t: [v for q in queries for v in res["q"][q["name"]]["lat"][t]]
                  for t in tools}
        # cti's ratio to each peer over the queries both run
        lat = lambda q, t: res["q"][q["name"]]["lat"].get(t)
        common = {t: [q for q in queries if lat(q, "cti") and lat(q, t)] for t in tools}
        pooled_c = {t: ([v for q in common[t] for v in lat(q, t)],
                        [v for q in common[t] for v in lat(q, "cti")])
                    for t in tools if t != "cti" and t not in CTI_VARIANTS and common[t]}
        rows.append(["**all queries, p50**", "", ""] + ["**%s**" % fnum(median(pooled[t]), 1) for t in tools])
        rows.append(["**all queries, p95**", "", ""] + ["**%s**" % fnum(pct(pooled[t], 95), 1) for t in tools])
        out.append("### Queries (one process per query, %d runs each, %d hits; ms)\n" % (RUNS, HITS))
        out.append(table(head, rows))
        if explained:
            out.append("\n¹ expected differences:\n" + "\n".join(explained))
        out.append("")
        res["pooled"] = pooled
        res["pooled_common"] = pooled_c
        # summary vs peers
        srows = []
        for t in tools:
            if t not in pooled_c or t in CTI_VARIANTS:
                continue
            peer, mine = pooled_c[t]
            cp50, cp95 = median(mine), pct(mine, 95)
            srows.append(["cti (snippets) vs %s" % lab[t], len(common[t]),
                          "%s vs %s" % (fnum(cp50, 1), fnum(median(peer), 1)),
                          speed_ratio(cp50, median(peer)),
                          "%s vs %s" % (fnum(cp95, 1), fnum(pct(peer, 95), 1)),
                          speed_ratio(cp95, pct(peer, 95))])
        if srows:
            out.append("cti's ratio to each peer over the queries both run:\n")
            out.append(table(["", "queries", "p50 ms", "p50 ratio", "p95 ms", "p95 ratio"],
                             srows))
            out.append("")
        if "cti" in pooled:
            trows = []
            p50, p95 = median(pooled["cti"]), pct(pooled["cti"], 95)
            trows.append(["cti-search p50, with snippets", fnum(p50, 2)] + list(tgt("p50", p50)))
            trows.append(["cti-search p95, with snippets", fnum(p95, 2)] + list(tgt("p95", p95)))
            if "cti-nosnip" in pooled:
                # per query: p50 with - p50 without, then the median of those
                diffs = [median(res["q"][q["name"]]["lat"]["cti"])
                         - median(res["q"][q["name"]]["lat"]["cti-nosnip"])
                         for q in queries
                         if res["q"][q["name"]]["lat"].get("cti")
                         and res["q"][q["name"]]["lat"].get("cti-nosnip")]
                snip = median(diffs)
                trows.append(["cti-search p50 without snippets", fnum(median(pooled["cti-nosnip"]), 2), "", ""])
                trows.append(["snippets' cost, p50 (%d hits)" % HITS, fnum(snip, 2)] + list(tgt("snip", snip)))
                res["snip"] = snip
            else:
                trows.append(["snippets' cost per process", "n/a (no option turns snippets off)", "", ""])
            if res.get("snippet_us"):
                p50u, p90u, nfiles = res["snippet_us"]
                est = p50u * HITS / 1000.0
                trows.append(["one snippet, CPU time in process (bench/snippet -q %s, %d files), p50 / p90"
                              % (SNIPPET_QUERY, nfiles), "%.3f / %.3f" % (p50u / 1000, p90u / 1000), "", ""])
                row = ["%d snippets at that p50" % HITS, fnum(est, 2)]
                row += list(tgt("snip", est)) if "cti-nosnip" not in pooled else ["", ""]
                trows.append(row)
            out.append(table(["cti-search", "ms", "target", "met"], trows))
            out.append("")

    ids = report_ids(res)
    if ids:
        out.append(ids)
    if tools:
        out.append(report_counts(res, queries))

    # analyzer
    ana = res["ana"]
    if ana:
        rows = []
        for mode, label in (("read", "reading the corpus (floor)"),
                            ("tokenize", "tokenizing only (floor)"),
                            ("analyze", "analyzer: tokenize, fold, stem"),
                            ("analyze-nocache", "analyzer, no stem cache")):
            a = ana.get(mode, {})
            if "error" in a:
                rows.append([label, "error", "", "", "", ""])
                continue
            t = tgt("analyzer", a.get("mbps")) if mode == "analyze" else ("", "")
            rows.append([label, fnum(a.get("mbps")), fnum(a.get("secs"), 2),
                         a.get("tokens") or "–"] + list(t))
        out.append("### Analyzer (bench/analyze, one thread)\n")
        out.append(table(["stage", "MB/s", "s", "tokens", "target", "met"], rows))
        out.append("")
    return "\n".join(out)


def count_budget():
    m = re.search(r"--count-time MS.*?default ([\d.]+)", cti_help(CTI_SEARCH), re.S)
    return m.group(1) if m else "?"


def relevance():
    """bench/eval.py's table (cti --any beside FTS5 and Xapian on TIME,
    Cranfield and CISI), or None when BENCH_EVAL=0 or it failed."""
    if env("BENCH_EVAL", "1") == "0" or not executable(CTI_SEARCH):
        return None
    log("relevance: bench/eval.py (TIME, Cranfield, CISI; cti --any, FTS5, Xapian)")
    with tempfile.TemporaryDirectory(prefix="cti-eval-") as tmp:
        md = os.path.join(tmp, "table.md")
        r = run([PY, os.path.join(HERE, "eval.py"), "--bin", O, "--markdown", md])
        if r.rc != 0 or not os.path.exists(md):
            log("relevance: FAILED: %s" % (r.err or r.out).strip()[-300:])
            return None
        with open(md, encoding="utf-8") as f:
            return f.read()


def report_counts(res, queries):
    """The footer's match count against --count, and what counting costs."""
    out = ["### Match counts (cti-search's footer against --count)\n"]
    rows = []
    for q in queries:
        qr = res["q"][q["name"]]
        if "printed" not in qr:
            continue
        p = qr["printed"]
        if not isinstance(p, tuple):
            shown = "error"
        elif p[0] in ("about", "at least"):
            shown = "%s %d" % p
        elif p[0] == p[1]:
            shown = "%d" % p[0]
        else:
            shown = "between %d and %d" % p
        c = qr["counts"].get("cti")
        rows.append(["`%s`" % q["cti"], shown, str(c), count_truth(p, c)])
    out.append(table(["query", "printed", "--count", "printed is"], rows))
    lat = lambda t: [v for q in queries for v in res["q"][q["name"]]["lat"].get(t, [])]
    exact, est = lat("cti"), lat("cti-estimate")
    if exact and est:
        out.append("\nWhat exact counts cost, per process with snippets, over all queries: "
                   "p50 %s ms and p95 %s ms counting (within %s ms, else a true range), "
                   "against p50 %s ms and p95 %s ms with `--count-time 0` (the bounds of "
                   "the page's own run, a range whenever they differ); per query, the "
                   "median of the p50 differences is %s ms.\n"
                   % (fnum(median(exact), 2), fnum(pct(exact, 95), 2), count_budget(),
                      fnum(median(est), 2), fnum(pct(est, 95), 2),
                      fnum(median([median(res["q"][q["name"]]["lat"]["cti"])
                                   - median(res["q"][q["name"]]["lat"]["cti-estimate"])
                                   for q in queries
                                   if res["q"][q["name"]]["lat"].get("cti")
                                   and res["q"][q["name"]]["lat"].get("cti-estimate")]), 2)))
    out.append("")
    return "\n".join(out)


def headline(results):
    """One table: per corpus, indexing speed, index size and query time of
    cti and every peer, with cti's figure divided by the peer's."""
    ps = [p for p in PEERS if any(p.name in r["idx"] for r in results)]
    rows = []

    def cell(v, mine, digits=1):
        if v is None:
            return "n/a"
        if mine is None or not v:
            return fnum(v, digits)
        return "%s (cti %.2f×)" % (fnum(v, digits), mine / v)

    for res in results:
        idx = res["idx"]
        c = idx.get("cti", {})
        per = lambda p, k: idx.get(p.name, {}).get(k)
        rows.append(["**%s**" % res["name"], "indexing, MB/s", fnum(c.get("mbps"))]
                    + [cell(per(p, "mbps"), c.get("mbps")) for p in ps])
        ratio = lambda d: d.get("csize") / res["bytes"] if d and d.get("csize") else None
        rows.append(["", "index ÷ corpus (compacted)", fnum(ratio(c), 2)]
                    + [cell(ratio(idx.get(p.name)), ratio(c), 2) for p in ps])
        pooled = res.get("pooled", {})
        pc = res.get("pooled_common", {})
        cells = []
        for p in ps:
            if p.name in pc:
                peer, mine = pc[p.name]
                cells.append(cell(median(peer), median(mine)))
            else:
                cells.append("n/a")
        rows.append(["", "query p50 ms, one process", fnum(median(pooled.get("cti", [])))]
                    + cells)
    head = ["corpus", "", "cti"] + [p.label for p in ps]
    note = ("In parentheses: cti's figure divided by the tool's, measured in the same "
            "run (throughput above 1: cti faster; size and query time below 1: cti "
            "smaller or faster; query times over the queries both tools run). cti "
            "and Lucene print snippets, Sphinx too (`SNIPPET()`), FTS5 its "
            "`snippet()`; quest prints each hit's whole text.")
    return table(head, rows) + "\n\n" + note


def cmd_version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "n/a"


def machine_line():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import xapian  # noqa: imported late: only for its version
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.0f GB" % (int(f.readline().split()[1]) / 1024 / 1024)
    except OSError:
        pass
    libs = []
    for pkg in ("zlib", "libutf8proc"):
        v = cmd_version(["pkg-config", "--modversion", pkg])
        if v and v != "n/a":
            libs.append("%s %s" % (pkg, v))
    v = cmd_version(["dpkg-query", "-W", "-f=${Version}\n", "libstemmer0d"])
    if v and v != "n/a":
        libs.append("libstemmer %s" % v)
    return ("%d cores (%s), %s RAM, Linux %s; xapian-core %s (python3-xapian %s); "
            "sqlite3 %s; %s; %s; Python %s"
            % (os.cpu_count(), cpu, mem, platform.release(),
               cmd_version(["xapian-config", "--version"]).split()[-1],
               xapian.version_string(),
               cmd_version(["sqlite3", "--version"]).split()[0],
               ", ".join(libs), cmd_version(["cc", "--version"]), platform.python_version()))


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


SPELLING_HEAD = {"xapian": "quest (Xapian QueryParser)", "fts5": "FTS5 MATCH",
                 "lucene": "Lucene (classic QueryParser)", "sphinx": "Sphinx MATCH()"}


def spellings(queries):
    rows = []
    sp = lambda s: "`%s`" % s.replace("|", "\\|") if s else "–"
    for q in queries:
        rows.append([q["name"], sp(q["cti"])] + [sp(q[p.name]) for p in PEERS])
    return table(["query", "cti-search"] + [SPELLING_HEAD[p.name] for p in PEERS], rows)


def peer_versions():
    out = []
    for p in PEERS:
        if hasattr(p, "version") and not p.missing():
            out.append("%s %s" % (p.label, p.version()))
    return "; ".join(out)


def main(argv):
    corpora = []
    for a in argv[1:]:
        name, _, d = a.partition("=")
        corpora.append((name, d))
    if not corpora:
        sys.stderr.write("usage: bench.py NAME=DIR...\n")
        return 2
    queries = load_queries()
    names = env("BENCH_PEERS", "").replace(",", " ").split()
    bad = [n for n in names if n not in peers.OPTIONAL]
    if bad:
        sys.stderr.write("bench: unknown peer %s in BENCH_PEERS (known: %s)\n"
                         % (", ".join(bad), ", ".join(peers.OPTIONAL)))
        return 2
    PEERS[:] = peers.make(names)
    PEER.update((p.name, p) for p in PEERS)
    have = {"cti": executable(CTI_INDEX) and executable(CTI_SEARCH)}
    if not have["cti"]:
        log("cti-index or cti-search missing in %s: cti's columns will be n/a" % O)
    for p in PEERS:
        why = p.missing() or p.prepare(BENCH_DIR, log)
        have[p.name] = not why
        if why:
            log("%s: not measured: %s (scripts/deps.sh bench-peers installs it)"
                % (p.label, why))
    load0 = loadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    results = []
    for name, d in corpora:
        results.append(bench_corpus(name, d, have, queries))
    elapsed = time.time() - T_START
    rev = cmd_version(["git", "-C", TOP, "describe", "--always", "--dirty"])

    out = []
    out.append("# cti benchmark results\n")
    out.append("Written by `make bench` (bench/run.sh); see bench/README.md for what "
               "each figure means. Ratios compare tools measured in the same run on "
               "the same machine; absolute times drift between runs on shared "
               "machines, ratios hold better.\n")
    out.append("- run: %s UTC, %.0f s, cti %s, BENCH_SIZES=\"%s\", BENCH_PEERS=\"%s\", "
               "seed %s (short stories: seed %s, words %s), %d runs per query%s"
               % (started.strftime("%Y-%m-%d %H:%M"), elapsed, rev,
                  env("BENCH_SIZES", "sotu 200"), env("BENCH_PEERS", ""),
                  env("BENCH_SEED", "1"), env("BENCH_SHORT_SEED", "2"),
                  env("BENCH_SHORT_WORDS", "60,300"), RUNS,
                  ", indexing the fastest of %d loads per tool, in rounds" % INDEX_RUNS
                  if INDEX_RUNS > 1 else ""))
    out.append("- machine: " + machine_line())
    if peer_versions():
        out.append("- peers: " + peer_versions())
    out.append("- load average at start / end: %s / %s" % (load0, loadavg()))
    try:
        busy = max(float(load0.split()[0]), float(loadavg().split()[0]))
    except (ValueError, IndexError):
        busy = 0.0
    if busy > (os.cpu_count() or 1):
        out.append("- **the machine was busy** (load %.1f on %d cores): other work shared the CPU, "
                   "so absolute times are inflated and noisy; the ratios, measured in the same "
                   "run with the tools interleaved, are less affected; the CPU-time row of "
                   "the indexing tables is the least affected." % (busy, os.cpu_count() or 1))
    nosnip = NOSNIP.get("opts")
    out.append("- cti-search without snippets: %s\n"
               % ("`%s`" % " ".join(nosnip) if nosnip else
                  "n/a (cti-search has no option that turns snippets off)"))
    body = []
    for res in results:
        body.append(report_corpus(res, queries))    # also pools the latencies
        if res.get("shards"):
            body.append(report_shards(res, queries))
    rel = relevance()
    out.append("## Headline\n")
    out.append(headline(results) + "\n")
    out.extend(body)
    if rel:
        out.append("## Relevance with --any (bench/eval.py)\n")
        out.append("MAP, P@10 and nDCG@10 on three test collections with human "
                   "judgments, every topic run as `cti-search --any` with the "
                   "default settings, beside SQLite FTS5 and Xapian's QueryParser "
                   "(each with and without the Snowball stop words); the p value is "
                   "a paired randomization test of cti's MAP against the best "
                   "peer's.\n")
        out.append(rel)
    out.append("## The query set in each tool's syntax (bench/queries.txt)\n")
    out.append("quest runs as `quest -d DB %s -m %d QUERY`; FTS5 as "
               "`sqlite3 -readonly DB \"SELECT path, title, snippet(articles, 2, ...) "
               "FROM articles WHERE articles MATCH '...' ORDER BY rank LIMIT %d\"`; "
               "cti as `cti-search --db DB -n %d QUERY`; Lucene as `java %s -cp ... "
               "LuceneBench search DIR QUERY %d`; Sphinx as `mysql -h 127.0.0.1 -P PORT "
               "-e \"SELECT id, path, title, SNIPPET(body, 'QUERY') FROM articles "
               "WHERE MATCH('QUERY') LIMIT %d\"` against its searchd.\n"
               % (" ".join(peers.QUEST_OPTS), HITS, HITS, HITS, " ".join(peers.JAVA_CLI),
                  HITS, HITS))
    out.append(spellings(queries) + "\n")
    text = "\n".join(out)
    sys.stdout.write(text)
    sys.stdout.flush()
    try:
        with open(RESULTS, "w", encoding="utf-8") as f:
            f.write(text)
        log("results written to %s (%.0f s in all)" % (RESULTS, elapsed))
    except OSError as e:
        log("cannot write %s: %s" % (RESULTS, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
