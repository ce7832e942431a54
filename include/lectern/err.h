/*
 * err.h — the project's one error vocabulary.
 *
 * Every public function that can fail returns an `lt_err`. Library codes (ALSA, SQLite,
 * libopusenc, errno) are mapped to these once, at the module boundary, and the original
 * detail goes to the log. `lt_strerror()` gives a sentence a person can act on.
 *
 * What a person sees also says which part failed: a `struct lt_error` carries the code, its
 * domain (the microphone, the camera, the display, the storage, the network, the server, the
 * configuration) and a sentence, filled where the failure happens (or, where only the code
 * came back, from the code's usual domain: lt_err_domain). The device codes' own sentences
 * name no device, since the camera, the display and the microphone share them.
 */
#ifndef LECTERN_ERR_H
#define LECTERN_ERR_H

typedef enum lt_err {
	LT_OK = 0,
	LT_ERR_NOMEM,       /* out of memory */
	LT_ERR_INVALID,     /* bad argument or value */
	LT_ERR_IO,          /* a file could not be read or written (errno kept by the caller) */
	LT_ERR_CONFIG,      /* configuration file is wrong */
	LT_ERR_NO_DEVICE,   /* a device (microphone, camera, display) missing or cannot be opened */
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

/* Which part of the appliance failed. */
enum lt_domain {
	LT_DOMAIN_NONE = 0,     /* not said (out of memory, a bug) */
	LT_DOMAIN_MICROPHONE,
	LT_DOMAIN_CAMERA,
	LT_DOMAIN_DISPLAY,
	LT_DOMAIN_STORAGE,      /* the spool, the database, free space */
	LT_DOMAIN_NETWORK,      /* the link to a server */
	LT_DOMAIN_SERVER,       /* a server that answered, but not as it should */
	LT_DOMAIN_CONFIG,       /* the configuration file or a password file */
	LT_DOMAIN__COUNT
};

/* An error as a person is told of it. */
struct lt_error {
	lt_err code;
	enum lt_domain domain;
	char text[320];         /* "Microphone: …", one sentence (as long as a stored reason) */
};

/*
 * The domain `err` belongs to when the failing part did not say: the device codes are the
 * microphone's (recording is what the appliance does), the disk codes the storage's, the
 * HTTP codes the server's. LT_DOMAIN_NONE for the rest.
 */
enum lt_domain lt_err_domain(lt_err err);

/* "Microphone", "Storage" … ("" for LT_DOMAIN_NONE). Never NULL. */
const char *lt_domain_name(enum lt_domain domain);

/* What a person can do about a failure of `domain` ("Check the USB cable …"). Never NULL. */
const char *lt_domain_advice(enum lt_domain domain);

/*
 * Fill `e` with `code`, `domain` and a sentence: "Domain: DETAIL" where DETAIL is the
 * printf-style `fmt` (the failing part's own words), or lt_strerror(code) when `fmt` is NULL
 * (without the prefix when that sentence begins with the domain's name already);
 * cut when it does not fit (the screen's copy cuts at a character boundary).
 */
void lt_error_set(struct lt_error *e, lt_err code, enum lt_domain domain, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The domain a sentence made by lt_error_set() names, for one kept as text only (an upload's
 * stored last_error): LT_DOMAIN_NONE when it begins with no domain's "Name: ".
 */
enum lt_domain lt_error_domain_of(const char *text);

#endif
