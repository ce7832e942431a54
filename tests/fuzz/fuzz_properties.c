/*
 * fuzz_properties.c — libFuzzer target for the XML lectern writes from outside text: the
 * capture agent's properties (configuration values, addresses) and the episode Dublin Core
 * (titles, presenters and tags from the calendar server or the screen). Whatever the text,
 * the document must be well-formed XML holding every entry, or Opencast refuses the ingest
 * and the recording never leaves the room.
 *
 * Input: NUL-separated strings; the properties take them as key, value, key, value …, the
 * episode takes the first five as title, creator, tags, spatial and series.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lectern/opencast.h"

#define MAX_FIELDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static xmlDoc *parse(const char *xml)
{
	if (!xml)
		abort();
	return xmlReadMemory(xml, (int)strlen(xml), "fuzz.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static size_t count_elements(xmlNode *e, const char *name)
{
	size_t n = 0;
	for (; e; e = e->next)
		if (e->type == XML_ELEMENT_NODE && strcmp((const char *)e->name, name) == 0)
			n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The bytes, NUL-terminated, cut into at most MAX_FIELDS strings at their NULs. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	const char *field[MAX_FIELDS];
	size_t n = 0;
	for (char *p = text; n < MAX_FIELDS && p <= text + size; p += strlen(p) + 1)
		field[n++] = p;

	size_t pairs = n / 2;
	const char *keys[MAX_FIELDS / 2], *values[MAX_FIELDS / 2];
	for (size_t i = 0; i < pairs; i++) {
		keys[i] = field[2 * i];
		values[i] = field[2 * i + 1];
	}
	char *xml = opencast_properties_xml(keys, values, pairs);
	xmlDoc *doc = parse(xml);
	if (!doc || count_elements(xmlDocGetRootElement(doc)->children, "entry") != pairs)
		abort();
	xmlFreeDoc(doc);
	free(xml);

	struct opencast_episode ep = {
		.title = n > 0 ? field[0] : NULL,
		.creator = n > 1 ? field[1] : NULL,
		.tags = n > 2 ? field[2] : NULL,
		.spatial = n > 3 ? field[3] : NULL,
		.series = n > 4 ? field[4] : NULL,
		.start_ms = 1767225600000LL,
		.end_ms = 1767229200000LL,
	};
	xml = opencast_episode_dc(&ep);
	doc = parse(xml);
	if (!doc || count_elements(xmlDocGetRootElement(doc)->children, "title") != 1)
		abort();
	xmlFreeDoc(doc);
	free(xml);
	free(text);
	return 0;
}
