/*
 * cti_spelling.c - the spelling data (Xapian's spelling table, which
 * cti-search uses for "did you mean").
 *
 * Every distinct folded word of CTI_SPELL_MIN to CTI_SPELL_MAX bytes
 * without digits in the title and body of a document adds 1 to the
 * word's spelling frequency (so the frequency is the number of documents
 * holding the word); replacing or deleting a document first removes its
 * old words, read back from its stored record.  Words are counted in
 * hash maps: the direct path writes them at each commit; a bulk run sums
 * its segments' counts and writes them once, as a segment of their own
 * merged with the rest; if the run is killed first, the recovery merge
 * of the next run counts the words of its segments again from their
 * records.
 */
#include "cti_indexer_int.h"

#include "cti_path.h"
#include "cti_schema.h"
#include "cti_store.h"

#include <stdlib.h>
#include <string.h>

int cti_spelling_word(const cti_token *t)
{
    return !(t->flags & (CTI_TOK_NUMBER | CTI_TOK_CJK)) && t->len >= CTI_SPELL_MIN &&
           t->len <= CTI_SPELL_MAX;
}

cti_status cti_spelling_add(cti_smap *m, const char *w, size_t n, uint64_t h,
                            uint32_t docno)
{
    cti_smap_ent *e = cti_smap_get_hashed(m, w, n, h, 1, NULL);
    if (!e)
        return CTI_ENOMEM;
    if (e->aux != docno || e->val == 0) {
        e->aux = docno;
        e->val++;
    }
    return CTI_OK;
}

cti_status cti_spelling_flush(cti_smap *m, cti_db *db)
{
    for (size_t i = 0; i < m->cap; i++) {
        cti_smap_ent *e = &m->t[i];
        if (e->key && e->val) {
            cti_status st = cti_db_add_spelling(db, e->key, e->len, e->val);
            if (st != CTI_OK)
                return st;
        }
    }
    cti_smap_clear(m);
    return CTI_OK;
}

/* Count the title and body words of document 'docid' of 'db' (whose
   texts 'tr' reads) into 'm'. */
static cti_status record_words(cti_analyzer *an, cti_db *db,
                               cti_text_reader *tr, uint32_t docid,
                               cti_smap *m, uint32_t docno)
{
    cti_record r;
    cti_status st = cti_record_read(db, tr, docid, 1, &r, NULL, 0);
    if (st == CTI_ENOMEM || st == CTI_ENOTFOUND)
        return st;
    if (st != CTI_OK)
        return CTI_OK; /* not ours or corrupt: no words to count */
    st = cti_docbuild_words(an, r.title, r.title_len, r.body, r.body_len,
                            r.aside, r.naside, m, docno);
    cti_record_release(&r);
    return st;
}

cti_status cti_spelling_forget(cti_index *ix, const char *idterm, size_t itl)
{
    uint32_t docid;
    cti_status st = cti_db_find(ix->main, idterm, itl, &docid);
    if (st == CTI_ENOTFOUND)
        return CTI_OK;
    if (st != CTI_OK)
        return st;
    /* Its template lines: their counts change (cti_clean_settle()). */
    if (ix->clean_run &&
        (st = cti_clean_leaving(ix->clean_run, ix->main, docid)) != CTI_OK)
        return st;
    if ((st = cti_index_text_reader(ix)) != CTI_OK)
        return st;
    st = record_words(ix->an, ix->main, ix->tr, docid, &ix->forget, 1);
    for (size_t i = 0; st == CTI_OK && i < ix->forget.cap; i++) {
        cti_smap_ent *e = &ix->forget.t[i];
        if (e->key)
            st = cti_db_remove_spelling(ix->main, e->key, e->len, 1);
    }
    cti_smap_clear(&ix->forget);
    return st;
}

cti_status cti_spelling_segment(cti_index *ix)
{
    char name[48];
    cti_db *db = NULL;
    snprintf(name, sizeof name, "seg.%u.spelling", ix->rungen);
    char *path = cti_folder_path(ix->dir, name);
    char *keep = strdup(name);
    cti_status st = CTI_ENOMEM;
    if (!path || !keep)
        goto done;
    cti_path_remove_tree(path);
    st = cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE | CTI_DB_NO_SYNC |
                               CTI_DB_DANGEROUS, &db);
    if (st == CTI_OK &&
        (st = cti_spelling_flush(&ix->gspell, db)) == CTI_OK &&
        (st = cti_index_stamp(ix, db)) == CTI_OK) {
        st = cti_db_close(db);
        db = NULL;
    }
    if (st != CTI_OK)
        goto done;
    st = cti_folder_add_seg(ix, keep);
    keep = NULL;
done:
    if (st != CTI_OK)
        cti_index_fail(ix, "cannot write spelling data", st);
    cti_db_free(db);
    free(path);
    free(keep);
    return st;
}

/* Count the words of every document of segment 'name' into ix->gspell. */
static cti_status segment_words(cti_index *ix, const char *name,
                                uint32_t *docno)
{
    char *path = cti_folder_path(ix->dir, name);
    cti_db *db = NULL;
    cti_text_reader *tr = NULL;
    uint32_t last = 0;
    cti_status st = path ? cti_db_open(path, CTI_DB_READ, &db) : CTI_ENOMEM;
    free(path);
    if (st == CTI_OK)
        st = cti_db_lastdocid(db, &last);
    if (st == CTI_OK)
        st = cti_text_reader_new(db, &tr);
    for (uint32_t d = 1; st == CTI_OK && d <= last; d++) {
        st = record_words(ix->an, db, tr, d, &ix->gspell, ++*docno);
        if (st == CTI_ENOTFOUND)
            st = CTI_OK;
    }
    cti_text_reader_free(tr);
    cti_db_free(db);
    return st;
}

cti_status cti_spelling_recover(cti_index *ix)
{
    uint32_t docno = 0;
    cti_status st;
    ix->rungen = ix->gen++;
    for (size_t i = 0; i < ix->nsegs; i++)
        if ((st = segment_words(ix, ix->segs[i], &docno)) != CTI_OK)
            return cti_index_fail(ix, "cannot read an interrupted run's "
                                  "segment", st);
    return ix->gspell.n ? cti_spelling_segment(ix) : CTI_OK;
}
