/*
 * ring.c — SPSC sample ring. The producer publishes with a release store of head after
 * copying; the consumer acquires head before reading, and the mirror image for tail.
 */
#include "lectern/ring.h"

#include <stdlib.h>
#include <string.h>

lt_err ring_init(struct ring *r, size_t min_capacity)
{
	size_t cap = 2;
	while (cap < min_capacity) {
		if (cap > SIZE_MAX / 4)
			return LT_ERR_INVALID;
		cap <<= 1;
	}
	r->buf = malloc(cap * sizeof *r->buf);
	if (!r->buf)
		return LT_ERR_NOMEM;
	r->mask = cap - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return LT_OK;
}

void ring_free(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

size_t ring_capacity(const struct ring *r) { return r->mask + 1; }

size_t ring_used(const struct ring *r)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	return (size_t)(head - tail);
}

size_t ring_space(const struct ring *r) { return ring_capacity(r) - ring_used(r); }

size_t ring_push(struct ring *r, const int16_t *src, size_t n)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t space = ring_capacity(r) - (size_t)(head - tail);
	if (n > space)
		n = space;
	size_t at = (size_t)head & r->mask;
	size_t first = ring_capacity(r) - at;
	if (first > n)
		first = n;
	memcpy(r->buf + at, src, first * sizeof *src);
	memcpy(r->buf, src + first, (n - first) * sizeof *src);
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

size_t ring_pop(struct ring *r, int16_t *dst, size_t n)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t used = (size_t)(head - tail);
	if (n > used)
		n = used;
	size_t at = (size_t)tail & r->mask;
	size_t first = ring_capacity(r) - at;
	if (first > n)
		first = n;
	memcpy(dst, r->buf + at, first * sizeof *dst);
	memcpy(dst + first, r->buf, (n - first) * sizeof *dst);
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}
