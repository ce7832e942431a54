/*
 * test_sharedir.c — the upload folder's check (sharedir.h), against an fstab and a mount table
 * of the test's own (LECTERN_TEST_FSTAB, LECTERN_TEST_MOUNTS): a folder under a listed mount
 * point that is not mounted is refused, by the longest such mount point, whether the folder is
 * written relative, with "..", or through a symbolic link; a mounted one (autofs included)
 * passes; "/", swap and a look-alike prefix never count; a missing folder is refused in its
 * own words and never created.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "lectern/sharedir.h"

struct fix {
	char dir[64];
	char fstab[PATH_MAX], mounts[PATH_MAX];
	char cwd[PATH_MAX];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	if (!f || !tu_temp_dir(f->dir, sizeof f->dir, "sharedir") || !getcwd(f->cwd, sizeof f->cwd))
		return -1;
	snprintf(f->fstab, sizeof f->fstab, "%s/fstab", f->dir);
	snprintf(f->mounts, sizeof f->mounts, "%s/mounts", f->dir);
	setenv("LECTERN_TEST_FSTAB", f->fstab, 1);
	setenv("LECTERN_TEST_MOUNTS", f->mounts, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	if (chdir(f->cwd) != 0)
		return -1;
	tu_rmrf(f->dir);
	unsetenv("LECTERN_TEST_FSTAB");
	unsetenv("LECTERN_TEST_MOUNTS");
	free(f);
	return 0;
}

/* PATH (under the test's directory) written with `text`, "%s" standing for that directory. */
static void table(const struct fix *f, const char *path, const char *text)
{
	char body[4096];
	/* the format is the test's own, with the directory in it as often as it is named */
	const char *p = text;
	size_t used = 0;
	while (*p && used + sizeof f->dir < sizeof body) {
		if (p[0] == '%' && p[1] == 's') {
			used += (size_t)snprintf(body + used, sizeof body - used, "%s", f->dir);
			p += 2;
		} else {
			body[used++] = *p++;
		}
	}
	body[used] = '\0';
	assert_true(tu_write_file(path, body, used));
}

static void path_in(const struct fix *f, char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", f->dir, rel);
}

static void make_dir(const struct fix *f, const char *rel)
{
	char p[PATH_MAX];
	path_in(f, p, sizeof p, rel);
	assert_int_equal(mkdir(p, 0750), 0);
}

static bool exists(const struct fix *f, const char *rel)
{
	char p[PATH_MAX];
	struct stat sb;
	path_in(f, p, sizeof p, rel);
	return lstat(p, &sb) == 0;
}

/* The room's case: the share's mount point is there, empty, and nothing is mounted on it. */
static void test_bare_mount_point_is_refused(void **state)
{
	struct fix *f = *state;
	make_dir(f, "share");
	table(f, f->fstab, "# the room's share\n"
			   "//nas/recordings %s/share cifs credentials=/etc/lectern/nas,_netdev 0 0\n");
	table(f, f->mounts, "/dev/vda / ext4 rw 0 0\nproc /proc proc rw 0 0\n");
	char folder[PATH_MAX], mnt[PATH_MAX], why[512], want[2 * PATH_MAX + 64];
	path_in(f, folder, sizeof folder, "share");
	assert_true(sharedir_unmounted(folder, mnt, sizeof mnt));
	assert_string_equal(mnt, folder);
	assert_int_equal(sharedir_check(folder, why, sizeof why), LT_ERR_IO);
	snprintf(want, sizeof want, "the share %s (in %s) is not mounted", folder, f->fstab);
	assert_string_equal(why, want);
	/* a folder inside the share, existing or not, is the same share */
	path_in(f, folder, sizeof folder, "share/lectern/rooms");
	assert_int_equal(sharedir_check(folder, why, sizeof why), LT_ERR_IO);
	assert_string_equal(why, want);
	assert_false(exists(f, "share/lectern"));

	/* mounted: the same folder passes */
	table(f, f->mounts, "/dev/vda / ext4 rw 0 0\n//nas/recordings %s/share cifs rw 0 0\n");
	path_in(f, folder, sizeof folder, "share");
	assert_false(sharedir_unmounted(folder, mnt, sizeof mnt));
	assert_int_equal(sharedir_check(folder, why, sizeof why), LT_OK);
}

/* An automount point counts as mounted: the kernel mounts the share on first use. */
static void test_autofs_counts_as_mounted(void **state)
{
	struct fix *f = *state;
	make_dir(f, "usb");
	table(f, f->fstab, "UUID=0a1b-2c3d %s/usb vfat noauto,x-systemd.automount 0 0\n");
	table(f, f->mounts, "systemd-1 %s/usb autofs rw,relatime,fd=42 0 0\n");
	char folder[PATH_MAX], mnt[PATH_MAX], why[512];
	path_in(f, folder, sizeof folder, "usb");
	assert_false(sharedir_unmounted(folder, mnt, sizeof mnt));
	assert_int_equal(sharedir_check(folder, why, sizeof why), LT_OK);
}

/* The longest listed mount point decides; a name that merely starts alike is not under it. */
static void test_longest_mount_point_and_whole_components(void **state)
{
	struct fix *f = *state;
	make_dir(f, "mnt");
	make_dir(f, "mnt/inner");
	make_dir(f, "mnt/other");
	make_dir(f, "mntx");
	/* the deeper one first: the order in fstab says nothing */
	table(f, f->fstab, "srv:/b %s/mnt/inner/ nfs defaults 0 0\n"
			   "srv:/a %s/mnt nfs defaults 0 0\n");
	table(f, f->mounts, "srv:/a %s/mnt nfs rw 0 0\n");
	char folder[PATH_MAX], mnt[PATH_MAX], want[PATH_MAX];
	path_in(f, folder, sizeof folder, "mnt/inner/rec");
	assert_true(sharedir_unmounted(folder, mnt, sizeof mnt));
	path_in(f, want, sizeof want, "mnt/inner");
	assert_string_equal(mnt, want); /* the trailing '/' in fstab is no part of it */
	path_in(f, folder, sizeof folder, "mnt/other");
	assert_false(sharedir_unmounted(folder, mnt, sizeof mnt));
	/* "mntx" is not under "mnt", even with "mnt" unmounted */
	table(f, f->mounts, "/dev/vda / ext4 rw 0 0\n");
	path_in(f, folder, sizeof folder, "mntx");
	assert_false(sharedir_unmounted(folder, mnt, sizeof mnt));
	char why[512];
	assert_int_equal(sharedir_check(folder, why, sizeof why), LT_OK);
}

/* "/" (always mounted, but never the share), swap and "none" are not mount points of a share;
 * a mount point with a space is read as fstab escapes it. */
static void test_root_swap_none_and_escapes(void **state)
{
	struct fix *f = *state;
	make_dir(f, "plain");
	make_dir(f, "with space");
	table(f, f->fstab, "/dev/sda1 / ext4 defaults 0 1\n"
			   "/swapfile none swap sw 0 0\n"
			   "/dev/sda2 swap swap defaults 0 0\n"
			   "/dev/sda3 %s/plain swap defaults 0 0\n"
			   "tmpfs none tmpfs defaults 0 0\n"
			   "//nas/x %s/with\\040space cifs defaults 0 0\n");
	table(f, f->mounts, "proc /proc proc rw 0 0\n"); /* not even "/" is listed */
	char folder[PATH_MAX], mnt[PATH_MAX], want[PATH_MAX];
	path_in(f, folder, sizeof folder, "plain");
	assert_false(sharedir_unmounted(folder, mnt, sizeof mnt));
	path_in(f, folder, sizeof folder, "with space/rec");
	assert_true(sharedir_unmounted(folder, mnt, sizeof mnt));
	path_in(f, want, sizeof want, "with space");
	assert_string_equal(mnt, want);
	table(f, f->mounts, "//nas/x %s/with\\040space cifs rw 0 0\n");
	assert_false(sharedir_unmounted(folder, mnt, sizeof mnt));
}

/* The folder as written in the configuration: relative to the working directory, with "." and
 * "..", or through a symbolic link into the mount point. */
static void test_relative_dotdot_and_symlink(void **state)
{
	struct fix *f = *state;
	make_dir(f, "share");
	make_dir(f, "elsewhere");
	table(f, f->fstab, "//nas/r %s/share cifs defaults 0 0\n");
	table(f, f->mounts, "/dev/vda / ext4 rw 0 0\n");
	char mnt[PATH_MAX], want[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	path_in(f, want, sizeof want, "share");
	assert_int_equal(chdir(f->dir), 0);
	assert_true(sharedir_unmounted("share", mnt, sizeof mnt));
	assert_string_equal(mnt, want);
	assert_true(sharedir_unmounted("./elsewhere/../share//rec/", mnt, sizeof mnt));
	assert_string_equal(mnt, want);
	assert_false(sharedir_unmounted("share/../elsewhere", mnt, sizeof mnt));
	path_in(f, link, sizeof link, "recordings");
	path_in(f, target, sizeof target, "share");
	assert_int_equal(symlink(target, link), 0);
	assert_true(sharedir_unmounted(link, mnt, sizeof mnt));
	assert_string_equal(mnt, want);
}

/* Nothing to go by: no fstab, or no mount table; the folder's own checks still apply. */
static void test_unreadable_tables(void **state)
{
	struct fix *f = *state;
	make_dir(f, "share");
	char folder[PATH_MAX], mnt[PATH_MAX], why[512];
	path_in(f, folder, sizeof folder, "share");
	assert_false(sharedir_unmounted(folder, mnt, sizeof mnt)); /* neither file exists */
	table(f, f->fstab, "//nas/r %s/share cifs defaults 0 0\n");
	assert_false(sharedir_unmounted(folder, mnt, sizeof mnt)); /* no mount table */
	assert_int_equal(sharedir_check(folder, why, sizeof why), LT_OK);
}

/* A folder that is not there is refused in its own words, and not made. */
static void test_missing_folder_is_not_created(void **state)
{
	struct fix *f = *state;
	table(f, f->fstab, "");
	table(f, f->mounts, "/dev/vda / ext4 rw 0 0\n");
	char folder[PATH_MAX], why[512], want[PATH_MAX + 128];
	path_in(f, folder, sizeof folder, "nas");
	assert_int_equal(sharedir_check(folder, why, sizeof why), LT_ERR_IO);
	snprintf(want, sizeof want,
		 "the upload folder %s does not exist: is the share mounted? (lectern creates only "
		 "the folders inside it)", folder);
	assert_string_equal(why, want);
	assert_false(exists(f, "nas"));
	/* a file where the folder should be */
	assert_true(tu_write_file(folder, "x", 1));
	assert_int_equal(sharedir_check(folder, why, sizeof why), LT_ERR_IO);
	assert_non_null(strstr(why, "is not a directory"));
	assert_int_equal(sharedir_check("", why, sizeof why), LT_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bare_mount_point_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autofs_counts_as_mounted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_longest_mount_point_and_whole_components, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_root_swap_none_and_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_dotdot_and_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_folder_is_not_created, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
