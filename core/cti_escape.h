/*
 * cti_escape.h - untrusted text made safe for a terminal.
 *
 * File names, article ids, dates and messages that quote them come from
 * the outside and may hold bytes a terminal obeys: C0 controls (ESC, BEL,
 * backspace...), DEL, and C1 controls U+0080..U+009F (U+009B is CSI, an
 * escape sequence in one character), whether written as UTF-8 or as raw
 * bytes in text that is not UTF-8.  Both programs show such text through
 * these functions, so it looks the same everywhere:
 *
 *   a C0 control or DEL               \xHH   ("\x1B", "\x7F")
 *   a C1 control written as UTF-8     \u00HH ("\u009B")
 *   a bidirectional control           \uHHHH ("\u202E": reorders the line)
 *   a byte that is not valid UTF-8    \xHH   ("\x9B", "\xFF")
 *
 * (hex digits upper case).  Every other character, and valid UTF-8, is
 * copied as it is; a backslash is not doubled.
 *
 * Article text is prose, not a name: snippets clean it instead of showing
 * it escaped (controls become spaces, whole escape sequences are dropped,
 * bidi controls too), with the same definitions, from the functions below.
 */
#ifndef CTI_ESCAPE_H
#define CTI_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cti_xapian.h"

/* Room for the longest escaped form of one character, with its NUL. */
#define CTI_ESCAPE_MAX 8

/*
 * Look at the character that starts the 'n' (at least 1) bytes at 's'.
 * Returns its length in bytes (1 to 4; 1 for a byte that does not start
 * valid UTF-8).  When it must be escaped (see above), writes the escaped
 * form into 'esc' as a NUL-terminated string; otherwise sets esc[0] to
 * '\0' and the character may be copied as it is.
 */
size_t cti_escape_next(const char *s, size_t n, char esc[CTI_ESCAPE_MAX]);

/*
 * Write the 'n' bytes at 's' to 'f', escaping what must be escaped.
 * Returns CTI_OK, or CTI_EIO if writing failed.
 */
cti_status cti_escape_fwrite(FILE *f, const char *s, size_t n);

/* The same for the NUL-terminated string 's'. */
cti_status cti_escape_fputs(FILE *f, const char *s);

/* 1 if the code point 'cp' is a C0 control, DEL or a C1 control, else 0. */
int cti_escape_is_control(uint32_t cp);

/* 1 if 'cp' is a bidirectional control (it reorders what follows), else 0. */
int cti_escape_is_bidi(uint32_t cp);

/*
 * The length of the terminal escape sequence that starts the 'n' bytes at
 * 's': ESC followed by a CSI ("ESC [" parameters and a final byte), an
 * OSC, DCS, APC or PM string (up to BEL or ESC \), or one character; or
 * the C1 controls CSI, OSC, DCS, APC and PM written as UTF-8, with what
 * follows them.  A sequence cut short by the end of the bytes, or longer
 * than a sane one (64 bytes for a CSI, 4096 for a string), counts as its
 * first character only, unless it reaches the end.  Returns 0 when 's'
 * does not start with ESC or one of those C1 controls.
 */
size_t cti_escape_seq_len(const char *s, size_t n);

#endif /* CTI_ESCAPE_H */
