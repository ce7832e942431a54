/*
 * sharedir.h — whether the upload folder can take a delivery now, asked without creating
 * anything.
 *
 * [upload] folder (target = folder) is a share mounted on the device: CIFS, NFS or a USB disk.
 * When it is not mounted, its path is a directory on the device's own card (the empty mount
 * point) or nothing at all. A copy "delivered" there would be confirmed, the recording marked
 * uploaded and later deleted from the spool by retention, and the copy hidden again when the
 * share is mounted on top of it: lost. So the folder itself is never created by lectern (only
 * ROOM/YYYY/MM inside it), and a folder under a mount point that /etc/fstab lists but that is
 * not mounted now is refused. The folder target, `lectern doctor` and the settings screen all
 * ask here, and all say the same sentence.
 *
 * The tables read are /etc/fstab and /proc/self/mounts (getmntent_r, so any thread may ask).
 * TEST HOOK: LECTERN_TEST_FSTAB and LECTERN_TEST_MOUNTS name other files in their formats
 * (tests cannot mount anything); nothing else reads them.
 */
#ifndef LECTERN_SHAREDIR_H
#define LECTERN_SHAREDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "lectern/err.h"

/*
 * Whether `folder` can take a delivery: it lies under no fstab mount point that is unmounted
 * (sharedir_unmounted), it exists, it is a directory, and we may create entries in it.
 * Creates nothing. LT_OK, or LT_ERR_IO with one sentence naming the folder (or the share) in
 * `why`, the first of:
 *   "the share M (in /etc/fstab) is not mounted"   (the fstab read, when a test names another)
 *   "the upload folder F does not exist: is the share mounted? (lectern creates only the
 *    folders inside it)"
 *   "the upload folder F is not a directory"
 *   "the upload folder F is not writable: REASON"
 * LT_ERR_INVALID when `folder` is empty or too long a path.
 */
lt_err sharedir_check(const char *folder, char *why, size_t n);

/*
 * The mount point's part of sharedir_check() alone, for a path already inside the share (a
 * delivered recording's folder): LT_OK, or LT_ERR_IO with "the share M (in /etc/fstab) is
 * not mounted" in `why`.
 */
lt_err sharedir_mounted(const char *path, char *why, size_t n);

/*
 * Whether `folder` lies under a mount point listed in fstab that is not mounted now: true,
 * with that mount point in `mnt`. The mount point is the longest one in fstab that is `folder`
 * or one of its parents, `folder` taken as written (made absolute against the working
 * directory, "." and ".." resolved by name) and, when it exists, with its symbolic links
 * resolved too. "/", swap and entries whose mount point is not a path ("none") are left out.
 * Mounted means listed in the mount table, an autofs entry included (it mounts on first use).
 * False when fstab lists no such mount point, or either table cannot be read (nothing to go
 * by: the folder's own checks still apply).
 */
bool sharedir_unmounted(const char *folder, char *mnt, size_t n);

#endif
