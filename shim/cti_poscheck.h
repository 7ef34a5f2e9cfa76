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
 * the subqueries' weights) and the check adds none.
 */
#ifndef CTI_POSCHECK_H
#define CTI_POSCHECK_H

#include <xapian.h>

#include <string>
#include <vector>

/* One term of a phrase or NEAR place: a term, or every term with a prefix. */
struct cti_pat {
    std::string term;
    bool prefix;
};

/*
 * A query matching (without weight) the documents where the places
 * stand as a phrase ('near' false: in order, each after the one before,
 * the last less than 'window' positions after the first; window 0: the
 * number of places) or a NEAR (one different position per place, any
 * order, within 'window'), exactly as Xapian 1.4's operators.  Each place
 * is the terms of one subquery (a term, or those of an OR, SYNONYM or
 * wildcard) and must hold one at least.  Every database searched must be
 * local.  Throws Xapian::InvalidArgumentError for an empty place, or
 * std::bad_alloc.
 */
Xapian::Query cti_poscheck_query(bool near,
                                 const std::vector<std::vector<cti_pat>> &places,
                                 Xapian::termcount window);

#endif /* CTI_POSCHECK_H */
