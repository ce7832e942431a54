/*
 * fuzz_http.c — libFuzzer target for the HTTP answers lectern interprets: the header lines
 * fetch_get() keeps (status line, ETag, Last-Modified, Content-Type) and the verdicts of
 * fetch_get() and opencast_call() on a status, a redirect target and a content type. Whatever
 * the server sends, the fields stay inside their buffers, the reason phrase is printable, and
 * only the documented statuses are success.
 *
 * Input: two bytes of status (0-999), one of redirect count, one of flags, then lines: the
 * first is the URL the answer came from (the redirect target), each further one a header line.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/fetch.h"
#include "lectern/opencast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOST "oc.example.org:443"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	long status = ((long)data[0] << 8 | data[1]) % 1000;
	long redirects = data[2] % 8;
	bool with_credentials = data[3] & 1;
	data += 4;
	size -= 4;

	/* The redirect target: the first line, NUL-terminated as libcurl gives it. */
	const uint8_t *nl = memchr(data, '\n', size);
	size_t url_len = nl ? (size_t)(nl - data) : size;
	char *url = malloc(url_len + 1);
	if (!url)
		return 0;
	memcpy(url, data, url_len);
	url[url_len] = '\0';
	data += nl ? url_len + 1 : url_len;
	size -= nl ? url_len + 1 : url_len;

	struct fetch_result res;
	memset(&res, 0, sizeof res);
	char reason[64] = "";
	/* Header lines as the callback sees them: each with its line end, not NUL-terminated
	 * (a copy of its own, so that reading past it is caught). */
	while (size) {
		nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) + 1 : size;
		char *line = malloc(len);
		if (!line)
			break;
		memcpy(line, data, len);
		fetch_header_line(line, len, &res, reason, sizeof reason);
		free(line);
		data += len;
		size -= len;
	}
	for (const char *p = reason; *p; p++)
		if (!isprint((unsigned char)*p))
			abort();
	if (strnlen(res.etag, sizeof res.etag) == sizeof res.etag ||
	    strnlen(res.last_modified, sizeof res.last_modified) == sizeof res.last_modified ||
	    strnlen(res.content_type, sizeof res.content_type) == sizeof res.content_type)
		abort();

	res.status = status;
	char msg[512] = "";
	lt_err rc = fetch_answer_verdict(&res, reason, redirects, url, with_credentials, HOST, msg,
					 sizeof msg);
	if (rc == LT_OK) {
		if ((status != 200 && status != 304) || res.not_modified != (status == 304) ||
		    msg[0])
			abort();
	} else if ((rc != LT_ERR_AUTH && rc != LT_ERR_HTTP) || res.not_modified ||
		   !strstr(msg, HOST) || (rc == LT_ERR_HTTP && (status == 401 || status == 403))) {
		abort();
	}

	rc = opencast_answer_verdict(status, url_len ? url : NULL);
	if ((rc == LT_OK) != (status >= 200 && status <= 299) ||
	    (rc == LT_ERR_AUTH) != (status == 401 || status == 403 ||
				    (status >= 300 && status < 400 && fetch_is_login_url(url))))
		abort();
	free(url);
	return 0;
}
