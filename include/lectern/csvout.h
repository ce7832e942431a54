/*
 * csvout.h — the CSV lectern writes (`lectern attendance --csv`, `lectern stats --csv`, the
 * attendance attachment sent to Opencast): RFC 4180, UTF-8, CRLF line ends. A field holding a
 * comma, a double quote, CR or LF is quoted, its quotes doubled. A field that starts with
 * '=', '+', '-', '@', TAB or CR gets a leading apostrophe, so that a spreadsheet opening the
 * file shows a name typed at the door as text instead of running it as a formula ("CSV
 * injection"); numbers written with csvout_int() are left alone. Invalid UTF-8 becomes U+FFFD.
 */
#ifndef LECTERN_CSVOUT_H
#define LECTERN_CSVOUT_H

#include <stdint.h>
#include <stdio.h>

/* One row of `n` text fields (NULL: empty), then CRLF. */
void csvout_row(FILE *out, const char *const *fields, int n);

/* One field of a row being written: a separator before all but the first (`first`). */
void csvout_field(FILE *out, const char *text, int first);
void csvout_int(FILE *out, int64_t value, int first);
/* End a row written field by field. */
void csvout_end(FILE *out);

#endif
