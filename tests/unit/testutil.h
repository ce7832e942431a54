/*
 * testutil.h — what the unit tests share: a fresh temporary directory per test, removed with
 * everything in it afterwards.
 */
#ifndef LECTERN_TESTUTIL_H
#define LECTERN_TESTUTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static inline int tu_remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Remove `dir` and everything below it (no error if it is gone). */
static inline void tu_rmrf(const char *dir)
{
	nftw(dir, tu_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
