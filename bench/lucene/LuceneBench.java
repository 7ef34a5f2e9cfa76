/*
 * LuceneBench.java - Lucene 8 as a peer in make bench: the indexer and the
 * searcher a Lucene user would write, nothing more.
 *
 *   LuceneBench index DIR PATH...    index files (2 threads, 256 MB buffer)
 *   LuceneBench optimize DIR         merge the index into one segment
 *   LuceneBench search DIR QUERY N   top N hits with a snippet each
 *   LuceneBench count DIR QUERY      the number of matching documents
 *
 * Compiled by bench/bench.py with javac against Debian's liblucene8-java
 * (/usr/share/java/lucene-*.jar); see bench/README.md.
 *
 * Documents: every file not named .* under each PATH (sorted walk) is one
 * document: "path" (the absolute path, stored, not analysed), "title" (the
 * first line when it is at most 300 characters and followed by a blank
 * line, the rule of the other peers) and "body" (the rest), both stored and
 * indexed with positions.  A new index is loaded with addDocument(); an
 * existing one gets updateDocument() by path, so adding a file twice
 * replaces it.  One commit at the end.
 *
 * Analysis: EnglishAnalyzer's chain without its stopwords, plus ASCII
 * folding as cti folds accents: the standard (UAX#29) tokenizer, the
 * English possessive filter, lower case, ASCII folding and the Porter
 * stemmer (cti stems with Snowball English, Porter's successor).
 *
 * Queries: the classic QueryParser over title and body, AND as the default
 * operator.  Output: one line per hit (path, title, snippet from the
 * UnifiedHighlighter over the stored body).  Exit status as grep: 0 when
 * something matched, 1 when nothing did, 2 on an error.
 */

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

public final class LuceneBench {
    static final int THREADS = 2;
    static final double RAM_BUFFER_MB = 256.0;
    static final int TITLE_MAX = 300;
    static final String[] FIELDS = {"title", "body"};

    /** EnglishAnalyzer without stopwords, with folding: UAX#29 words,
        possessives, lower case, ASCII folding, Porter. */
    static final class CtiLikeAnalyzer extends Analyzer {
        @Override
        protected TokenStreamComponents createComponents(String field) {
            Tokenizer src = new StandardTokenizer();
            TokenStream t = new EnglishPossessiveFilter(src);
            t = new LowerCaseFilter(t);
            t = new ASCIIFoldingFilter(t);
            t = new PorterStemFilter(t);
            return new TokenStreamComponents(src, t);
        }

        @Override
        protected TokenStream normalize(String field, TokenStream in) {
            return new ASCIIFoldingFilter(new LowerCaseFilter(in));
        }
    }

    static List<Path> filesOf(String root) throws IOException {
        Path p = Paths.get(root).toAbsolutePath();
        List<Path> out = new ArrayList<>();
        if (Files.isRegularFile(p)) {
            out.add(p);
            return out;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.filter(Files::isRegularFile)
             .filter(f -> {
                 for (Path part : p.relativize(f))
                     if (part.toString().startsWith("."))
                         return false;
                 return true;
             })
             .sorted()
             .forEach(out::add);
        }
        return out;
    }

    static Document documentOf(Path f, byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        String title = "", body = text;
        int nl = text.indexOf('\n');
        if (nl > 0 && nl <= TITLE_MAX && text.startsWith("\n", nl + 1)) {
            title = text.substring(0, nl);
            body = text.substring(nl + 1);
        }
        Document d = new Document();
        d.add(new StringField("path", f.toString(), Field.Store.YES));
        d.add(new TextField("title", title, Field.Store.YES));
        d.add(new TextField("body", body, Field.Store.YES));
        return d;
    }

    static int index(String dir, String[] roots) throws Exception {
        long t0 = System.nanoTime();
        List<Path> files = new ArrayList<>();
        for (String r : roots)
            files.addAll(filesOf(r));
        try (Directory d = FSDirectory.open(Paths.get(dir))) {
            boolean fresh = !DirectoryReader.indexExists(d);
            IndexWriterConfig cfg = new IndexWriterConfig(new CtiLikeAnalyzer());
            cfg.setRAMBufferSizeMB(RAM_BUFFER_MB);
            cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
            AtomicInteger next = new AtomicInteger();
            AtomicLong bytes = new AtomicLong();
            List<Throwable> errors = new ArrayList<>();
            try (IndexWriter w = new IndexWriter(d, cfg)) {
                Thread[] th = new Thread[Math.min(THREADS, Math.max(1, files.size()))];
                for (int i = 0; i < th.length; i++) {
                    th[i] = new Thread(() -> {
                        try {
                            int k;
                            while ((k = next.getAndIncrement()) < files.size()) {
                                Path f = files.get(k);
                                byte[] raw = Files.readAllBytes(f);
                                Document doc = documentOf(f, raw);
                                if (fresh)
                                    w.addDocument(doc);
                                else
                                    w.updateDocument(new Term("path", f.toString()), doc);
                                bytes.addAndGet(raw.length);
                            }
                        } catch (Throwable e) {
                            synchronized (errors) {
                                errors.add(e);
                            }
                        }
                    });
                    th[i].start();
                }
                for (Thread t : th)
                    t.join();
                if (!errors.isEmpty())
                    throw new IOException("indexing failed", errors.get(0));
                w.commit();
            }
            System.out.printf("{\"articles\": %d, \"bytes\": %d, \"seconds\": %.3f}%n",
                              files.size(), bytes.get(), (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    static int optimize(String dir) throws Exception {
        IndexWriterConfig cfg = new IndexWriterConfig(new CtiLikeAnalyzer());
        cfg.setOpenMode(IndexWriterConfig.OpenMode.APPEND);
        try (Directory d = FSDirectory.open(Paths.get(dir));
             IndexWriter w = new IndexWriter(d, cfg)) {
            w.forceMerge(1);
            w.commit();
        }
        return 0;
    }

    static Query parse(String q) throws ParseException {
        QueryParser p = new MultiFieldQueryParser(FIELDS, new CtiLikeAnalyzer());
        p.setDefaultOperator(QueryParser.Operator.AND);
        return p.parse(q);
    }

    static int search(String dir, String q, int n, boolean countOnly) throws Exception {
        Query query = parse(q);
        try (Directory d = FSDirectory.open(Paths.get(dir));
             DirectoryReader r = DirectoryReader.open(d)) {
            IndexSearcher s = new IndexSearcher(r);
            if (countOnly) {
                int c = s.count(query);
                System.out.println(c);
                return c > 0 ? 0 : 1;
            }
            TopDocs top = s.search(query, n);
            UnifiedHighlighter hl = new UnifiedHighlighter(s, new CtiLikeAnalyzer());
            String[] snippets = top.scoreDocs.length > 0
                ? hl.highlight("body", query, top) : new String[0];
            PrintStream out = new PrintStream(System.out, false, "UTF-8");
            int i = 0;
            for (ScoreDoc sd : top.scoreDocs) {
                Document doc = s.doc(sd.doc);
                out.printf("%d\t%s\t%s\t%s%n", i + 1, doc.get("path"), doc.get("title"),
                           snippets[i] == null ? "" : snippets[i].replace('\n', ' '));
                i++;
            }
            out.flush();
            return top.scoreDocs.length > 0 ? 0 : 1;
        }
    }

    public static void main(String[] args) {
        int rc;
        try {
            if (args.length >= 3 && args[0].equals("index")) {
                String[] roots = new String[args.length - 2];
                System.arraycopy(args, 2, roots, 0, roots.length);
                rc = index(args[1], roots);
            } else if (args.length == 2 && args[0].equals("optimize")) {
                rc = optimize(args[1]);
            } else if (args.length == 4 && args[0].equals("search")) {
                rc = search(args[1], args[2], Integer.parseInt(args[3]), false);
            } else if (args.length == 3 && args[0].equals("count")) {
                rc = search(args[1], args[2], 0, true);
            } else {
                System.err.println("usage: LuceneBench index DIR PATH... | optimize DIR"
                                   + " | search DIR QUERY N | count DIR QUERY");
                rc = 2;
            }
        } catch (ParseException e) {
            System.err.println("LuceneBench: bad query: " + e.getMessage());
            rc = 2;
        } catch (Exception e) {
            System.err.println("LuceneBench: " + e);
            rc = 2;
        }
        System.exit(rc);
    }
}
