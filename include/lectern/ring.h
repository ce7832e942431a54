/*
 * ring.h — lock-free single-producer single-consumer ring of 16-bit samples.
 *
 * One thread only pushes (capture), one thread only pops (encoder). Capacity is a power of
 * two. Indices grow without wrapping (64-bit) so full and empty are never confused.
 */
#ifndef LECTERN_RING_H
#define LECTERN_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "lectern/err.h"

struct ring {
	int16_t *buf;
	size_t mask;                  /* capacity - 1 */
	_Atomic uint64_t head;        /* written by the producer */
	_Atomic uint64_t tail;        /* written by the consumer */
};

/* Capacity is rounded up to a power of two (at least 2). */
lt_err ring_init(struct ring *r, size_t min_capacity);
void ring_free(struct ring *r);
size_t ring_capacity(const struct ring *r);
/* Readable samples (consumer's view) / writable space (producer's view). */
size_t ring_used(const struct ring *r);
size_t ring_space(const struct ring *r);
/* Copy in up to n samples; returns how many fit. Producer only. */
size_t ring_push(struct ring *r, const int16_t *src, size_t n);
/* Copy out up to n samples; returns how many were there. Consumer only. */
size_t ring_pop(struct ring *r, int16_t *dst, size_t n);

#endif
