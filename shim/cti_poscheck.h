/*
 * cti_poscheck.h - phrase and NEAR matched by cti (C++, inside the shim).
 *
 * Xapian's OP_PHRASE and OP_NEAR read the position table; a database
 * keeping positions per article (CTI_POSITIONS_META) has none.  The shim
 * runs a phrase or NEAR there as
 *
 *     FILTER(AND(place 1, ..., place n), cti_poscheck_query(...))
 *
 * so the words weigh what they weigh in Xapian's operators (the sum of
 * the subqueries' weights) and the check adds none; or, where every match
 * depends on it, as AND(place 1, ..., place n) with the check in a match
 * decider, which the matcher runs only on documents whose weight could
 * put them in the page.
 */
#ifndef CTI_POSCHECK_H
#define CTI_POSCHECK_H

#include <xapian.h>

#include <memory>
#include <string>
#include <vector>

/* One term of a phrase or NEAR place: a term, or every term with a prefix. */
struct cti_pat {
    std::string term;
    bool prefix;
};

/* What one phrase or NEAR looks for (opaque). */
struct cti_posspec;

/*
 * What the documents must hold for the places to stand as a phrase
 * ('near' false: in order, each after the one before, the last less than
 * 'window' positions after the first; window 0: the number of places) or
 * a NEAR (one different position per place, any order, within 'window'),
 * exactly as Xapian 1.4's operators.  Each place is the terms of one
 * subquery (a term, or those of an OR, SYNONYM or wildcard) and must hold
 * one at least.  Throws Xapian::InvalidArgumentError for an empty place,
 * or std::bad_alloc.
 */
std::shared_ptr<const cti_posspec> cti_poscheck_spec(
    bool near, const std::vector<std::vector<cti_pat>> &places,
    Xapian::termcount window);

/*
 * A query matching (without weight) the documents that hold what 'spec'
 * asks.  Every database searched must be local.  May throw
 * std::bad_alloc.
 */
Xapian::Query cti_poscheck_query(const std::shared_ptr<const cti_posspec> &spec);

/*
 * A match decider accepting the documents of 'db' (one local database,
 * not several) that hold what every one of 'specs' asks: for a query
 * whose every match depends on those checks, run without them, so the
 * matcher asks only about the documents whose weight could put them in
 * the page (cti_poscheck.cc).  It must see the documents in docid order,
 * as one Enquire::get_mset() does; use a new one for each.  The caller
 * owns it.  May throw std::bad_alloc or a Xapian::Error.
 */
std::unique_ptr<Xapian::MatchDecider> cti_poscheck_decider(
    const Xapian::Database &db,
    const std::vector<std::shared_ptr<const cti_posspec>> &specs);

/*
 * While it lives, the checks of 'specs' (on one database) remember their
 * answers by document: a document weighed again is not read again.  Not
 * for specs another thread checks at the same time.  May throw
 * std::bad_alloc.
 */
class cti_poscheck_memo {
  public:
    explicit cti_poscheck_memo(
        const std::vector<std::shared_ptr<const cti_posspec>> &specs);
    ~cti_poscheck_memo();
    /* From now on a document the memo does not hold fails every check,
       unread, and the checks walk only the documents it holds: for a run
       asked only about documents already checked. */
    void seal();
    /* From now on the memo answers what it holds and takes no more: for
       a run that checks many more documents, few of them again. */
    void freeze();
    cti_poscheck_memo(const cti_poscheck_memo &) = delete;
    cti_poscheck_memo &operator=(const cti_poscheck_memo &) = delete;

  private:
    std::vector<std::shared_ptr<const cti_posspec>> specs_;
};

/*
 * While it lives, in the thread that made it, the checks reading 'db'
 * (one local database keeping positions per article) share the values
 * they read: a document's part that one check read is not read again by
 * another (up to 64 KB of parts, and only while that pays: see
 * cti_poscheck.cc), as when two phrases or NEARs that only add weight are
 * checked in place, each with readers of its own (a match decider's
 * checks share theirs already).  Make one around the runs of one query,
 * not across a reopen of the database.  May throw
 * std::bad_alloc.
 */
class cti_poscheck_share {
  public:
    explicit cti_poscheck_share(const Xapian::Database &db);
    ~cti_poscheck_share();
    cti_poscheck_share(const cti_poscheck_share &) = delete;
    cti_poscheck_share &operator=(const cti_poscheck_share &) = delete;
    struct Store; /* what it holds (cti_poscheck.cc) */
  private:
    std::unique_ptr<Store> store_;
    Store *outer_; /* the share this one stands in for while it lives */
};

/* What a decider with boost checks (cti_poscheck_boost_decider()) saw. */
struct cti_boost_seen {
    std::vector<Xapian::docid> missed; /* matches lacking a boost, in order */
    Xapian::doccount held = 0;         /* matches holding every boost */
    Xapian::doccount asked = 0;        /* matches whose boosts were checked */
};

/* Thrown by a boost decider that sets too many documents aside. */
struct cti_boost_rare {};

/*
 * As cti_poscheck_decider(), for a query whose boosts (phrases and NEARs
 * that only add weight) are counted as present everywhere: a document
 * passing 'specs' is accepted when it also holds every one of 'boosts'
 * (its weight is then its true one), and otherwise refused and added to
 * seen->missed (its true weight is lower; the caller weighs it again).
 * Every boost is checked, so that a memo (cti_poscheck_memo) of them
 * holds each answer.  Once fewer than 'enough' matches hold every boost
 * after the first 32 and either their rate says that 'enough' would only
 * be found among half of 'matches' (how many can match at most) or more,
 * or a quarter of the documents (by docid) is behind, it throws
 * cti_boost_rare: checking every match in place costs less.  'seen' must outlive the decider.  May throw std::bad_alloc or
 * a Xapian::Error.
 */
std::unique_ptr<Xapian::MatchDecider> cti_poscheck_boost_decider(
    const Xapian::Database &db,
    const std::vector<std::shared_ptr<const cti_posspec>> &specs,
    const std::vector<std::shared_ptr<const cti_posspec>> &boosts,
    cti_boost_seen *seen, Xapian::doccount enough, Xapian::doccount matches);

/* At most how many documents of 'db' can hold what 'spec' asks (the
   rarest place's documents).  May throw a Xapian::Error. */
Xapian::doccount cti_poscheck_most(const Xapian::Database &db,
                                   const cti_posspec &spec);

#endif /* CTI_POSCHECK_H */
