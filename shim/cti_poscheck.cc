/*
 * cti_poscheck.cc - phrase and NEAR matched by cti: PositionCheck, a
 * Xapian::PostingSource that reads the positions of a database keeping
 * them per article (cti_positions.h), or Xapian's position table of any
 * other (see cti_poscheck.h).
 */
#include "cti_poscheck.h"
#include "cti_positions.h"
#include "cti_xapian.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

/* What one phrase or NEAR looks for (built by cti_poscheck_spec()). */
struct cti_posspec {
    bool near;
    Xapian::termcount window;
    std::vector<std::vector<cti_pat>> places;
    std::vector<std::string> terms;         /* the exact terms, once each */
    std::vector<uint16_t> fps;              /* ... their fingerprints */
    std::vector<std::vector<size_t>> place_terms; /* per place: into terms */
    std::vector<unsigned> group;  /* NEAR: places with equal terms */
    std::vector<unsigned> need;   /* NEAR: how many places per group */
    /* While a cti_poscheck_memo lives: every check's answers, by document
       (one database), so that a document is read once however many runs
       ask about it. */
    mutable std::unordered_map<Xapian::docid, bool> *memo = nullptr;
    mutable bool sealed = false; /* a document not in the memo: false */
    mutable bool frozen = false; /* the memo takes no more answers */
};

/*
 * What a cti_poscheck_share holds: the parts found so far, by document
 * and part, their values one after another in an arena, up to BYTES in
 * all.  Xapian may walk each check of a query through every document it
 * asks about before the next check starts, so the parts are kept for the
 * whole run; a check asks about the documents in docid order, so they
 * are kept in the order read, and a part read for a document before the
 * last one kept (a later check's walk) is not kept again.
 */
struct cti_poscheck_share::Store {
    static const size_t BYTES = 64 * 1024;
    struct Entry {
        Xapian::docid did;
        unsigned part;
        size_t off, len; /* in arena */
    };
    const Xapian::Database::Internal *db = nullptr; /* whose values */
    std::vector<Entry> entries;                     /* by did */
    std::string arena;
    size_t searched = 0, found = 0; /* find()'s searches, and hits */
    bool off = false;               /* it stopped */

    /* Part p of document did, or nullptr.  A share that finds little
       of what it is asked about (checks reading different parts, or
       asking about different documents) stops: after 1,024 searches
       that found under one in 16, it answers nothing and keeps
       nothing. */
    const Entry *find(unsigned p, Xapian::docid did)
    {
        if (off || entries.empty() || did > entries.back().did)
            return nullptr; /* a walk ahead of what is kept */
        auto e = std::lower_bound(entries.begin(), entries.end(), did,
                                  [](const Entry &x, Xapian::docid d) { return x.did < d; });
        searched++;
        for (; e != entries.end() && e->did == did; ++e)
            if (e->part == p) {
                found++;
                return &*e;
            }
        if (searched >= 1024 && found * 16 < searched)
            off = true;
        return nullptr;
    }

    /* Keep 'value', part p of document did, while the budget lasts. */
    void add(unsigned p, Xapian::docid did, const std::string &value)
    {
        if (off || (!entries.empty() && did < entries.back().did) ||
            arena.size() + value.size() + (entries.size() + 1) * sizeof(Entry) > BYTES)
            return;
        if (arena.capacity() < BYTES) { /* once: no copies as it fills */
            arena.reserve(BYTES);
            entries.reserve(BYTES / 64);
        }
        entries.push_back(Entry{did, p, arena.size(), value.size()});
        arena += value;
    }
};

namespace {

/* The share of this thread (cti_poscheck_share), if any. */
thread_local cti_poscheck_share::Store *share_now = nullptr;

/* The share holding the values of 'db' in this thread, or nullptr. */
cti_poscheck_share::Store *share_of(const Xapian::Database &db)
{
    cti_poscheck_share::Store *s = share_now;
    return s && db.internal.size() == 1 && db.internal[0].get() == s->db ? s : nullptr;
}

/*
 * PositionCheck: the documents where the words of one phrase or NEAR
 * group stand as the operator asks, for a query built as
 *
 *     FILTER(AND(place 1, ..., place n), PositionCheck)
 *
 * so the words weigh what they weigh in Xapian's OP_PHRASE / OP_NEAR
 * (whose weight is the sum of its subqueries'), and this source adds
 * none.  Each place is a term, or the terms of an OR, SYNONYM or
 * wildcard (a prefix).  Semantics, as Xapian 1.4's:
 *
 *   phrase, window w: positions p1 < p2 < ... < pn, one per place in
 *     order, with pn - p1 < w (w = n: the words one after another);
 *   NEAR, window w: one position per place, all different, in any
 *     order, with the last - the first < w.
 *
 * Xapian gives each database of the search its own copy (clone(), then
 * init()): one keeping positions per article (CTI_POSITIONS_META) is
 * read from the parts of its words, in value slots CTI_POSITIONS_SLOT on
 * (or a version 1 blob of every word in CTI_POSITIONS_SLOT;
 * cti_positions.h), any other from the position table, so old, new and
 * mixed indexes give the same answers.  Which terms a document holds
 * comes from their posting lists (one iterator per term, moving forward;
 * or from the query: the AND this source filters, a trusted
 * PositionDecider), so a key in a part is
 * only taken for a term the document has; a prefix's terms come from the
 * document's term list.  verify() says how the positions are compared.
 *
 * It is estimated to match every document, so an AND asks its words
 * first and this source only about the documents holding all of them
 * (check()); when it does lead, it walks the postings of its rarest
 * single-term place (or every document).  It only answers for documents
 * it has verified, so counts stay exact.  A damaged blob is a
 * DatabaseCorruptError (CTI_ECORRUPT), never a guess.
 */
class PositionCheck : public Xapian::PostingSource {
  public:
    using Spec = cti_posspec;

    explicit PositionCheck(std::shared_ptr<const Spec> s) : spec(std::move(s)) {}

    Xapian::PostingSource *clone() const override { return new PositionCheck(spec); }
    std::string name() const override { return "cti.PositionCheck"; }

    void init(const Xapian::Database &d) override
    {
        db = d;
        blob = db.get_metadata(CTI_POSITIONS_META) == CTI_POSITIONS_ARTICLE;
        all = db.get_doccount();
        lead_open = false;
        if (!parts)
            parts = std::make_shared<std::vector<std::unique_ptr<Part>>>(
                CTI_POSITIONS_PARTS);
        /* Postings are opened when first needed: a check whose places'
           terms are known to be here (check(), a trusted ask()) seldom
           needs any. */
        has.assign(spec->terms.size(), Xapian::PostingIterator());
        has_open.assign(spec->terms.size(), 0);
        avgpos.assign(spec->terms.size(), AVG_UNKNOWN);
        cur = 0;
        positioned = false;
        done = false;
        pos.assign(spec->places.size(), std::vector<uint32_t>());
        tpos.assign(spec->terms.size(), std::vector<uint32_t>());
        /* A sealed memo knows every match: they are the lead. */
        known.clear();
        if (spec->memo && spec->sealed) {
            for (const auto &kv : *spec->memo)
                if (kv.second)
                    known.push_back(kv.first);
            std::sort(known.begin(), known.end());
        }
    }

    /* Estimated as every document: an AND asks its rarest postings
       first, so this source comes last and is only asked about the
       documents that hold every word. */
    Xapian::doccount get_termfreq_min() const override { return sealed() ? known.size() : 0; }
    Xapian::doccount get_termfreq_est() const override { return sealed() ? known.size() : all; }
    Xapian::doccount get_termfreq_max() const override { return sealed() ? known.size() : all; }

    void next(double) override { advance(cur + 1); }

    void skip_to(Xapian::docid did, double) override
    {
        if (positioned && did <= cur)
            return;
        if (!positioned && did <= cur)
            did = cur + 1;
        advance(did);
    }

    /* Asked by the AND this source filters about a document the AND's
       other parts hold: estimated as every document, it is asked after
       each of its words (one estimated as high is in every document), so
       a place of one term holds it here without its postings read. */
    bool check(Xapian::docid did, double) override { return decide(did, true); }

    /* Asked by a match decider about a match of its query, which holds
       the terms of the places only when the check is trusted (trust()):
       the others are looked up in their postings. */
    bool ask(Xapian::docid did) { return decide(did, trusted); }

    bool at_end() const override { return done; }
    Xapian::docid get_docid() const override { return cur; }

    std::string get_description() const override
    {
        return std::string("cti.PositionCheck(") + (spec->near ? "near " : "phrase ") +
               std::to_string(spec->window) + ")";
    }

    /* Take a document asked about to hold the term of every place of
       one term (its query is the AND of them): only the terms of wider
       places are looked up in their postings. */
    void trust() { trusted = true; }

    /* Read the parts through o's readers (before init(); o asked about
       the same documents in the same database): the checks of one query
       then read each part once a document. */
    void share_parts(PositionCheck &o)
    {
        if (!o.parts)
            o.parts = std::make_shared<std::vector<std::unique_ptr<Part>>>(
                CTI_POSITIONS_PARTS);
        parts = o.parts;
    }

  private:
    /* One term's positions in one document, read forward on demand:
       from its deltas in a blob, or from a vector (the table). */
    struct Cur {
        cti_posdeltas d;
        const std::vector<uint32_t> *v = nullptr;
        size_t i = 0;
        uint32_t pos = 0;
        bool ok = false;    /* pos holds a position */
        unsigned part = 0;  /* the blob's, for a message */
    };

    std::shared_ptr<const Spec> spec;
    bool trusted = false;
    Xapian::Database db;
    bool blob = false;
    Xapian::doccount all = 0;
    Xapian::PostingIterator it, end;        /* the lead's postings */
    bool lead_open = false;
    std::vector<Xapian::docid> known;         /* a sealed memo's matches */
    std::vector<Xapian::PostingIterator> has; /* per exact term */
    std::vector<char> has_open;               /* ... opened yet */
    std::vector<Xapian::termcount> avgpos;    /* ... its average wdf
                                                (AVG_UNKNOWN: not looked
                                                up yet, avg_wdf()) */
    static constexpr Xapian::termcount AVG_UNKNOWN = ~Xapian::termcount(0);
    bool places_held = false; /* the single-term places hold their terms
                                 in the document being verified */
    Xapian::docid cur = 0;   /* the last document looked at */
    bool positioned = false; /* ... and it matched */
    bool done = false;
    Xapian::docid did_ = 0;                  /* the document being verified */
    std::vector<std::vector<uint32_t>> pos;  /* per place, this document */
    std::vector<std::vector<uint32_t>> tpos; /* per exact term (table) */
    std::vector<std::string> extra;          /* a prefix's terms here */
    std::vector<std::vector<uint32_t>> xpos; /* ... their positions (table) */
    std::vector<size_t> xplace;              /* ... their place */
    std::vector<Xapian::termcount> xwdf;     /* ... their wdf */
    std::vector<char> present;
    /* Blobs: each term's deltas, looked up when first needed. */
    std::vector<char> tstate;                /* per exact term: 0 not yet,
                                                1 found, 2 none */
    std::vector<cti_posdeltas> tdel;
    std::vector<unsigned> tpart;             /* ... in the blob of this part */
    std::vector<char> xstate;                /* ... per prefix term */
    std::vector<cti_posdeltas> xdel;
    std::vector<unsigned> xpart;
    /* One part's values (slot CTI_POSITIONS_SLOT + its number), read
       forward with the documents asked about (cheaper than looking each
       value up afresh), only for the parts of the terms looked for. */
    struct Part {
        bool open = false;
        Xapian::ValueIterator it, end;
        Xapian::docid at = 0; /* the document read last: */
        bool none = true;     /* ... it has no value here */
        std::string value;    /* ... the value */
        cti_posreader r;      /* ... read */
    };
    /* The parts read so far (maybe shared: share_parts()). */
    std::shared_ptr<std::vector<std::unique_ptr<Part>>> parts;
    std::vector<size_t> order;               /* places, cheapest first */
    std::vector<Xapian::termcount> cost;     /* ... their positions (about) */
    std::vector<uint32_t> anchors;           /* the cheapest place's positions
                                                still in the running */
    std::vector<Cur> curs;                   /* one place's cursors */
    std::vector<std::pair<uint32_t, unsigned>> near_ev; /* near_ok()'s */
    std::vector<unsigned> near_have;
    std::vector<char> near_seen;

    /* check() and ask(): 'held', the single-term places hold their
       terms in document did. */
    bool decide(Xapian::docid did, bool held)
    {
        if (positioned && did <= cur)
            return true;
        cur = did;
        places_held = held;
        positioned = verify(did);
        return positioned;
    }

    /* The average wdf of exact term k, looked up when first needed. */
    Xapian::termcount avg_wdf(size_t k)
    {
        if (avgpos[k] == AVG_UNKNOWN) {
            Xapian::doccount f = db.get_termfreq(spec->terms[k]);
            avgpos[k] = f ? static_cast<Xapian::termcount>(
                                db.get_collection_freq(spec->terms[k]) / f)
                          : 0;
        }
        return avgpos[k];
    }

    /* Are the matches those of a sealed memo (in 'known')? */
    bool sealed() const { return spec->memo && spec->sealed; }

    /* Move to the first verified document from 'from' on. */
    void advance(Xapian::docid from)
    {
        if (sealed()) {
            auto k = std::lower_bound(known.begin(), known.end(), from);
            positioned = k != known.end();
            done = !positioned;
            cur = positioned ? *k : from;
            return;
        }
        if (!lead_open)
            open_lead();
        places_held = false; /* only the lead's term is known here */
        it.skip_to(from);
        for (; it != end; ++it) {
            Xapian::docid d = *it;
            if (verify(d)) {
                cur = d;
                positioned = true;
                return;
            }
        }
        cur = from;
        positioned = false;
        done = true;
    }

    /* The postings walked when this source leads: those of its rarest
       single-term place, or every document. */
    void open_lead()
    {
        std::string lead;
        Xapian::doccount tf = all;
        bool single = false;
        for (const auto &pl : spec->places) {
            if (pl.size() != 1 || pl[0].prefix)
                continue;
            Xapian::doccount f = db.get_termfreq(pl[0].term);
            if (!single || f < tf) {
                lead = pl[0].term;
                tf = f;
                single = true;
            }
        }
        it = db.postlist_begin(single ? lead : std::string());
        end = db.postlist_end(single ? lead : std::string());
        lead_open = true;
    }

    static bool starts_with(const std::string &t, const std::string &p)
    {
        return t.size() >= p.size() && t.compare(0, p.size(), p) == 0;
    }

    /* Does the document hold exact term k (its postings, forward only)? */
    bool holds(size_t k, Xapian::docid did)
    {
        if (!has_open[k]) {
            has[k] = db.postlist_begin(spec->terms[k]);
            has_open[k] = 1;
        }
        Xapian::PostingIterator &p = has[k];
        Xapian::PostingIterator e = db.postlist_end(spec->terms[k]);
        if (p == e)
            return false;
        if (*p < did)
            p.skip_to(did);
        return p != e && *p == did;
    }

    /*
     * Whether the places stand as asked in document 'did', read lazily:
     * the positions of the cheapest place (by wdf) are the anchors, and
     * each other place, cheapest first, keeps only the anchors it can
     * stand beside; its positions are read only as far as the last
     * anchor needs, and the next places are not read at all once no
     * anchor is left.  An exact phrase (window = places) is then
     * decided; any other window is checked on every position of the
     * places that are left (phrase_ok(), near_ok()).
     */
    bool verify(Xapian::docid did)
    {
        if (!spec->memo)
            return verify_now(did);
        auto f = spec->memo->find(did);
        if (f != spec->memo->end())
            return f->second;
        if (spec->sealed)
            return false;
        bool r = verify_now(did);
        if (!spec->frozen)
            spec->memo->emplace(did, r);
        return r;
    }

    /* verify() without the memo. */
    bool verify_now(Xapian::docid did)
    {
        const Spec &s = *spec;
        did_ = did;
        present.assign(s.terms.size(), 0);
        extra.clear();
        xplace.clear();
        xwdf.clear();
        bool some_prefix = false;
        for (size_t i = 0; i < s.places.size(); ++i) {
            bool any = false;
            for (size_t k : s.place_terms[i]) {
                if (!present[k])
                    present[k] = (places_held && s.places[i].size() == 1) ||
                                 holds(k, did);
                any = any || present[k];
            }
            bool prefix = s.place_terms[i].size() < s.places[i].size();
            some_prefix = some_prefix || prefix;
            if (!any && !prefix)
                return false; /* a place none of whose terms is here */
        }
        if (some_prefix)
            prefix_terms(did);
        if (blob)
            start_blob();
        else
            read_table(did);
        rank_places();
        if (!take_anchors(order[0]))
            return false;
        for (size_t j = 1; j < order.size(); ++j)
            if (!narrow(order[j], order[0]))
                return false;
        if (!s.near && s.window == s.places.size())
            return true; /* each place holds its anchor's neighbour */
        for (size_t i = 0; i < s.places.size(); ++i)
            if (!place_positions(i, pos[i]))
                return false;
        return s.near ? near_ok() : phrase_ok();
    }

    /* The document's terms that start with a place's prefix. */
    void prefix_terms(Xapian::docid did)
    {
        for (size_t i = 0; i < spec->places.size(); ++i)
            for (const cti_pat &pt : spec->places[i]) {
                if (!pt.prefix)
                    continue;
                Xapian::TermIterator t = db.termlist_begin(did);
                for (t.skip_to(pt.term); t != db.termlist_end(did) &&
                                         starts_with(*t, pt.term); ++t) {
                    extra.push_back(*t);
                    xplace.push_back(i);
                    xwdf.push_back(t.get_wdf());
                }
            }
    }

    /* The positions of the present terms from the position table. */
    void read_table(Xapian::docid did)
    {
        auto fill = [&](const std::string &term, std::vector<uint32_t> &v) {
            v.clear();
            for (auto p = db.positionlist_begin(did, term);
                 p != db.positionlist_end(did, term); ++p)
                v.push_back(*p);
        };
        for (size_t k = 0; k < spec->terms.size(); ++k)
            if (present[k])
                fill(spec->terms[k], tpos[k]);
        xpos.resize(extra.size());
        for (size_t x = 0; x < extra.size(); ++x)
            fill(extra[x], xpos[x]);
    }

    /* Places by their cost, cheapest first: the positions of their terms
       (on blobs as their wdf says, read from the postings already here;
       with the places' terms known to be here, as their average wdf
       says). */
    void rank_places()
    {
        const Spec &s = *spec;
        cost.assign(s.places.size(), 0);
        for (size_t i = 0; i < s.places.size(); ++i)
            for (size_t k : s.place_terms[i])
                if (present[k])
                    cost[i] += !blob ? static_cast<Xapian::termcount>(tpos[k].size())
                               : places_held ? avg_wdf(k) : has[k].get_wdf();
        for (size_t x = 0; x < extra.size(); ++x)
            cost[xplace[x]] += blob ? xwdf[x]
                                    : static_cast<Xapian::termcount>(xpos[x].size());
        /* A few places: an insertion sort, stable, allocating nothing. */
        order.resize(s.places.size());
        for (size_t i = 0; i < order.size(); ++i) {
            size_t j = i;
            for (; j > 0 && cost[order[j - 1]] > cost[i]; --j)
                order[j] = order[j - 1];
            order[j] = i;
        }
    }

    [[noreturn]] void damaged(unsigned part = 0) const
    {
        throw Xapian::DatabaseCorruptError(
            "the positions of document " + std::to_string(did_) + " (value " +
            std::to_string(CTI_POSITIONS_SLOT + part) + ") are damaged");
    }

    /* A new document: no term looked up yet. */
    void start_blob()
    {
        tstate.assign(spec->terms.size(), 0);
        tdel.resize(spec->terms.size());
        tpart.resize(spec->terms.size());
        xstate.assign(extra.size(), 0);
        xdel.resize(extra.size());
        xpart.resize(extra.size());
    }

    /* Part p of the document, read if it has one. */
    Part &part(unsigned p)
    {
        std::unique_ptr<Part> &slot = (*parts)[p];
        if (!slot)
            slot.reset(new Part());
        Part &pt = *slot;
        if (pt.at == did_)
            return pt;
        /* Another check of the query read it already. */
        cti_poscheck_share::Store *sh = share_of(db);
        if (const cti_poscheck_share::Store::Entry *f = sh ? sh->find(p, did_) : nullptr) {
            pt.at = did_;
            pt.none = false;
            take(pt, p, sh->arena.substr(f->off, f->len));
            return pt;
        }
        if (!pt.open) {
            pt.it = db.valuestream_begin(CTI_POSITIONS_SLOT + p);
            pt.end = db.valuestream_end(CTI_POSITIONS_SLOT + p);
            pt.open = true;
        }
        if (pt.it != pt.end && pt.it.get_docid() < did_)
            pt.it.skip_to(did_);
        pt.at = did_;
        pt.none = pt.it == pt.end || pt.it.get_docid() != did_;
        if (!pt.none)
            take(pt, p, *pt.it);
        if (sh && !pt.none)
            sh->add(p, did_, pt.value);
        return pt;
    }

    /* Part p of the document being verified is 'value'. */
    void take(Part &pt, unsigned p, std::string value)
    {
        pt.value = std::move(value);
        if (cti_posreader_init(&pt.r, pt.value.data(), pt.value.size()) != CTI_OK ||
            (p > 0 && pt.r.version == 1))
            damaged(p);
    }

    /* The reader holding the positions of a term of fingerprint fp: its
       part, or a version 1 blob of every term; nullptr when neither is
       there (the term has no positions in the document). */
    const cti_posreader *blob_reader(uint16_t fp, unsigned &p)
    {
        p = cti_positions_part(fp);
        Part &pt = part(p);
        if (!pt.none)
            return &pt.r;
        if (p == 0)
            return nullptr;
        Part &whole = part(0);
        if (whole.none || whole.r.version != 1)
            return nullptr;
        p = 0;
        return &whole.r;
    }

    /* Find 'term' (fingerprint fp) in the blobs: state 1 with d set (in
       the blob of part p), or 2. */
    void lookup(const std::string &term, uint16_t fp, char &state,
                cti_posdeltas &d, unsigned &p)
    {
        const cti_posreader *r = blob_reader(fp, p);
        cti_status st = r ? cti_posreader_find(r, term.data(), term.size(), fp, &d)
                          : CTI_DONE;
        if (st != CTI_OK && st != CTI_DONE)
            damaged(p);
        state = st == CTI_OK ? 1 : 2;
    }

    /* Cursors over the positions of place i, each on its first one. */
    void open_place(size_t i, std::vector<Cur> &out)
    {
        const Spec &s = *spec;
        out.clear();
        auto add = [&](Cur c) {
            step(c);
            if (c.ok)
                out.push_back(c);
        };
        for (size_t k : s.place_terms[i]) {
            if (!present[k])
                continue;
            Cur c;
            if (!blob) {
                c.v = &tpos[k];
            } else {
                if (!tstate[k])
                    lookup(s.terms[k], s.fps[k], tstate[k], tdel[k], tpart[k]);
                if (tstate[k] != 1)
                    continue;
                c.d = tdel[k];
                c.part = tpart[k];
            }
            add(c);
        }
        for (size_t x = 0; x < extra.size(); ++x) {
            if (xplace[x] != i)
                continue;
            Cur c;
            if (!blob) {
                c.v = &xpos[x];
            } else {
                if (!xstate[x])
                    lookup(extra[x], cti_positions_fp(extra[x].data(), extra[x].size()),
                           xstate[x], xdel[x], xpart[x]);
                if (xstate[x] != 1)
                    continue;
                c.d = xdel[x];
                c.part = xpart[x];
            }
            add(c);
        }
    }

    /* Move c to its next position (c.ok false past the last). */
    void step(Cur &c) const
    {
        if (c.v) {
            c.ok = c.i < c.v->size();
            if (c.ok)
                c.pos = (*c.v)[c.i++];
            return;
        }
        cti_status st = cti_posreader_next(&c.d, &c.pos);
        if (st != CTI_OK && st != CTI_DONE)
            damaged(c.part);
        c.ok = st == CTI_OK;
    }

    /* Every position of place i, in order, once each, into v: false when
       it has none. */
    bool place_positions(size_t i, std::vector<uint32_t> &v)
    {
        open_place(i, curs);
        v.clear();
        for (Cur &c : curs)
            for (; c.ok; step(c))
                v.push_back(c.pos);
        if (curs.size() > 1) {
            std::sort(v.begin(), v.end());
            v.erase(std::unique(v.begin(), v.end()), v.end());
        }
        return !v.empty();
    }

    /* The anchors: the positions of place r. */
    bool take_anchors(size_t r) { return place_positions(r, anchors); }

    /*
     * Keep the anchors (positions of place r) that place i can stand
     * beside: a position of place i at an offset from the anchor that a
     * match allows (phrase: as far after or before it as the places are
     * apart, plus the window's slack; NEAR: within the window either way,
     * and not at the anchor itself when both places name the same terms,
     * which need a position each).  A necessary condition of phrase_ok()
     * and near_ok(), and for an exact phrase a sufficient one.  False
     * when no anchor is left.
     */
    bool narrow(size_t i, size_t r)
    {
        const Spec &s = *spec;
        int64_t n = static_cast<int64_t>(s.places.size());
        int64_t w = static_cast<int64_t>(s.window), lo, hi;
        if (s.near) {
            lo = 1 - w;
            hi = w - 1;
        } else {
            int64_t d = static_cast<int64_t>(i) - static_cast<int64_t>(r);
            lo = d > 0 ? d : d - (w - n);
            hi = d > 0 ? d + (w - n) : d;
        }
        bool apart = s.near && s.group[i] == s.group[r];
        open_place(i, curs);
        size_t kept = 0;
        for (uint32_t q : anchors) {
            int64_t a = static_cast<int64_t>(q) + lo, b = static_cast<int64_t>(q) + hi;
            bool hit = false;
            for (Cur &c : curs) {
                while (c.ok && c.pos < a)
                    step(c);
                if (!c.ok || c.pos > b)
                    continue;
                if (c.pos != q || !apart) {
                    hit = true;
                } else { /* not at the anchor: look one further */
                    Cur peek = c;
                    step(peek);
                    hit = peek.ok && peek.pos <= b;
                }
                if (hit)
                    break;
            }
            if (hit)
                anchors[kept++] = q;
        }
        anchors.resize(kept);
        return kept > 0;
    }

    /* In order, each after the one before, within the window. */
    bool phrase_ok() const
    {
        const Xapian::termcount w = spec->window;
        for (uint32_t first : pos[0]) {
            uint32_t prev = first;
            size_t i = 1;
            for (; i < pos.size(); ++i) {
                auto nx = std::upper_bound(pos[i].begin(), pos[i].end(), prev);
                if (nx == pos[i].end())
                    return false; /* later starts cannot do better */
                prev = *nx;
                if (prev - first >= w)
                    break;
            }
            if (i == pos.size())
                return true;
        }
        return false;
    }

    /* Every group's places at different positions, all within the window. */
    bool near_ok()
    {
        std::vector<std::pair<uint32_t, unsigned>> &ev = near_ev;
        const std::vector<unsigned> &grp = spec->group;
        std::vector<unsigned> &have = near_have;
        std::vector<char> &seen = near_seen;
        ev.clear();
        seen.assign(spec->need.size(), 0);
        for (size_t i = 0; i < pos.size(); ++i) {
            if (seen[grp[i]])
                continue; /* equal places share one list */
            seen[grp[i]] = true;
            for (uint32_t p : pos[i])
                ev.emplace_back(p, grp[i]);
        }
        std::sort(ev.begin(), ev.end());
        have.assign(spec->need.size(), 0);
        size_t full = 0, lo = 0;
        for (size_t hi = 0; hi < ev.size(); ++hi) {
            if (++have[ev[hi].second] == spec->need[ev[hi].second])
                full++;
            while (ev[hi].first - ev[lo].first >= spec->window) {
                if (have[ev[lo].second]-- == spec->need[ev[lo].second])
                    full--;
                lo++;
            }
            if (full == spec->need.size())
                return true;
        }
        return false;
    }
};

/* What a PositionCheck of 'places' looks for (see cti_poscheck_query()). */
std::shared_ptr<cti_posspec> check_spec(
    bool near, const std::vector<std::vector<cti_pat>> &places,
    Xapian::termcount window)
{
    auto spec = std::make_shared<cti_posspec>();
    size_t n = places.size();
    spec->near = near;
    spec->window = window ? window : static_cast<Xapian::termcount>(n);
    auto same = [](const cti_pat &a, const cti_pat &b) {
        return a.term == b.term && a.prefix == b.prefix;
    };
    for (size_t i = 0; i < n; ++i) {
        std::vector<cti_pat> pl = places[i];
        std::sort(pl.begin(), pl.end(), [](const cti_pat &a, const cti_pat &b) {
            return a.term != b.term ? a.term < b.term : a.prefix < b.prefix;
        });
        pl.erase(std::unique(pl.begin(), pl.end(), same), pl.end());
        std::vector<size_t> ks;
        for (const cti_pat &pt : pl) {
            if (pt.prefix)
                continue;
            size_t k = std::find(spec->terms.begin(), spec->terms.end(), pt.term) -
                       spec->terms.begin();
            if (k == spec->terms.size()) {
                spec->terms.push_back(pt.term);
                spec->fps.push_back(cti_positions_fp(pt.term.data(), pt.term.size()));
            }
            ks.push_back(k);
        }
        /* NEAR: places naming the same terms form one group, which needs
           as many different positions as it has places. */
        unsigned g = static_cast<unsigned>(spec->need.size());
        for (size_t j = 0; j < spec->places.size(); ++j)
            if (spec->places[j].size() == pl.size() &&
                std::equal(pl.begin(), pl.end(), spec->places[j].begin(), same)) {
                g = spec->group[j];
                break;
            }
        if (g == spec->need.size())
            spec->need.push_back(0);
        spec->need[g]++;
        spec->group.push_back(g);
        spec->places.push_back(std::move(pl));
        spec->place_terms.push_back(std::move(ks));
    }
    return spec;
}

/*
 * PositionDecider: the checks of a query's phrases and NEARs on which
 * every match depends, run by the matcher after it weighed a document
 * and only when the weight could put it in the page asked for (as
 * Xapian's own phrase matching defers its position reads), instead of
 * on every document holding the words.  One PositionCheck a phrase,
 * asked about the documents in docid order, as the matcher meets them
 * in one database.
 */
class PositionDecider : public Xapian::MatchDecider {
  public:
    PositionDecider(const Xapian::Database &db,
                    const std::vector<std::shared_ptr<const cti_posspec>> &specs,
                    const std::vector<std::shared_ptr<const cti_posspec>> &boosts =
                        {},
                    cti_boost_seen *seen = nullptr, Xapian::doccount enough = 0,
                    Xapian::doccount matches = 0)
        : seen_(seen), enough_(enough), matches_(matches), last_(db.get_lastdocid())
    {
        for (const auto &sp : specs)
            add(db, sp, checks, true);
        /* A boost's words need not be every word of the query: its
           checks look them up in their postings. */
        for (const auto &sp : boosts)
            add(db, sp, boost_checks, false);
    }

    bool operator()(const Xapian::Document &doc) const override
    {
        Xapian::docid did = doc.get_docid();
        for (const auto &c : checks)
            if (!c->ask(did))
                return false;
        if (seen_ && ++seen_->asked >= BOOST_TRIAL && seen_->held < enough_ &&
            (static_cast<uint64_t>(enough_) * seen_->asked >=
                 (static_cast<uint64_t>(seen_->held) + 1) * (matches_ / 2) ||
             static_cast<uint64_t>(did) * 4 >= last_))
            throw cti_boost_rare();
        /* Every boost, so that a later run weighing the document finds
           each answer in the memo. */
        bool all = true;
        for (const auto &c : boost_checks)
            all = c->ask(did) && all;
        if (!all) {
            seen_->missed.push_back(did);
            return false;
        }
        if (seen_)
            seen_->held++;
        return true;
    }

  private:
    std::vector<std::unique_ptr<PositionCheck>> checks, boost_checks;
    cti_boost_seen *seen_;
    Xapian::doccount enough_, matches_;
    Xapian::docid last_;
    /* Boost checks before the rate of those held is trusted. */
    static const Xapian::doccount BOOST_TRIAL = 32;

    /* A check of 'sp' reading the parts through the first check's. */
    void add(const Xapian::Database &db, const std::shared_ptr<const cti_posspec> &sp,
             std::vector<std::unique_ptr<PositionCheck>> &to, bool trusted)
    {
        to.emplace_back(new PositionCheck(sp));
        if (trusted)
            to.back()->trust();
        PositionCheck *first = checks.empty() ? boost_checks.front().get()
                                              : checks.front().get();
        to.back()->share_parts(*first);
        to.back()->init(db);
    }
};

} // namespace

std::shared_ptr<const cti_posspec> cti_poscheck_spec(
    bool near, const std::vector<std::vector<cti_pat>> &places,
    Xapian::termcount window)
{
    for (const auto &pl : places)
        if (pl.empty())
            throw Xapian::InvalidArgumentError("a phrase place without terms");
    return check_spec(near, places, window);
}

Xapian::Query cti_poscheck_query(const std::shared_ptr<const cti_posspec> &spec)
{
    return Xapian::Query((new PositionCheck(spec))->release());
}

std::unique_ptr<Xapian::MatchDecider> cti_poscheck_decider(
    const Xapian::Database &db,
    const std::vector<std::shared_ptr<const cti_posspec>> &specs)
{
    return std::unique_ptr<Xapian::MatchDecider>(new PositionDecider(db, specs));
}

std::unique_ptr<Xapian::MatchDecider> cti_poscheck_boost_decider(
    const Xapian::Database &db,
    const std::vector<std::shared_ptr<const cti_posspec>> &specs,
    const std::vector<std::shared_ptr<const cti_posspec>> &boosts,
    cti_boost_seen *seen, Xapian::doccount enough, Xapian::doccount matches)
{
    return std::unique_ptr<Xapian::MatchDecider>(
        new PositionDecider(db, specs, boosts, seen, enough, matches));
}

Xapian::doccount cti_poscheck_most(const Xapian::Database &db,
                                   const cti_posspec &spec)
{
    Xapian::doccount n = db.get_doccount();
    for (size_t i = 0; i < spec.places.size(); ++i) {
        if (spec.place_terms[i].size() < spec.places[i].size())
            continue; /* a prefix: any number */
        uint64_t f = 0;
        for (size_t k : spec.place_terms[i])
            f += db.get_termfreq(spec.terms[k]);
        if (f < n)
            n = static_cast<Xapian::doccount>(f);
    }
    return n;
}

cti_poscheck_memo::cti_poscheck_memo(
    const std::vector<std::shared_ptr<const cti_posspec>> &specs)
    : specs_(specs)
{
    for (const auto &sp : specs_)
        if (!sp->memo)
            sp->memo = new std::unordered_map<Xapian::docid, bool>();
}

cti_poscheck_memo::~cti_poscheck_memo()
{
    for (const auto &sp : specs_) {
        delete sp->memo;
        sp->memo = nullptr;
        sp->sealed = false;
        sp->frozen = false;
    }
}

void cti_poscheck_memo::freeze()
{
    for (const auto &sp : specs_)
        sp->frozen = true;
}

void cti_poscheck_memo::seal()
{
    for (const auto &sp : specs_)
        sp->sealed = true;
}

cti_poscheck_share::cti_poscheck_share(const Xapian::Database &db)
    : store_(new Store()), outer_(share_now)
{
    if (db.internal.size() == 1)
        store_->db = db.internal[0].get();
    share_now = store_.get();
}

cti_poscheck_share::~cti_poscheck_share() { share_now = outer_; }
