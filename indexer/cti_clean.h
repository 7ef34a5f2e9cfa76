/*
 * cti_clean.h - page boilerplate and copies, when an article is indexed.
 *
 * Building an article's document goes through three steps here:
 *   1. cti_clean_article(): set aside the page boilerplate of its body
 *      (cti_boiler.h), by the shape of the text and by how many articles
 *      of the same source hold each candidate line (template);
 *   2. cti_clean_word() for each word of the body that is kept, which
 *      feeds its fingerprint (cti_fingerprint.h);
 *   3. cti_clean_finish(): the template terms, the fingerprint and its
 *      band terms, and the copy cluster, found among the articles already
 *      indexed (through their band terms) and those of this run.
 *
 * Terms and values written (the contract is cti_schema.h):
 *   CTI_PREFIX_BLOCK + source key            once per article with a source
 *   CTI_PREFIX_BLOCK + source key + line     once per candidate line
 *   CTI_PREFIX_SEEN  + source key + line     when the line was template
 *                                            for this article when built
 *   CTI_PREFIX_BAND  + band                  the fingerprint's bands
 *   CTI_SLOT_FINGERPRINT, CTI_SLOT_CLUSTER   the fingerprint, the cluster
 * The term frequency of a line term is the number of articles of the
 * source holding the line, kept by the index itself as articles come and
 * go; the "seen" terms tell which articles were built under which verdict,
 * so that cti_clean_settle() can rebuild exactly those whose verdict the
 * counts of the whole index no longer give.
 *
 * One cti_clean_run is shared by the threads of a cti-index run; each
 * thread builds with its own cti_clean.  A run either writes straight
 * into the database it looks things up in (direct: the database counts
 * the run's own articles), or builds elsewhere (bulk segments: the run
 * counts them in memory, beside what the database held before).
 */
#ifndef CTI_CLEAN_H
#define CTI_CLEAN_H

#include <stddef.h>
#include <stdint.h>

#include "cti_article.h"
#include "cti_boiler.h"
#include "cti_xapian.h"

typedef struct cti_clean_run cti_clean_run;
typedef struct cti_clean cti_clean;

/*
 * A new run.  'in_memory' 1: the run's articles go to databases that
 * lookups do not see (bulk segments), so the run counts them itself.
 * Returns CTI_OK and *out, or CTI_ENOMEM with *out NULL.  Free with
 * cti_clean_run_free() (NULL: no-op) after every cti_clean is freed.
 */
cti_status cti_clean_run_new(int in_memory, cti_clean_run **out);
void cti_clean_run_free(cti_clean_run *run);

/* Switch the run to counting in memory (a direct run turning bulk). */
void cti_clean_run_set_in_memory(cti_clean_run *run, int in_memory);

/*
 * Look for copies in the table of 'shared' (which must outlive 'run')
 * rather than in the run's own, and keep every article of the run there:
 * the shards of a sharded index, each with its own run for template
 * counts, find copies across each other.  A NULL 'shared' undoes it.
 */
void cti_clean_run_share_copies(cti_clean_run *run, cti_clean_run *shared);

/*
 * 'run' adds no more articles: with copies shared, wait until every run
 * sharing them is done too, so that no shard settles (rebuilding
 * articles, which look up their copies again) while another still adds
 * to the shared table.  Call once per run, before cti_clean_settle(),
 * whether or not the run failed.
 */
void cti_clean_run_done(cti_clean_run *run);

/*
 * Have the settle step of 'run' check every template line of the index,
 * not only those the run touched: for an index whose last run stopped
 * before it settled (killed, or its machine lost), whose articles may
 * hold lines judged on counts that have changed since.
 */
void cti_clean_run_settle_all(cti_clean_run *run);

/*
 * A thread's builder in 'run', looking things up in 'db' (the index as
 * this thread may read it; NULL: the index is empty), which must outlive
 * it or be replaced with cti_clean_set_db() (a NULL 'c' is a no-op
 * there).  Returns CTI_OK and *out, or CTI_ENOMEM.  Free with
 * cti_clean_free() (NULL: no-op).
 */
cti_status cti_clean_new(cti_clean_run *run, cti_db *db, cti_clean **out);
void cti_clean_free(cti_clean *c);
void cti_clean_set_db(cti_clean *c, cti_db *db);

/* Look copies up in 'db' (e.g. every shard of a sharded index, as
   committed) rather than in the lookup database; NULL: that one again.
   A NULL 'c' is a no-op. */
void cti_clean_set_copy_db(cti_clean *c, cti_db *db);

/*
 * Step 1 for article 'a' (its body must stay unchanged until the next
 * call): the set-aside ranges of its body.  'in_db' says the article
 * itself is in the lookup database already (rebuilt by the settle step),
 * so it is not counted again.  Returns CTI_OK, CTI_ENOMEM, or the status
 * of a failed lookup.
 */
cti_status cti_clean_article(cti_clean *c, const cti_article *a, int in_db);

/* The ranges of step 1 (sorted; valid until the next article). */
const cti_boiler_range *cti_clean_ranges(const cti_clean *c, size_t *n);

/* Step 2: the next kept word of the body, as its stem. */
void cti_clean_word(cti_clean *c, const char *stem, size_t len);

/*
 * Step 3: add the article's template and band terms and its fingerprint
 * and cluster values to 'doc'; 'idterm' (itl bytes) is its id term.
 * Returns CTI_OK, CTI_ENOMEM, or the status of a failed shim call.
 */
cti_status cti_clean_finish(cti_clean *c, cti_doc *doc, const char *idterm,
                            size_t itl);

/*
 * Before document 'docid' of 'db' is replaced or deleted: remember its
 * template lines, so that the settle step looks at their counts again.
 * Returns CTI_OK, CTI_ENOMEM or a failed call's status.  Not thread-safe
 * against cti_clean_settle().
 */
cti_status cti_clean_leaving(cti_clean_run *run, cti_db *db, uint32_t docid);

/* Rebuild document 'docid' of the database being settled; 0 or a status. */
typedef cti_status (*cti_clean_rebuild_fn)(void *ctx, uint32_t docid);

/*
 * After the run's articles are all in 'db' (writable, the index's main
 * database): for each template line whose count changed in this run,
 * rebuild (through 'rebuild') the articles whose verdict on the line no
 * longer matches the counts of the whole index: a line that became
 * template is set aside in every article holding it, a line no longer
 * template (its articles removed) is searchable again.  *rebuilt counts
 * the rebuilt articles.  Returns CTI_OK or the first failure.
 */
cti_status cti_clean_settle(cti_clean_run *run, cti_db *db,
                            cti_clean_rebuild_fn rebuild, void *ctx,
                            uint64_t *rebuilt);

#endif /* CTI_CLEAN_H */
