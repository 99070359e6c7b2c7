/* core/pytext.h - the Python str behaviour the reference filters depend on.
 *
 * datatrove's rules are written against Python strings: lengths count code
 * points, strip()/split() use str.isspace(), splitlines() breaks on more than
 * "\n", isalpha() is any letter category. These helpers give the same answers
 * on UTF-8 bytes. A byte that does not start a valid UTF-8 sequence decodes on
 * its own as U+FFFD (one code point, neither space, letter nor punctuation), so
 * invalid input is measured, never rejected. */
#ifndef CHAFF_PYTEXT_H
#define CHAFF_PYTEXT_H

#include "internal.h"

/* Decodes the code point at s[*i] (*i < len) and moves *i past it. */
uint32_t chaff__py_next(const char *s, size_t len, size_t *i);
/* Decodes the code point that ends at s[*i] (*i > 0) and moves *i to its start. */
uint32_t chaff__py_prev(const char *s, size_t *i);
/* Code points in s[0..len). */
size_t chaff__py_len(const char *s, size_t len);

/* str.isspace(): \t \n \v \f \r, \x1c-\x1f, space, \x85, NBSP and the Unicode
 * space separators and line/paragraph separators. */
int chaff__py_isspace(uint32_t c);
/* The boundaries of str.splitlines() (\r\n counts as one). */
int chaff__py_islinebreak(uint32_t c);
/* str.isalpha() for one character: general category L*. */
int chaff__py_isalpha(uint32_t c);

/* s.strip(): the stripped bytes are s[*b..*e). */
void chaff__py_strip(const char *s, size_t len, size_t *b, size_t *e);

/* One line of s.splitlines(): from *pos, sets [*b,*e) to the line without its
 * break and moves *pos past the break. Returns 0 when there are no more lines
 * (a final break does not start an empty line, as in Python). */
int chaff__py_splitline(const char *s, size_t len, size_t *pos, size_t *b, size_t *e);

/* s.lower() into out (at least chaff__py_lower_cap(len) bytes); returns the
 * bytes written. Full case mapping where it
 * differs from the simple one (U+0130 -> "i" + U+0307), simple elsewhere. */
size_t chaff__py_lower(const char *s, size_t len, char *out);
#define chaff__py_lower_cap(len) (2 * (len) + 4)

/* Whether the code point is in datatrove's PUNCTUATION_SET (symbol words) or
 * TERMINAL_PUNCTUATION (FineWeb's line ends). */
int chaff__py_is_dt_punct(uint32_t c);
int chaff__py_is_dt_terminal(uint32_t c);

#endif
