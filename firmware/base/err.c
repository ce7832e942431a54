/* err.c — sentences for the project's error codes and the parts they happen in. */
#include "lectern/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	const char *text;
} errs[LT_ERR__COUNT] = {
	[LT_OK] = {"ok", "Success"},
	[LT_ERR_NOMEM] = {"nomem", "Out of memory: restart the device"},
	[LT_ERR_INVALID] = {"invalid", "Invalid value"},
	[LT_ERR_IO] = {"io", "A file could not be read or written: check the storage"},
	[LT_ERR_CONFIG] = {"config", "The configuration is wrong: fix the file and restart"},
	[LT_ERR_NO_DEVICE] = {"no_device",
			      "The device is not there or cannot be opened: check its cable, then "
			      "try again"},
	[LT_ERR_FORMAT] = {"format", "The device offers no format lectern can use"},
	[LT_ERR_DEVICE] = {"device", "The device stopped working: check its cable"},
	[LT_ERR_DISK_LOW] = {"disk_low",
			     "Storage is almost full: recording stopped; free space or wait for "
			     "uploads"},
	[LT_ERR_DISK_FULL] = {"disk_full",
			      "Storage is full: recording stopped and kept up to that point"},
	[LT_ERR_STORE] = {"store", "The device database failed: check the storage"},
	[LT_ERR_ENCODER] = {"encoder", "The audio encoder failed"},
	[LT_ERR_STATE] = {"state", "Not possible in the current state"},
	[LT_ERR_NOT_FOUND] = {"not_found", "Not found"},
	[LT_ERR_CORRUPT] = {"corrupt", "The file is damaged"},
	[LT_ERR_NETWORK] = {"network",
			    "The server cannot be reached: check the network cable and the server "
			    "address"},
	[LT_ERR_AUTH] = {"auth", "The server refused the device's credentials: check the user "
				 "name and password in the settings"},
	[LT_ERR_HTTP] = {"http", "The server answered with an error: try again later or ask IT"},
	[LT_ERR_PARSE] = {"parse", "The server's answer could not be understood"},
};

const char *lt_strerror(lt_err err)
{
	if ((unsigned)err >= LT_ERR__COUNT)
		return "Unknown error";
	return errs[err].text;
}

const char *lt_errname(lt_err err)
{
	if ((unsigned)err >= LT_ERR__COUNT)
		return "unknown";
	return errs[err].name;
}

static const struct {
	const char *name;
	const char *advice;
} domains[LT_DOMAIN__COUNT] = {
	[LT_DOMAIN_NONE] = {"", "Try again; if it stays, restart the device and tell IT."},
	[LT_DOMAIN_MICROPHONE] = {"Microphone",
				  "Check the microphone's USB cable (or choose another input in "
				  "Settings), then tap Start recording again."},
	[LT_DOMAIN_CAMERA] = {"Camera", "Check the camera's USB cable; recording sound still "
					"works."},
	[LT_DOMAIN_DISPLAY] = {"Display", "Check the screen's cable; recording on schedule and "
					  "uploads still work."},
	[LT_DOMAIN_STORAGE] = {"Storage",
			       "Free space (delivered recordings are removed first), or ask IT to "
			       "check the storage."},
	[LT_DOMAIN_NETWORK] = {"Network", "Check the network cable or Wi-Fi. Recording still "
					  "works; uploads wait."},
	[LT_DOMAIN_SERVER] = {"Server", "The server refused or failed: ask IT to check the "
					"server and the device's account."},
	[LT_DOMAIN_CONFIG] = {"Configuration", "Ask IT to correct the configuration; the log "
					       "names the file, line and key."},
};

enum lt_domain lt_err_domain(lt_err err)
{
	switch (err) {
	case LT_ERR_NO_DEVICE:
	case LT_ERR_FORMAT:
	case LT_ERR_DEVICE: return LT_DOMAIN_MICROPHONE;
	case LT_ERR_IO:
	case LT_ERR_DISK_LOW:
	case LT_ERR_DISK_FULL:
	case LT_ERR_STORE:
	case LT_ERR_CORRUPT: return LT_DOMAIN_STORAGE;
	case LT_ERR_NETWORK: return LT_DOMAIN_NETWORK;
	case LT_ERR_AUTH:
	case LT_ERR_HTTP:
	case LT_ERR_PARSE: return LT_DOMAIN_SERVER;
	case LT_ERR_CONFIG:
	case LT_ERR_INVALID: return LT_DOMAIN_CONFIG;
	default: return LT_DOMAIN_NONE;
	}
}

const char *lt_domain_name(enum lt_domain domain)
{
	return (unsigned)domain < LT_DOMAIN__COUNT ? domains[domain].name : "";
}

const char *lt_domain_advice(enum lt_domain domain)
{
	return domains[(unsigned)domain < LT_DOMAIN__COUNT ? domain : LT_DOMAIN_NONE].advice;
}

void lt_error_set(struct lt_error *e, lt_err code, enum lt_domain domain, const char *fmt, ...)
{
	e->code = code;
	e->domain = domain;
	const char *name = lt_domain_name(domain);
	const char *plain = lt_strerror(code);
	/* "Storage is almost full" names its part already; "The device …" does not. */
	if (!fmt && strncasecmp(plain, name, strlen(name)) == 0)
		name = "";
	int len = snprintf(e->text, sizeof e->text, "%s%s", name, *name ? ": " : "");
	size_t at = len > 0 && (size_t)len < sizeof e->text ? (size_t)len : 0;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->text + at, sizeof e->text - at, fmt, ap);
		va_end(ap);
	} else {
		snprintf(e->text + at, sizeof e->text - at, "%s", plain);
	}
}

enum lt_domain lt_error_domain_of(const char *text)
{
	for (unsigned d = LT_DOMAIN_NONE + 1; d < LT_DOMAIN__COUNT; d++) {
		size_t n = strlen(domains[d].name);
		if (strncmp(text, domains[d].name, n) == 0 && text[n] == ':' && text[n + 1] == ' ')
			return (enum lt_domain)d;
	}
	return LT_DOMAIN_NONE;
}
