"""The tools make bench measures beside cti, and how each one is driven.

Each peer says how it indexes a corpus, adds one article, compacts its
index, answers a query (one process per query) and counts the matches.
bench.py runs the processes, times them and writes the tables; nothing
here measures anything.

Peers: "xapian" (Xapian's own pipeline, bench/xapian_index.py, and quest)
and "fts5" (SQLite FTS5 through the sqlite3 tool) always; "lucene"
(Lucene 8, bench/lucene/LuceneBench.java) and "sphinx" (Sphinx 2.2's
indexer and searchd, queried with the MariaDB client) when BENCH_PEERS
names them.  See bench/README.md.
"""

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable or "/usr/bin/python3"
OPTIONAL = ("lucene", "sphinx")


def which(*names):
    return all(shutil.which(n) for n in names)


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def free_port():
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        return sk.getsockname()[1]


def wait_listening(port, secs=15.0):
    end = time.time() + secs
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


PARTS = ("stored text", "positions", "postings", "term lists, dictionary",
         "spelling", "other")


def files_under(path):
    if os.path.isfile(path):
        yield path
        return
    for root, _, files in os.walk(path):
        for f in files:
            yield os.path.join(root, f)


def add_part(parts, key, path):
    try:
        parts[key] = parts.get(key, 0) + os.lstat(path).st_blocks * 512
    except OSError:
        pass


GLASS = {"docdata": "stored text", "position": "positions",
         "postlist": "postings", "termlist": "term lists, dictionary",
         "spelling": "spelling"}


def glass_parts(path):
    """Disk bytes of Xapian glass databases under path, by table."""
    parts = {}
    for f in files_under(path):
        table = os.path.basename(f).split(".")[0]
        add_part(parts, GLASS.get(table, "other"), f)
    return parts


class Peer:
    """What bench.py needs from a tool; the defaults suit a tool without
    the step (None: not measured, shown as n/a)."""

    name = label = qlabel = ""

    def missing(self):
        """None when the tool can run here, else what is missing."""
        return None

    def prepare(self, scratch, log):
        """Once per run, before any corpus (e.g. compile); None or an error."""
        return None

    def db_path(self, work):
        return os.path.join(work, self.name)

    def index_argv(self, db, paths):
        raise NotImplementedError

    def index_summary(self, out):
        """The summary of an indexing run (a dict with "articles"), or None."""
        for line in reversed(out.strip().splitlines()):
            if line.strip().startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    return None
        return None

    def add_argv(self, db, path):
        return None

    def compact(self, db):
        """(argv, database to query, path to measure) or None."""
        return None

    def parts(self, db):
        """Disk bytes of the index by PARTS, or None when not known."""
        return None

    def start(self, db, log):
        """Start what queries need (a server); None or an error."""
        return None

    def stop(self):
        pass

    def query_argv(self, db, q, hits):
        raise NotImplementedError

    def count_argv(self, db, q):
        raise NotImplementedError

    def count_of(self, rc, out):
        raise NotImplementedError


# ---------------------------------------------------------------- Xapian

QUEST_OPTS = ["-o", "and", "-f", "default,wildcard", "-p", "title:S"]


class Xapian(Peer):
    name, label, qlabel = "xapian", "Xapian pipeline", "quest"

    def index_argv(self, db, paths):
        return [PY, os.path.join(HERE, "xapian_index.py"), db] + paths

    def add_argv(self, db, path):
        return self.index_argv(db, [path])

    def compact(self, db):
        return ["xapian-compact", db, db + ".compact"], db + ".compact", db + ".compact"

    def parts(self, db):
        return glass_parts(db)

    def query_argv(self, db, q, hits):
        return ["quest", "-d", db] + QUEST_OPTS + ["-m", str(hits), q]

    def count_argv(self, db, q):
        return ["quest", "-d", db] + QUEST_OPTS + ["-m", "0", "-c", "1000000000", q]

    def count_of(self, rc, out):
        m = re.search(r"(?:Exactly|About) (\d+) matches|Between \d+ and (\d+) matches", out)
        return int(m.group(1) or m.group(2)) if rc == 0 and m else "error"


# ---------------------------------------------------------------- FTS5

class Fts5(Peer):
    name, label, qlabel = "fts5", "FTS5", "FTS5"

    def db_path(self, work):
        return os.path.join(work, "fts5.db")

    def index_argv(self, db, paths):
        return ["sh", os.path.join(HERE, "fts5_index.sh"), db] + paths

    def add_argv(self, db, path):
        return self.index_argv(db, [path])

    def compact(self, db):
        return (["sqlite3", db, "INSERT INTO articles(articles) VALUES('optimize'); VACUUM;"],
                db, db)

    def parts(self, db):
        """From SQLite's dbstat: the content table holds the text, the
        %_data table the full-text index (postings and positions together)."""
        r = subprocess.run(["sqlite3", "-readonly", db,
                            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name;"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        parts = {}
        for line in r.stdout.splitlines():
            name, _, n = line.partition("|")
            key = ("stored text" if name == "articles_content" else
                   "postings" if name == "articles_data" else "other")
            parts[key] = parts.get(key, 0) + int(n or 0)
        return parts

    def query_argv(self, db, q, hits):
        sql = ("SELECT path, title, snippet(articles, 2, '[', ']', '…', 16) "
               "FROM articles WHERE articles MATCH %s ORDER BY rank LIMIT %d;"
               % (sql_str(q), hits))
        return ["sqlite3", "-readonly", db, sql]

    def count_argv(self, db, q):
        return ["sqlite3", "-readonly", db,
                "SELECT count(*) FROM articles WHERE articles MATCH %s;" % sql_str(q)]

    def count_of(self, rc, out):
        return int(out.strip()) if rc == 0 and out.strip().isdigit() else "error"


# ---------------------------------------------------------------- Lucene

LUCENE_JARS = ("core", "analyzers-common", "queryparser", "queries",
               "highlighter", "memory")
# A command-line search: start-up matters more than peak speed (the JIT's
# first tier, the serial collector, the JDK's class-data archive).
JAVA_CLI = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"]


class Lucene(Peer):
    name, label, qlabel = "lucene", "Lucene", "Lucene"

    def __init__(self):
        self.cp = None

    def jars(self):
        out = []
        for j in LUCENE_JARS:
            found = sorted(glob.glob("/usr/share/java/lucene-%s-8*.jar" % j))
            if not found:
                return None
            out.append(found[-1])
        return out

    def missing(self):
        if not which("java", "javac"):
            return "java and javac (default-jdk-headless)"
        if not self.jars():
            return "Lucene 8 jars in /usr/share/java (liblucene8-java)"
        return None

    def version(self):
        core = self.jars()[0]
        m = re.search(r"lucene-core-([\d.]+)\.jar", core)
        return m.group(1) if m else "?"

    def prepare(self, scratch, log):
        out = os.path.join(scratch, "lucene-classes")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        cp = ":".join(self.jars())
        log("lucene: compiling bench/lucene/LuceneBench.java")
        r = subprocess.run(["javac", "-cp", cp, "-d", out,
                            os.path.join(HERE, "lucene", "LuceneBench.java")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return "javac failed: " + (r.stderr or r.stdout).strip()[-300:]
        self.cp = out + ":" + cp
        return None

    def java(self, *args, cli=False):
        return ["java"] + (JAVA_CLI if cli else []) + ["-cp", self.cp, "LuceneBench"] + list(args)

    def index_argv(self, db, paths):
        return self.java("index", db, *paths)

    def add_argv(self, db, path):
        return self.java("index", db, path)

    def compact(self, db):
        return self.java("optimize", db), db, db

    EXT = {"fdt": "stored text", "fdx": "stored text", "fdm": "stored text",
           "pos": "positions", "pay": "positions", "doc": "postings",
           "tim": "term lists, dictionary", "tip": "term lists, dictionary",
           "tmd": "term lists, dictionary"}

    def parts(self, db):
        parts = {}
        for f in files_under(db):
            ext = f.rsplit(".", 1)[-1]
            add_part(parts, self.EXT.get(ext, "other"), f)
        return parts

    def query_argv(self, db, q, hits):
        return self.java("search", db, q, str(hits), cli=True)

    def count_argv(self, db, q):
        return self.java("count", db, q, cli=True)

    def count_of(self, rc, out):
        s = out.strip()
        return int(s) if rc in (0, 1) and s.isdigit() else "error"


# ---------------------------------------------------------------- Sphinx

def sphinx_charset():
    """Sphinx 2.2's default letters plus Latin-1 and Latin Extended-A
    folded to their ASCII base letter (cti folds accents too)."""
    maps = []
    for cp in range(0xC0, 0x180):
        base = unicodedata.normalize("NFKD", chr(cp))[0]
        if base.isascii() and base.isalpha():
            maps.append("U+%04X->%s" % (cp, base.lower()))
    return "0..9, A..Z->a..z, _, a..z, " + ", ".join(maps)


SPHINX_CONF = """\
source corpus
{{
    type = xmlpipe2
    xmlpipe_command = {py} {here}/sphinx_source.py {paths}
}}
index articles
{{
    source = corpus
    path = {db}/articles
    morphology = libstemmer_english
    charset_table = {charset}
    min_word_len = 1
    dict = keywords
    html_strip = 0
    docinfo = extern
}}
indexer
{{
    mem_limit = 256M
}}
searchd
{{
    listen = 127.0.0.1:{port}:mysql41
    pid_file = {run}/searchd.pid
    log = {run}/searchd.log
    query_log = {run}/query.log
    binlog_path =
    workers = threads
}}
"""


def sphinx_quote(q):
    """A SphinxQL string literal."""
    return "'" + q.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Sphinx(Peer):
    name, label, qlabel = "sphinx", "Sphinx", "Sphinx"

    def __init__(self):
        self.port = None
        self.run = None
        self.conf = None
        self.server = False

    def missing(self):
        if not which("indexer", "searchd"):
            return "indexer and searchd (sphinxsearch)"
        if not which("mysql"):
            return "the mysql client (mariadb-client-core)"
        return None

    def version(self):
        try:
            out = subprocess.run(["indexer", "--help"], capture_output=True, text=True).stdout
        except OSError:
            return "?"
        m = re.search(r"Sphinx ([\d.]+)", out)
        return m.group(1) if m else "?"

    def db_path(self, work):
        return os.path.join(work, "sphinx")

    def write_conf(self, db, paths):
        """One config per index: it names the corpus, the index and the server."""
        self.run = db + ".run"
        os.makedirs(self.run, exist_ok=True)
        os.makedirs(db, exist_ok=True)
        if self.port is None:
            self.port = free_port()
        self.conf = os.path.join(self.run, "sphinx.conf")
        with open(self.conf, "w") as f:
            f.write(SPHINX_CONF.format(py=PY, here=HERE, db=db, run=self.run,
                                       port=self.port, charset=sphinx_charset(),
                                       paths=" ".join(paths)))
        return self.conf

    def index_argv(self, db, paths):
        return ["indexer", "--config", self.write_conf(db, paths), "--all"]

    def index_summary(self, out):
        m = re.search(r"^total (\d+) docs, (\d+) bytes", out, re.M)
        return {"articles": int(m.group(1)), "bytes": int(m.group(2))} if m else None

    EXT = {"sps": "stored text", "spp": "positions", "spd": "postings",
           "spi": "term lists, dictionary"}

    def parts(self, db):
        parts = {}
        for f in files_under(db):
            ext = f.rsplit(".", 1)[-1]
            add_part(parts, self.EXT.get(ext, "other"), f)
        return parts

    def start(self, db, log):
        r = subprocess.run(["searchd", "--config", self.conf],
                           capture_output=True, text=True)
        if r.returncode != 0 or not wait_listening(self.port):
            return "searchd did not start: " + (r.stderr or r.stdout).strip()[-300:]
        self.server = True
        return None

    def stop(self):
        if self.server:
            subprocess.run(["searchd", "--config", self.conf, "--stopwait"],
                           capture_output=True)
            self.server = False

    def sql(self, statement):
        return ["mysql", "-N", "-B", "-h", "127.0.0.1", "-P", str(self.port), "-e", statement]

    def query_argv(self, db, q, hits):
        return self.sql("SELECT id, path, title, SNIPPET(body, %s) FROM articles "
                        "WHERE MATCH(%s) LIMIT %d" % (sphinx_quote(q), sphinx_quote(q), hits))

    def count_argv(self, db, q):
        return self.sql("SELECT id FROM articles WHERE MATCH(%s) LIMIT 1; "
                        "SHOW META LIKE 'total_found'" % sphinx_quote(q))

    def count_of(self, rc, out):
        m = re.search(r"total_found\s+(\d+)", out)
        return int(m.group(1)) if rc == 0 and m else "error"


def make(names):
    """The peers to measure: the two always measured, then 'names' in order."""
    out = [Xapian(), Fts5()]
    for n in names:
        if n == "lucene":
            out.append(Lucene())
        elif n == "sphinx":
            out.append(Sphinx())
        else:
            raise ValueError(n)
    return out
