/*
 * err.h — the project's one error vocabulary.
 *
 * Every public function that can fail returns an `lt_err`. Library codes (ALSA, SQLite,
 * libopusenc, errno) are mapped to these once, at the module boundary, and the original
 * detail goes to the log. `lt_strerror()` gives a sentence a person can act on.
 */
#ifndef LECTERN_ERR_H
#define LECTERN_ERR_H

typedef enum lt_err {
	LT_OK = 0,
	LT_ERR_NOMEM,       /* out of memory */
	LT_ERR_INVALID,     /* bad argument or value */
	LT_ERR_IO,          /* a file could not be read or written (errno kept by the caller) */
	LT_ERR_CONFIG,      /* configuration file is wrong */
	LT_ERR_NO_DEVICE,   /* audio device missing or cannot be opened */
	LT_ERR_FORMAT,      /* device offers no format we can convert from */
	LT_ERR_DEVICE,      /* device failed while capturing */
	LT_ERR_DISK_LOW,    /* free space below the configured floor */
	LT_ERR_DISK_FULL,   /* a write failed for lack of space or a file size limit */
	LT_ERR_STORE,       /* the SQLite store failed */
	LT_ERR_ENCODER,     /* libopus/libopusenc failed */
	LT_ERR_STATE,       /* operation not allowed in the current state */
	LT_ERR_NOT_FOUND,   /* no such record or file */
	LT_ERR_CORRUPT,     /* a file is not what it should be (e.g. no Ogg Opus page) */
	LT_ERR_NETWORK,     /* server unreachable, connection dropped, timed out, TLS failed */
	LT_ERR_AUTH,        /* server refused our credentials (401/403, or a login page) */
	LT_ERR_HTTP,        /* server answered with an error status or something unexpected */
	LT_ERR_PARSE,       /* a calendar or server answer could not be understood */
	LT_ERR__COUNT
} lt_err;

/* A sentence describing `err` for a person, with what to do where it helps. Never NULL. */
const char *lt_strerror(lt_err err);

/* The short stable name of `err` ("disk_low"), for the store and JSON output. */
const char *lt_errname(lt_err err);

#endif
