/*
 * cti_charset.h - bytes in any encoding to valid UTF-8.
 *
 * Every string cti indexes is valid UTF-8.  Input is read as follows:
 *
 *   - A byte order mark decides: UTF-8, UTF-16LE or UTF-16BE.
 *   - A web page (HTML, XHTML) may declare its charset: <meta charset>,
 *     <meta http-equiv="Content-Type" content="...; charset=...">, or an
 *     XML declaration's encoding="...".  cti_charset_declared() finds it.
 *     As in web browsers, "iso-8859-1", "latin1" and "us-ascii" mean
 *     Windows-1252 (which only adds letters where Latin-1 has control
 *     codes).
 *   - Otherwise valid UTF-8 is UTF-8.  Text that is not valid UTF-8 is
 *     Windows-1252 (Latin-1 and its Windows superset: "£", "é", curly
 *     quotes) unless well-formed UTF-8 sequences outnumber the bytes that
 *     are not: then it is UTF-8 with a few damaged bytes, and each of those
 *     is replaced by U+FFFD.  cti_charset_guess() makes this choice.
 *
 * Conversions go through iconv(3) (glibc); a byte iconv cannot convert
 * becomes U+FFFD.  NUL bytes become spaces everywhere, so every result is
 * a safe C string.
 */
#ifndef CTI_CHARSET_H
#define CTI_CHARSET_H

#include <stddef.h>

#define CTI_CHARSET_UTF8   "UTF-8"
#define CTI_CHARSET_CP1252 "WINDOWS-1252"

/* 1 if s[0, len) is valid UTF-8 (no overlong forms, no surrogates). */
int cti_charset_is_utf8(const char *s, size_t len);

/*
 * The charset of undeclared text s[0, len): its byte order mark's
 * ("UTF-8", "UTF-16LE", "UTF-16BE"), else CTI_CHARSET_UTF8 or
 * CTI_CHARSET_CP1252 by the rule above.  A static string.
 */
const char *cti_charset_guess(const char *s, size_t len);

/*
 * The charset a web page declares in its first 4 KiB (byte order mark,
 * XML declaration, <meta>), as written, into name (at most namelen - 1
 * bytes).  Returns 1 when found, 0 when the page declares none.
 */
int cti_charset_declared(const char *s, size_t len, char *name,
                         size_t namelen);

/*
 * Convert s[0, len) from 'charset' (an iconv name or a web label such as
 * "utf-8", "iso-8859-1", "shift_jis") into a new NUL-terminated UTF-8
 * buffer: *out (caller frees with free()) and *outlen.  A leading byte
 * order mark is dropped.  *bad (may be NULL) counts the bytes that could
 * not be converted and became U+FFFD.  Returns 0, -1 on no memory, -2 when
 * iconv does not know the charset (*out is then NULL).
 */
int cti_charset_to_utf8(const char *s, size_t len, const char *charset,
                        char **out, size_t *outlen, size_t *bad);

/*
 * Copy s[0, len) into a new NUL-terminated buffer (caller frees) with
 * each byte that is not part of valid UTF-8 replaced by U+FFFD and each
 * NUL byte by a space; *outlen gets the length.  Sets *repaired to 1 when
 * a byte was replaced (NULs alone do not count).  NULL on no memory.
 */
char *cti_charset_repair(const char *s, size_t len, size_t *outlen,
                         int *repaired);

#endif /* CTI_CHARSET_H */
