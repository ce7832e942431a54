/* sharedir.c — whether the upload folder can take a delivery now (rules in sharedir.h). */
#include "lectern/sharedir.h"

#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* TEST HOOK: the tables read. Tests cannot mount a share, so they name an fstab and a mount
 * table of their own; read here only. */
static void tables(const char **fstab, const char **mounts)
{
	const char *f = getenv("LECTERN_TEST_FSTAB");
	const char *m = getenv("LECTERN_TEST_MOUNTS");
	*fstab = f && *f ? f : "/etc/fstab";
	*mounts = m && *m ? m : "/proc/self/mounts";
}

/* `path` made absolute against the working directory, with "", "." and ".." components
 * resolved by name and no trailing '/'. False if it does not fit. */
static bool clean_path(const char *path, char *out, size_t n)
{
	char whole[PATH_MAX * 2];
	if (path[0] == '/') {
		if (snprintf(whole, sizeof whole, "%s", path) >= (int)sizeof whole)
			return false;
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd) ||
		    snprintf(whole, sizeof whole, "%s/%s", cwd, path) >= (int)sizeof whole)
			return false;
	}
	size_t len = 0;
	out[0] = '\0';
	for (char *save = NULL, *part = strtok_r(whole, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the '/' before the component dropped */
			out[len] = '\0';
			continue;
		}
		size_t add = strlen(part);
		if (len + 1 + add + 1 > n)
			return false;
		out[len++] = '/';
		memcpy(out + len, part, add + 1);
		len += add;
	}
	if (len == 0) {
		if (n < 2)
			return false;
		strcpy(out, "/");
	}
	return true;
}

/* Whether `path` is `dir` or lies under it (both clean). */
static bool under(const char *path, const char *dir)
{
	size_t len = strlen(dir);
	return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* The longest mount point in `fstab` that `path` (clean) lies under, "/" and swap left out;
 * false if none. */
static bool fstab_point(const char *fstab, const char *path, char *mnt, size_t n)
{
	FILE *fp = setmntent(fstab, "re");
	if (!fp)
		return false;
	struct mntent ent;
	char buf[4 * PATH_MAX];
	size_t best = 0;
	while (getmntent_r(fp, &ent, buf, sizeof buf)) {
		char dir[PATH_MAX];
		/* "none" and "swap" in the mount point's field are not paths */
		if (ent.mnt_dir[0] != '/' || strcmp(ent.mnt_type, "swap") == 0 ||
		    !clean_path(ent.mnt_dir, dir, sizeof dir) || strcmp(dir, "/") == 0)
			continue;
		size_t len = strlen(dir);
		if (len > best && under(path, dir) && len < n) {
			best = len;
			memcpy(mnt, dir, len + 1);
		}
	}
	endmntent(fp);
	return best > 0;
}

/* Whether `mounts` lists a mount on `dir` (clean); true when it cannot be read. */
static bool mounted(const char *mounts, const char *dir)
{
	FILE *fp = setmntent(mounts, "re");
	if (!fp)
		return true;
	struct mntent ent;
	char buf[4 * PATH_MAX];
	bool found = false;
	while (!found && getmntent_r(fp, &ent, buf, sizeof buf)) {
		char on[PATH_MAX];
		found = clean_path(ent.mnt_dir, on, sizeof on) && strcmp(on, dir) == 0;
	}
	endmntent(fp);
	return found;
}

/* The check for one spelling of the folder's path. */
static bool unmounted_at(const char *path, const char *fstab, const char *mounts, char *mnt,
			 size_t n)
{
	char clean[PATH_MAX], point[PATH_MAX];
	if (!clean_path(path, clean, sizeof clean) ||
	    !fstab_point(fstab, clean, point, sizeof point) || mounted(mounts, point))
		return false;
	snprintf(mnt, n, "%s", point);
	return true;
}

bool sharedir_unmounted(const char *folder, char *mnt, size_t n)
{
	const char *fstab, *mounts;
	tables(&fstab, &mounts);
	if (!folder || !*folder)
		return false;
	if (unmounted_at(folder, fstab, mounts, mnt, n))
		return true;
	/* A symbolic link on the way (/srv/recordings -> /mnt/share/rec) is judged where it
	 * leads. */
	char real[PATH_MAX];
	return realpath(folder, real) && unmounted_at(real, fstab, mounts, mnt, n);
}

lt_err sharedir_mounted(const char *path, char *why, size_t n)
{
	char mnt[PATH_MAX];
	if (!sharedir_unmounted(path, mnt, sizeof mnt))
		return LT_OK;
	const char *fstab, *mounts;
	tables(&fstab, &mounts);
	snprintf(why, n, "the share %s (in %s) is not mounted", mnt, fstab);
	return LT_ERR_IO;
}

lt_err sharedir_check(const char *folder, char *why, size_t n)
{
	if (!folder || !*folder || strlen(folder) >= PATH_MAX) {
		snprintf(why, n, "[upload] folder is %s", folder && *folder ? "too long a path"
									    : "empty");
		return LT_ERR_INVALID;
	}
	if (sharedir_mounted(folder, why, n) != LT_OK)
		return LT_ERR_IO;
	struct stat sb;
	if (stat(folder, &sb) != 0) {
		if (errno == ENOENT)
			snprintf(why, n, "the upload folder %s does not exist: is the share mounted? "
					 "(lectern creates only the folders inside it)", folder);
		else
			snprintf(why, n, "the upload folder %s cannot be reached: %s", folder,
				 strerror(errno));
		return LT_ERR_IO;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(why, n, "the upload folder %s is not a directory", folder);
		return LT_ERR_IO;
	}
	if (access(folder, W_OK | X_OK) != 0) {
		snprintf(why, n, "the upload folder %s is not writable: %s", folder, strerror(errno));
		return LT_ERR_IO;
	}
	return LT_OK;
}
