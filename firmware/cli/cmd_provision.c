/*
 * cmd_provision.c — `lectern provision`: a room in one command.
 *
 * Writes the configuration and its secrets, changing only what the command line gives, and
 * then checks what it wrote against the servers (calendar, upload target, Opencast), one line
 * per check. What it writes, under --root ROOT when given (an image being built, or a test):
 *
 *   CONFIG (--config, default /etc/lectern/lectern.conf), 0644: edited as text (inifile.h), so
 *     comments, order and keys not named stay as they were. It holds no secret: it names the
 *     files that do ([upload] password_file, [ui] pin_file).
 *   DIR/upload.password (DIR: CONFIG's directory), 0600: the target's password, first line;
 *     read from --password-file or stdin (--password-stdin), never from argv.
 *   DIR/pin.hash, 0600: the settings PIN as a PBKDF2 hash (pinhash.h); [ui] pin is emptied.
 *   /etc/systemd/system/lectern.service.d/paths.conf: ReadWritePaths= for a folder target, a
 *     data/spool directory or the [health] prometheus_file's directory outside /var/lib/lectern (the unit has ProtectSystem=strict); taken
 *     away again when no longer needed (only the file this command wrote, by its first line).
 * Secret files are owned by the service user `lectern` when this runs as root and the user
 * exists (in ROOT/etc/passwd under --root).
 *
 * Every file is replaced atomically (temporary file, fsync, rename, fsync of the directory),
 * secrets first and the configuration last: the configuration's rename is the moment the new
 * settings exist. Every file is written to its temporary name before the first rename, so a
 * run that fails or is killed while writing changes nothing at all (the temporary files it
 * leaves are removed by the next run); only a kill between the renames (microseconds: they
 * follow each other, the directories are fsync'd after them) could leave a new secret beside
 * the old configuration. LECTERN_TEST_PROVISION_PAUSE=SECONDS makes
 * it stop after writing and before the first rename (saying "provision: paused" on stderr),
 * for the test that kills it there.
 *
 * Nothing is written when the command line or the resulting configuration is wrong (exit 2),
 * nor with --dry-run (the changes are printed). Exit 1 when a check fails (files written);
 * exit 4 when the files cannot be written (a read-only or full disk), saying whether anything
 * was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lectern/app.h"
#include "lectern/calendar.h"
#include "lectern/commands.h"
#include "lectern/config.h"
#include "lectern/fetch.h"
#include "lectern/inifile.h"
#include "lectern/net.h"
#include "lectern/opencast.h"
#include "lectern/servercheck.h"
#include "lectern/osutil.h"
#include "lectern/pinhash.h"
#include "lectern/schedule.h"
#include "lectern/utf8.h"

#define DROPIN_PATH "/etc/systemd/system/lectern.service.d/paths.conf"
#define DROPIN_MARK "# Written by lectern provision"
#define STATE_DIR "/var/lib/lectern"
#define BOARDS_DIR "/usr/share/lectern/boards"
#define SERVICE_USER "lectern"
#define CHECK_TIMEOUT_S 10

struct opts {
	const char *room, *board, *target, *url, *user, *password_file, *calendar, *pin;
	const char *calendar_user, *calendar_password_file;
	const char *auth, *root, *config;
	bool password_stdin, pin_stdin, dry_run, allow_insecure, no_check;
};

/* The service user's ids, looked up in ROOT/etc/passwd under --root. */
struct owner {
	bool chown;                /* running as root and the user exists */
	uid_t uid;
	gid_t gid;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: lectern provision --room NAME [--board B] [--target opencast|webdav|folder]\n"
		"         [--url URL] [--user U] [--password-file F | --password-stdin]\n"
		"         [--auth basic|digest] [--allow-insecure-auth] [--calendar URL]\n"
		"         [--calendar-user U --calendar-password-file F] [--pin N | --pin-stdin]\n"
		"         [--dry-run] [--no-check] [--root DIR]\n"
		"\n"
		"Write the configuration (changing only what is given) and the secrets beside it,\n"
		"then check the calendar, the upload target and Opencast and say what works.\n"
		"  --room NAME        the room (needed unless the configuration names one)\n"
		"  --board B          merge the board profile B (%s/B/*.conf)\n"
		"  --target T         opencast (--url: the server), webdav (--url: the share) or\n"
		"                     folder (--url: an absolute directory)\n"
		"  --user U           the target's user; its password from --password-file F (first\n"
		"                     line) or --password-stdin, never on the command line\n"
		"  --calendar URL     the room's ICS calendar (a URL or an absolute file), or\n"
		"                     'opencast': this agent's calendar on the Opencast server\n"
		"  --calendar-user U  the calendar server's user, when it is not the target's\n"
		"                     server; its password from --calendar-password-file F\n"
		"  --pin N            the settings PIN (4 to 8 digits, not 1234), stored hashed\n"
		"  --pin-stdin        read the PIN from stdin's first line instead (not in ps)\n"
		"  --dry-run          print the changes, write nothing\n"
		"  --no-check         write, but do not contact the servers\n"
		"  --root DIR         write under DIR (an image being built; tests)\n"
		"Exit codes: 0 written and every check passed, 1 written but a check failed,\n"
		"            2 bad command line or configuration (nothing written),\n"
		"            4 the files cannot be written (read-only or full disk).\n",
		BOARDS_DIR);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct {
		const char *name;
		size_t offset;
	} with_value[] = {
		{"--room", offsetof(struct opts, room)},
		{"--board", offsetof(struct opts, board)},
		{"--target", offsetof(struct opts, target)},
		{"--url", offsetof(struct opts, url)},
		{"--user", offsetof(struct opts, user)},
		{"--password-file", offsetof(struct opts, password_file)},
		{"--calendar", offsetof(struct opts, calendar)},
		{"--pin", offsetof(struct opts, pin)},
		{"--calendar-user", offsetof(struct opts, calendar_user)},
		{"--calendar-password-file", offsetof(struct opts, calendar_password_file)},
		{"--auth", offsetof(struct opts, auth)},
		{"--root", offsetof(struct opts, root)},
	};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return -1;
		}
		if (strcmp(a, "--password-stdin") == 0) {
			o->password_stdin = true;
			continue;
		}
		if (strcmp(a, "--pin-stdin") == 0) {
			o->pin_stdin = true;
			continue;
		}
		if (strcmp(a, "--dry-run") == 0) {
			o->dry_run = true;
			continue;
		}
		if (strcmp(a, "--no-check") == 0) {
			o->no_check = true;
			continue;
		}
		if (strcmp(a, "--allow-insecure-auth") == 0) {
			o->allow_insecure = true;
			continue;
		}
		if (strcmp(a, "--password") == 0 || strncmp(a, "--password=", 11) == 0 ||
		    strcmp(a, "--calendar-password") == 0 ||
		    strncmp(a, "--calendar-password=", 20) == 0) {
			fprintf(stderr, "lectern: provision: a password on the command line is seen by "
					"every user of this machine (ps): give --password-file FILE "
					"(--calendar-password-file FILE) or --password-stdin\n");
			return EXIT_USAGE;
		}
		size_t k = 0, n = sizeof with_value / sizeof with_value[0];
		const char *value = NULL;
		for (; k < n; k++) {
			size_t len = strlen(with_value[k].name);
			if (strcmp(a, with_value[k].name) == 0 && i + 1 < argc) {
				value = argv[++i];
				break;
			}
			if (strncmp(a, with_value[k].name, len) == 0 && a[len] == '=') {
				value = a + len + 1;
				break;
			}
		}
		if (k == n) {
			fprintf(stderr, "lectern: provision: unknown option or missing value '%s' "
					"(lectern provision --help)\n", a);
			return EXIT_USAGE;
		}
		*(const char **)(void *)((char *)o + with_value[k].offset) = value;
	}
	return EXIT_OK;
}

/* --- checks of the command line ------------------------------------------------------------ */

static bool has_userinfo(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return false;
	p += 3;
	size_t authority = strcspn(p, "/?#");
	return memchr(p, '@', authority) != NULL;
}

/* A PIN as provision takes it (`what` names where it came from). */
static int check_pin(const char *pin, const char *what)
{
	size_t len = strlen(pin);
	if (len < 4 || len > 8 || strspn(pin, "0123456789") != len) {
		fprintf(stderr, "lectern: provision: %s must be 4 to 8 digits\n", what);
		return EXIT_USAGE;
	}
	if (strcmp(pin, PINHASH_SAMPLE_PIN) == 0) {
		fprintf(stderr, "lectern: provision: %s %s is the sample PIN every box starts with: "
				"choose another\n", what, PINHASH_SAMPLE_PIN);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int check_args(const struct opts *o)
{
	if (o->password_file && o->password_stdin) {
		fprintf(stderr, "lectern: provision: give --password-file or --password-stdin, not "
				"both\n");
		return EXIT_USAGE;
	}
	if ((o->password_file || o->password_stdin) && !o->user) {
		fprintf(stderr, "lectern: provision: a password needs --user\n");
		return EXIT_USAGE;
	}
	if (!o->calendar_user != !o->calendar_password_file) {
		fprintf(stderr, "lectern: provision: give --calendar-user and "
				"--calendar-password-file together\n");
		return EXIT_USAGE;
	}
	if (o->pin && o->pin_stdin) {
		fprintf(stderr, "lectern: provision: give --pin or --pin-stdin, not both\n");
		return EXIT_USAGE;
	}
	if (o->pin_stdin && o->password_stdin) {
		fprintf(stderr, "lectern: provision: stdin holds one secret: give the password with "
				"--password-file when the PIN comes from --pin-stdin\n");
		return EXIT_USAGE;
	}
	if (o->target && strcmp(o->target, "opencast") != 0 && strcmp(o->target, "webdav") != 0 &&
	    strcmp(o->target, "folder") != 0 && strcmp(o->target, "none") != 0) {
		fprintf(stderr, "lectern: provision: --target '%s' is not one of: opencast webdav "
				"folder none\n", o->target);
		return EXIT_USAGE;
	}
	if (o->auth && strcmp(o->auth, "basic") != 0 && strcmp(o->auth, "digest") != 0) {
		fprintf(stderr, "lectern: provision: --auth '%s' is not basic or digest\n", o->auth);
		return EXIT_USAGE;
	}
	const char *urls[] = {o->url, o->calendar};
	const char *url_opts[] = {"--url", "--calendar"};
	for (size_t i = 0; i < 2; i++) {
		if (!urls[i])
			continue;
		/* A space or control character is no part of a URL (RFC 3986: %20): curl refuses
		 * it at the first upload, long after the installer left. */
		for (const unsigned char *p = (const unsigned char *)urls[i]; *p; p++)
			if (*p <= 0x20 || *p == 0x7f) {
				fprintf(stderr, "lectern: provision: %s has a %s at character %zu: write "
						"it as %%%02X\n", url_opts[i],
					*p == ' ' ? "space" : "control character",
					(size_t)(p - (const unsigned char *)urls[i]) + 1, *p);
				return EXIT_USAGE;
			}
		if (has_userinfo(urls[i])) {
			fprintf(stderr, "lectern: provision: a URL with a user or password in it ends "
					"up in the configuration and logs: give --user and "
					"--password-file instead\n");
			return EXIT_USAGE;
		}
	}
	/* The service reads a calendar file from its own working directory (/), so a relative
	 * name, or a URL curl is not asked to speak, is a calendar it never finds. */
	if (o->calendar && strcmp(o->calendar, "opencast") != 0 && o->calendar[0] != '/' &&
	    strncasecmp(o->calendar, "http://", 7) != 0 &&
	    strncasecmp(o->calendar, "https://", 8) != 0) {
		fprintf(stderr, "lectern: provision: --calendar '%s' is not an http:// or https:// "
				"URL, an absolute file, or 'opencast'\n", o->calendar);
		return EXIT_USAGE;
	}
	if (o->board && (!o->board[0] || strchr(o->board, '/') || o->board[0] == '.')) {
		fprintf(stderr, "lectern: provision: --board '%s' is not a board name\n", o->board);
		return EXIT_USAGE;
	}
	if (o->pin && check_pin(o->pin, "--pin") != EXIT_OK)
		return EXIT_USAGE;
	if (o->root && o->root[0] != '/') {
		fprintf(stderr, "lectern: provision: --root must be an absolute directory\n");
		return EXIT_USAGE;
	}
	/* A mistyped root would otherwise be created, a whole /etc in it. */
	struct stat sb;
	if (o->root) {
		const char *why = stat(o->root, &sb) != 0 ? strerror(errno)
			: !S_ISDIR(sb.st_mode)		  ? "not a directory"
							  : NULL;
		if (why) {
			fprintf(stderr, "lectern: provision: --root %s: %s\n", o->root, why);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

/* --- files ---------------------------------------------------------------------------------- */

static const char *root_of(const struct opts *o)
{
	return o->root ? o->root : "";
}

/* ROOT + path into buf; false (said) when too long. */
static bool under_root(const struct opts *o, const char *path, char *buf, size_t n)
{
	const char *root = root_of(o);
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	if (snprintf(buf, n, "%.*s%s", (int)rl, root, path) >= (int)n) {
		fprintf(stderr, "lectern: provision: path too long: %s%s\n", root, path);
		return false;
	}
	return true;
}

/* The file at `path` (up to 1 MB), NUL-terminated; NULL with errno set (EFBIG: larger). */
static char *read_whole(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (used == cap) {
			char *more = cap < (1u << 20) ? realloc(buf, cap * 2 + 1) : NULL;
			if (!more) {
				/* errno must say so: ENOENT left from before reads as "no file yet",
				 * and the file would be replaced by a new one. */
				int why = cap < (1u << 20) ? ENOMEM : EFBIG;
				free(buf);
				buf = NULL;
				errno = why;
				break;
			}
			buf = more;
			cap *= 2;
		}
		ssize_t got = read(fd, buf + used, cap - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int why = errno;
			free(buf);
			buf = NULL;
			errno = why;
			break;
		}
		if (got == 0)
			break;
		used += (size_t)got;
	}
	int why = errno;
	close(fd);
	errno = why;
	if (buf) {
		buf[used] = '\0';
		*len = used;
	}
	return buf;
}

static void owner_lookup(const struct opts *o, struct owner *own)
{
	memset(own, 0, sizeof *own);
	if (geteuid() != 0)
		return;
	if (!o->root) {
		struct passwd *pw = getpwnam(SERVICE_USER);
		if (pw) {
			own->chown = true;
			own->uid = pw->pw_uid;
			own->gid = pw->pw_gid;
		}
		return;
	}
	char path[PATH_MAX];
	if (!under_root(o, "/etc/passwd", path, sizeof path))
		return;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	struct passwd *pw;
	while ((pw = fgetpwent(f)))
		if (strcmp(pw->pw_name, SERVICE_USER) == 0) {
			own->chown = true;
			own->uid = pw->pw_uid;
			own->gid = pw->pw_gid;
			break;
		}
	fclose(f);
}

/* Temporary files a killed run left beside `path`. */
static void remove_stale_temps(const char *path)
{
	char pattern[PATH_MAX + 16];
	snprintf(pattern, sizeof pattern, "%s.tmp-??????", path);
	glob_t g;
	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
	globfree(&g);
}

static void test_pause(void)
{
	const char *pause = getenv("LECTERN_TEST_PROVISION_PAUSE");
	if (!pause || atoi(pause) <= 0)
		return;
	fprintf(stderr, "provision: paused\n");
	fflush(stderr);
	sleep((unsigned)atoi(pause));
}

/* A file written beside its final name, waiting for its rename. */
struct staged {
	char tmp[PATH_MAX + 16];
	char path[PATH_MAX];
	bool renamed;
};

/*
 * Write `data` to a temporary file beside `path` with `mode` (and the service user as owner
 * when `own`), fsync'd; stage_commit() renames it over `path`. All files are staged before any
 * is renamed, so that a failure or a kill while writing changes nothing.
 */
static bool stage(struct staged *st, const char *path, const char *data, size_t len, mode_t mode,
		  const struct owner *own)
{
	snprintf(st->path, sizeof st->path, "%s", path);
	snprintf(st->tmp, sizeof st->tmp, "%s.tmp-XXXXXX", path);
	int fd = mkostemp(st->tmp, O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "lectern: provision: cannot write %s: %s\n", path, strerror(errno));
		st->tmp[0] = '\0';
		return false;
	}
	int rc = fchmod(fd, mode);
	if (rc == 0 && own && own->chown)
		rc = fchown(fd, own->uid, own->gid);
	for (size_t off = 0; rc == 0 && off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = -1;
		else
			off += (size_t)n;
	}
	if (rc == 0)
		rc = fsync(fd);
	if (close(fd) != 0 && rc == 0)
		rc = -1;
	if (rc != 0) {
		int saved = errno;
		unlink(st->tmp);
		st->tmp[0] = '\0';
		fprintf(stderr, "lectern: provision: cannot write %s: %s\n", path, strerror(saved));
		return false;
	}
	return true;
}

static void stage_abandon(struct staged *st)
{
	if (st->tmp[0])
		unlink(st->tmp);
	st->tmp[0] = '\0';
}

/* Rename the staged file over its path (stage_sync() makes it durable). */
static bool stage_commit(struct staged *st)
{
	if (!st->tmp[0])
		return true;
	if (rename(st->tmp, st->path) != 0) {
		fprintf(stderr, "lectern: provision: cannot replace %s: %s\n", st->path,
			strerror(errno));
		stage_abandon(st);
		return false;
	}
	st->tmp[0] = '\0';
	st->renamed = true;
	return true;
}

/* fsync the directory of a renamed file. Apart from the renames, so that they follow each
 * other within microseconds: a kill between two of them is what could mix old and new. */
static bool stage_sync(struct staged *st)
{
	if (!st->renamed)
		return true;
	if (os_fsync_parent(st->path) != LT_OK) {
		fprintf(stderr, "lectern: provision: %s written, but its directory could not be "
				"synced: %s\n", st->path, strerror(errno));
		return false;
	}
	return true;
}

/* mkdir -p of `dir` (its new directories 0755, or `mode` for the last one). */
static bool make_dir(const char *dir, mode_t last_mode, const struct owner *group)
{
	char part[PATH_MAX];
	snprintf(part, sizeof part, "%s", dir);
	for (char *p = part + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(part, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "lectern: provision: cannot create %s: %s\n", part,
				strerror(errno));
			return false;
		}
		*p = '/';
	}
	if (mkdir(part, last_mode) == 0) {
		/* A new configuration directory: root's, readable by the service's group. */
		if (group && group->chown && chown(part, 0, group->gid) != 0)
			fprintf(stderr, "lectern: provision: warning: cannot give %s to group %s: %s\n",
				part, SERVICE_USER, strerror(errno));
		return true;
	}
	if (errno == EEXIST)
		return true;
	fprintf(stderr, "lectern: provision: cannot create %s: %s\n", part, strerror(errno));
	return false;
}

/* How long a secret from a pipe or FIFO may take to arrive: `--password-file <(pass x)` is
 * quick, a FIFO nobody writes to would otherwise hang the command for ever. */
#define SECRET_WAIT_S 10

/* A terminal's settings while a secret is typed without echo; restored on a signal too, so
 * that Ctrl-C does not leave the administrator's shell blind. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

static void restore_tty(void)
{
	if (tty_changed) {
		tcsetattr(0, TCSAFLUSH, &saved_tty);
		tty_changed = 0;
	}
}

static void restore_tty_and_die(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* On a terminal: ask for the secret on stderr and stop echoing it. */
static void quiet_tty(const char *what)
{
	if (!isatty(0) || tcgetattr(0, &saved_tty) != 0)
		return;
	fprintf(stderr, "lectern: provision: the %s (not shown), then Enter: ", what);
	fflush(stderr);
	struct termios quiet = saved_tty;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], restore_tty_and_die);
	if (tcsetattr(0, TCSAFLUSH, &quiet) == 0)
		tty_changed = 1;
}

/*
 * The first line of a secret (`what`: "password", "PIN") in `file`, or on stdin when `file` is
 * NULL; false (said) when there is none. `file` may be a regular file, a pipe or FIFO (read
 * within SECRET_WAIT_S) or a character device; a directory or anything else is refused by
 * name.
 */
static bool read_secret_line(const char *file, const char *what, char *buf, size_t n)
{
	int fd = 0;
	const char *from = "stdin";
	bool wait = false; /* poll before reading: a FIFO reads as empty until its writer opens it */
	if (!file)
		quiet_tty(what);
	if (file) {
		from = file;
		/* O_NONBLOCK: opening a FIFO without a writer would block before any timeout. */
		fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			fprintf(stderr, "lectern: provision: cannot read the %s file %s: %s\n", what,
				from, strerror(errno));
			return false;
		}
		struct stat sb;
		if (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISFIFO(sb.st_mode) ||
					     S_ISCHR(sb.st_mode))) {
			bool dir = S_ISDIR(sb.st_mode);
			close(fd);
			fprintf(stderr, "lectern: provision: the %s file %s is %s: give a file whose "
					"first line is the %s\n", what, from,
				dir ? "a directory" : "not a file", what);
			return false;
		}
		wait = !S_ISREG(sb.st_mode);
	}
	size_t used = 0;
	bool line_end = false, timed_out = false;
	int read_errno = 0;
	double deadline = os_mono_s() + SECRET_WAIT_S;
	while (used + 1 < n && !line_end) {
		if (wait) {
			double left = deadline - os_mono_s();
			struct pollfd p = {.fd = fd, .events = POLLIN};
			int ready = left > 0 ? poll(&p, 1, (int)(left * 1000) + 1) : 0;
			if (ready < 0 && errno == EINTR)
				continue;
			if (ready == 0) {
				timed_out = true;
				break;
			}
		}
		ssize_t got = read(fd, buf + used, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			read_errno = errno;
		if (got <= 0)
			break;
		if (buf[used] == '\n')
			line_end = true;
		else
			used++;
	}
	if (fd != 0)
		close(fd);
	restore_tty();
	if (read_errno || timed_out) {
		explicit_bzero(buf, n);
		if (timed_out)
			fprintf(stderr, "lectern: provision: nothing came from the %s file %s within "
					"%d s (a FIFO nobody writes to?)\n", what, from, SECRET_WAIT_S);
		else
			fprintf(stderr, "lectern: provision: cannot read the %s from %s: %s\n", what,
				from, strerror(read_errno));
		return false;
	}
	if (used + 1 >= n && !line_end) {
		explicit_bzero(buf, n);
		fprintf(stderr, "lectern: provision: the %s from %s is too long (at most %zu "
				"bytes)\n", what, from, n - 2);
		return false;
	}
	if (used > 0 && buf[used - 1] == '\r')
		used--;
	buf[used] = '\0';
	if (!used) {
		fprintf(stderr, "lectern: provision: no %s in %s (its first line is empty)\n", what,
			from);
		return false;
	}
	return true;
}

/* --- the configuration -------------------------------------------------------------------- */

struct change_list {
	char text[4096];
	size_t used;
	int count;
};

static void note(struct change_list *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct change_list *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (c->used < sizeof c->text) {
		int n = vsnprintf(c->text + c->used, sizeof c->text - c->used, fmt, ap);
		if (n > 0)
			c->used += (size_t)n;
		if (c->used >= sizeof c->text)
			c->used = sizeof c->text - 1;
	}
	va_end(ap);
	c->count++;
}

struct edit {
	struct inifile *doc;
	struct change_list *changes;
	bool failed;
};

/* What makes `value` one the configuration cannot hold as given (NULL: nothing). */
static const char *value_problem(const char *value)
{
	size_t n = strlen(value);
	if (n > 4000)
		return "it is longer than 4000 bytes";
	if (strpbrk(value, "\r\n"))
		return "it has a line end";
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "it has a control character";
	if (n && (value[0] == ' ' || value[n - 1] == ' '))
		return "it starts or ends with a space, which the configuration drops";
	if (strstr(value, " ;"))
		return "' ;' in it starts a comment in the configuration";
	for (const char *p = value; *p;) {
		size_t len = utf8_char_len(p);
		if (!len)
			return "it is not valid UTF-8 (is the terminal's character set UTF-8?)";
		p += len;
	}
	return NULL;
}

/* `value` for a message: control characters and bytes that are not UTF-8 as \n, \t, \xHH;
 * at most 80 bytes. */
static void shown(const char *value, char *buf, size_t n)
{
	size_t used = 0;
	for (const unsigned char *p = (const unsigned char *)value; *p && used + 8 < n; p++) {
		if (p - (const unsigned char *)value >= 80) {
			used += (size_t)snprintf(buf + used, n - used, "...");
			break;
		}
		if (*p == '\n')
			used += (size_t)snprintf(buf + used, n - used, "\\n");
		else if (*p == '\r')
			used += (size_t)snprintf(buf + used, n - used, "\\r");
		else if (*p == '\t')
			used += (size_t)snprintf(buf + used, n - used, "\\t");
		else if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && !utf8_char_len((const char *)p)))
			used += (size_t)snprintf(buf + used, n - used, "\\x%02x", *p);
		else
			buf[used++] = (char)*p;
	}
	buf[used < n ? used : n - 1] = '\0';
}

static void set_key(struct edit *e, const char *section, const char *key, const char *value)
{
	char old[4096];
	bool had = inifile_get(e->doc, section, key, old, sizeof old);
	bool changed = false;
	const char *problem = value_problem(value);
	lt_err err = problem ? LT_ERR_INVALID : inifile_set(e->doc, section, key, value, &changed);
	if (err != LT_OK) {
		char show[128];
		shown(value, show, sizeof show);
		fprintf(stderr, "lectern: provision: [%s] %s: '%s' cannot be written to the "
				"configuration: %s\n", section, key, show,
			problem ? problem : lt_strerror(err));
		e->failed = true;
		return;
	}
	if (!changed)
		return;
	if (had)
		note(e->changes, "  [%s] %s: %s -> %s\n", section, key, old, value);
	else
		note(e->changes, "  [%s] %s = %s\n", section, key, value);
}

static int board_key(void *user, const char *section, const char *key, const char *value)
{
	set_key(user, section, key, value);
	return 0;
}

/* Merge every *.conf of the board's directory, in name order. */
static bool apply_board(const struct opts *o, struct edit *e)
{
	char dir[PATH_MAX];
	const char *env = getenv("LECTERN_BOARDS_DIR");
	if (env && *env)
		snprintf(dir, sizeof dir, "%s/%s", env, o->board);
	else {
		char rel[PATH_MAX];
		snprintf(rel, sizeof rel, "%s/%s", BOARDS_DIR, o->board);
		if (!under_root(o, rel, dir, sizeof dir))
			return false;
	}
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "lectern: provision: no board '%s' (%s: %s)\n", o->board, dir,
			strerror(errno));
		return false;
	}
	int used = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t len = strlen(name);
		if (name[0] != '.' && len > 5 && strcmp(name + len - 5, ".conf") == 0 && !e->failed) {
			char path[PATH_MAX + 256];
			snprintf(path, sizeof path, "%s/%s", dir, name);
			size_t tl;
			char *text = read_whole(path, &tl);
			struct inifile *board = NULL;
			if (!text || inifile_parse(text, tl, &board) != LT_OK) {
				fprintf(stderr, "lectern: provision: cannot read %s\n", path);
				e->failed = true;
			} else {
				note(e->changes, "  board %s: %s\n", o->board, name);
				inifile_each(board, board_key, e);
				used++;
			}
			inifile_free(board);
			free(text);
		}
		free(names[i]);
	}
	free(names);
	if (!used && !e->failed) {
		fprintf(stderr, "lectern: provision: board '%s' has no configuration (%s/*.conf)\n",
			o->board, dir);
		return false;
	}
	return !e->failed;
}

/* The paths of the new configuration's secrets. */
struct secrets {
	char dir[PATH_MAX];          /* on the target system */
	char password[PATH_MAX];
	char calendar_password[PATH_MAX];
	char pin[PATH_MAX];
};

static bool apply_options(const struct opts *o, struct edit *e, const struct secrets *sec,
			  bool have_password)
{
	if (o->board && !apply_board(o, e))
		return false;
	if (o->room)
		set_key(e, "device", "room", o->room);
	char target[32] = "none";
	inifile_get(e->doc, "upload", "target", target, sizeof target);
	if (o->target) {
		snprintf(target, sizeof target, "%s", o->target);
		set_key(e, "upload", "target", o->target);
		/* Opencast's capture agents speak Digest (over http:// too); the calendar comes from
		 * it unless the room has another. */
		if (strcmp(o->target, "opencast") == 0) {
			if (!o->auth)
				set_key(e, "upload", "auth", "digest");
			char source[32] = "none";
			inifile_get(e->doc, "schedule", "source", source, sizeof source);
			if (!o->calendar && strcmp(source, "none") == 0)
				set_key(e, "schedule", "source", "opencast");
		}
	}
	if (o->url) {
		if (strcmp(target, "opencast") == 0) {
			set_key(e, "opencast", "url", o->url);
		} else if (strcmp(target, "webdav") == 0) {
			set_key(e, "upload", "url", o->url);
		} else if (strcmp(target, "folder") == 0) {
			if (o->url[0] != '/') {
				fprintf(stderr, "lectern: provision: a folder target is an absolute "
						"directory, not '%s'\n", o->url);
				return false;
			}
			set_key(e, "upload", "folder", o->url);
		} else {
			fprintf(stderr, "lectern: provision: --url needs --target (opencast, webdav or "
					"folder)\n");
			return false;
		}
	}
	if (o->user)
		set_key(e, "upload", "user", o->user);
	if (have_password)
		set_key(e, "upload", "password_file", sec->password);
	if (o->auth)
		set_key(e, "upload", "auth", o->auth);
	if (o->allow_insecure)
		set_key(e, "upload", "allow_insecure_auth", "yes");
	if (o->calendar && strcmp(o->calendar, "opencast") == 0) {
		set_key(e, "schedule", "source", "opencast");
	} else if (o->calendar) {
		set_key(e, "schedule", "source", "ics");
		set_key(e, "schedule", "ics", o->calendar);
	}
	if (o->calendar_user) {
		set_key(e, "schedule", "user", o->calendar_user);
		set_key(e, "schedule", "password_file", sec->calendar_password);
		if (o->allow_insecure)
			set_key(e, "schedule", "allow_insecure_auth", "yes");
	}
	if (o->pin) {
		set_key(e, "ui", "pin_file", sec->pin);
		/* The plain PIN leaves the world-readable file (pin_file rules from now on). */
		char plain[32] = "";
		if (inifile_get(e->doc, "ui", "pin", plain, sizeof plain) && plain[0])
			set_key(e, "ui", "pin", "");
	}
	return !e->failed;
}

struct load_ctx {
	struct config *cfg;
	struct config_error *err;
	lt_err rc;
};

static int load_key(void *user, const char *section, const char *key, const char *value)
{
	struct load_ctx *l = user;
	l->rc = config_set(l->cfg, section, key, value, 0, l->err);
	return l->rc != LT_OK;
}

/*
 * Load `text` as the configuration at `path` would be loaded (every key through config_set,
 * then config_check), with each secret file it names replaced: by `dummy_secret` /
 * `dummy_pin` (before the files exist: a dry run, or the check before writing), or by their
 * paths under --root (after writing). The problem goes to stderr naming `path`.
 */
static bool load_text(const struct opts *o, const char *text, size_t len, const char *path,
		      const char *dummy_secret, const char *dummy_pin, struct config *cfg)
{
	struct inifile *doc;
	if (inifile_parse(text, len, &doc) != LT_OK)
		return false;
	static const char *const keys[][2] = {
		{"upload", "password_file"}, {"schedule", "password_file"}, {"ui", "pin_file"}};
	bool ok = true;
	for (size_t i = 0; i < 3 && ok; i++) {
		char value[PATH_MAX], mapped[PATH_MAX];
		if (!inifile_get(doc, keys[i][0], keys[i][1], value, sizeof value) || !value[0])
			continue;
		if (dummy_secret)
			snprintf(mapped, sizeof mapped, "%s", i == 2 ? dummy_pin : dummy_secret);
		else if (!under_root(o, value, mapped, sizeof mapped))
			ok = false;
		if (ok)
			ok = inifile_set(doc, keys[i][0], keys[i][1], mapped, NULL) == LT_OK;
	}
	config_defaults(cfg);
	snprintf(cfg->source, sizeof cfg->source, "%s", path);
	struct config_error err = {0};
	struct load_ctx l = {.cfg = cfg, .err = &err, .rc = LT_OK};
	/* Through config_load() itself, from a memory file: what lectern run will say of the
	 * file, its syntax, size and line length included (a line inifile leaves alone may be
	 * one inih refuses). Key by key where memory files are not to be had. */
	size_t mlen = 0;
	char *mapped_text = ok ? inifile_text(doc, &mlen) : NULL;
	int mfd = mapped_text ? memfd_create("lectern-provision-config", MFD_CLOEXEC) : -1;
	if (mfd >= 0 && write(mfd, mapped_text, mlen) == (ssize_t)mlen) {
		char mpath[64];
		snprintf(mpath, sizeof mpath, "/proc/self/fd/%d", mfd);
		l.rc = access(mpath, R_OK) == 0 ? config_load(cfg, mpath, &err) : LT_ERR_IO;
		if (l.rc == LT_ERR_IO) { /* no /proc */
			config_defaults(cfg);
			l.rc = LT_OK;
			inifile_each(doc, load_key, &l);
			if (l.rc == LT_OK)
				l.rc = config_check(cfg, &err);
		}
		snprintf(cfg->source, sizeof cfg->source, "%s", path);
	} else if (ok) {
		inifile_each(doc, load_key, &l);
		if (l.rc == LT_OK)
			l.rc = config_check(cfg, &err);
	}
	if (mfd >= 0)
		close(mfd);
	free(mapped_text);
	inifile_free(doc);
	if (!ok)
		return false;
	if (l.rc != LT_OK) {
		snprintf(err.file, sizeof err.file, "%s", path);
		char line[PATH_MAX + 512];
		config_error_format(&err, line, sizeof line);
		fprintf(stderr, "%s\n", line);
		return false;
	}
	return true;
}

/* The drop-in's text for `cfg` ("" when nothing outside the state directory is written). */
static void dropin_text(const struct config *cfg, char *buf, size_t n)
{
	char paths[4][PATH_MAX], prom_dir[PATH_MAX] = "";
	int count = 0;
	if (strcmp(cfg->upload_target, "folder") == 0 && cfg->upload_folder[0])
		snprintf(paths[count++], PATH_MAX, "%s", cfg->upload_folder);
	/* node_exporter's textfile directory: the Prometheus file is replaced by a rename in it. */
	if (cfg->health_prometheus_file[0] == '/')
		os_dirname(cfg->health_prometheus_file, prom_dir, sizeof prom_dir);
	const char *dirs[] = {cfg->data_dir, cfg->spool_dir, prom_dir};
	for (int i = 0; i < 3; i++) {
		size_t sl = strlen(STATE_DIR);
		bool inside = strncmp(dirs[i], STATE_DIR, sl) == 0 &&
			      (dirs[i][sl] == '\0' || dirs[i][sl] == '/');
		bool dup = false;
		for (int j = 0; j < count; j++)
			dup = dup || strcmp(paths[j], dirs[i]) == 0;
		if (!inside && !dup && dirs[i][0] == '/')
			snprintf(paths[count++], PATH_MAX, "%s", dirs[i]);
	}
	buf[0] = '\0';
	if (!count)
		return;
	size_t used = (size_t)snprintf(buf, n,
				       DROPIN_MARK " (lectern.service has ProtectSystem=strict):\n"
				       "# where lectern writes outside " STATE_DIR ". A leading '-' "
				       "lets the service start\n# while a share or disk is not "
				       "mounted.\n[Service]\n");
	for (int i = 0; i < count && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "ReadWritePaths=-%s\n", paths[i]);
}

/* --- checks ---------------------------------------------------------------------------------- */

struct tally {
	int failed, warned;
};

static void say(struct tally *t, int verdict, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void say(struct tally *t, int verdict, const char *what, const char *fmt, ...)
{
	static const char *const word[] = {"ok  ", "FAIL", "warn", "skip"};
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	printf("%s %-9s %s\n", word[verdict], what, detail);
	if (verdict == 1)
		t->failed++;
	if (verdict == 2)
		t->warned++;
}

enum { OK, FAIL, WARN, SKIP };

static bool is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

static void check_calendar(const struct opts *o, const struct config *cfg_in, struct tally *t)
{
	/* Within CHECK_TIMEOUT_S, not [schedule] timeout_s (up to 600 s): a calendar server that
	 * never answers must not hold the installer for minutes. */
	struct config probe = *cfg_in;
	if (probe.schedule_timeout_s > CHECK_TIMEOUT_S)
		probe.schedule_timeout_s = CHECK_TIMEOUT_S;
	const struct config *cfg = &probe;
	int64_t now = (int64_t)time(NULL), to = now + (int64_t)cfg->lookahead_days * 86400;
	char why[512] = "";
	if (strcmp(cfg->schedule_source, "none") == 0) {
		say(t, SKIP, "calendar", "none configured ([schedule] source = none)");
		return;
	}
	if (strcmp(cfg->schedule_source, "ics") == 0) {
		char path[PATH_MAX];
		const char *ics = cfg->schedule_ics;
		if (!is_url(ics)) {
			if (!under_root(o, ics, path, sizeof path))
				return;
			ics = path;
		}
		struct occurrence_list list = {0};
		lt_err err = schedule_list(cfg, ics, now, to, &list, why, sizeof why);
		if (err == LT_OK)
			say(t, OK, "calendar", "%s: %zu session(s) in the next %d days",
			    cfg->schedule_ics, list.count, cfg->lookahead_days);
		else
			say(t, FAIL, "calendar", "%s", why[0] ? why : lt_strerror(err));
		occurrence_list_free(&list);
		return;
	}
	/* Opencast: the scheduler found through the registry, then this agent's calendar. */
	struct net_server srv;
	lt_err err = net_resolve(cfg, NET_ROLE_CALENDAR, &srv, why, sizeof why);
	if (err != LT_OK) {
		say(t, FAIL, "calendar", "%s", why);
		return;
	}
	struct opencast_conn conn = opencast_conn_of(&srv, CHECK_TIMEOUT_S, NULL);
	char scheduler[1024], url[2048];
	err = opencast_discover(&conn, OPENCAST_SCHEDULER_SERVICE, scheduler, sizeof scheduler, why,
				sizeof why);
	const char *agent = cfg->opencast_agent[0] ? cfg->opencast_agent : cfg->room;
	if (err == LT_OK)
		err = opencast_calendar_url(scheduler, agent, to * 1000, url, sizeof url);
	if (err != LT_OK) {
		say(t, FAIL, "calendar", "%s", why[0] ? why : lt_strerror(err));
		net_server_clear(&srv);
		return;
	}
	struct fetch_request req = {.url = url, .timeout_s = CHECK_TIMEOUT_S};
	opencast_prepare_request(&conn, &req);
	struct fetch_result res = {0};
	err = fetch_get(&req, &res);
	net_server_clear(&srv);
	if (err != LT_OK) {
		say(t, FAIL, "calendar", "%s", res.error[0] ? res.error : lt_strerror(err));
	} else {
		struct calendar *cal = NULL;
		char perr[256] = "";
		err = calendar_parse(res.body ? res.body : "", res.body_len, NULL, &cal, perr,
				     sizeof perr);
		if (err == LT_OK)
			say(t, OK, "calendar", "Opencast's calendar of agent %s fetched", agent);
		else
			say(t, FAIL, "calendar", "Opencast answered, but not with a calendar: %s",
			    perr);
		calendar_free(cal);
	}
	fetch_result_free(&res);
}

static ssize_t probe_read(void *user, char *buf, size_t n)
{
	const char **left = user;
	size_t len = strlen(*left);
	if (len > n)
		len = n;
	memcpy(buf, *left, len);
	*left += len;
	return (ssize_t)len;
}

/* WebDAV: write a small file at the share's top and delete it: reachable, credentials
 * accepted, and allowed to write, which is what uploads need. */
static void check_webdav(const struct config *cfg, struct tally *t)
{
	struct net_server srv;
	char why[512];
	if (net_resolve(cfg, NET_ROLE_UPLOAD, &srv, why, sizeof why) != LT_OK) {
		say(t, FAIL, "target", "%s", why);
		return;
	}
	struct net_conn *conn;
	if (net_conn_open(&srv, CHECK_TIMEOUT_S, NULL, &conn) != LT_OK) {
		net_server_clear(&srv);
		say(t, FAIL, "target", "out of memory");
		return;
	}
	char url[PATH_MAX + 64];
	size_t ul = strlen(srv.url);
	snprintf(url, sizeof url, "%s%s.lectern-provision-check", srv.url,
		 ul && srv.url[ul - 1] == '/' ? "" : "/");
	static const char probe_text[] = "lectern provision check\n";
	const char *left = probe_text;
	struct net_body body = {.read = probe_read, .user = &left, .size = sizeof probe_text - 1};
	struct net_request req = {.method = "PUT", .url = url, .body = &body};
	struct net_answer ans = {0};
	lt_err err = net_perform(conn, &req, &ans, why, sizeof why);
	long status = ans.status;
	net_answer_free(&ans);
	if (err != LT_OK) {
		say(t, FAIL, "target", "%s", why);
	} else if (status == 401) {
		say(t, FAIL, "target", "WebDAV %s refused the credentials of [upload] user %s "
		    "(HTTP %ld)", net_conn_host(conn), cfg->upload_user[0] ? cfg->upload_user : "(none)",
		    status);
	} else if (status == 403) {
		/* As the upload says it (upload.c): a password that was right is not the thing to
		 * change. */
		say(t, FAIL, "target", "WebDAV %s forbids PUT there (HTTP 403): the share is "
		    "read-only, or [upload] user may not write to it (ask IT)", net_conn_host(conn));
	} else if (status < 200 || status > 299) {
		say(t, FAIL, "target", "WebDAV %s did not take a test file (HTTP %ld)",
		    net_conn_host(conn), status);
	} else {
		struct net_request del = {.method = "DELETE", .url = url};
		struct net_answer dans = {0};
		net_perform(conn, &del, &dans, why, sizeof why);
		net_answer_free(&dans);
		say(t, OK, "target", "WebDAV %s accepts uploads%s%s", net_conn_host(conn),
		    cfg->upload_user[0] ? " as " : "", cfg->upload_user);
	}
	net_conn_close(conn);
	net_server_clear(&srv);
}

/* Opencast: the registry answers with these credentials and lists an ingest service and
 * capture-admin; the same check, in the same words, as `lectern doctor` (servercheck.h). */
static void check_opencast(const struct config *cfg, struct tally *t)
{
	struct servercheck sc;
	servercheck_opencast(cfg, NET_ROLE_UPLOAD, CHECK_TIMEOUT_S, &sc);
	for (int i = 0; i < sc.count; i++) {
		const struct servercheck_finding *f = &sc.findings[i];
		say(t, f->ok ? OK : FAIL, f->name, "%s", f->detail);
		if (!f->ok && f->hint[0])
			printf("     %-9s -> %s\n", "", f->hint);
	}
}

static void check_folder(const struct opts *o, const struct config *cfg, struct tally *t)
{
	char path[PATH_MAX];
	if (!under_root(o, cfg->upload_folder, path, sizeof path))
		return;
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		say(t, FAIL, "target", "folder %s is not there (not mounted?)", cfg->upload_folder);
	else if (access(path, W_OK) != 0)
		say(t, FAIL, "target", "folder %s is not writable here (%s)%s", cfg->upload_folder,
		    strerror(errno), geteuid() == 0 ? "" : "; the service writes as " SERVICE_USER);
	else
		say(t, OK, "target", "folder %s is writable", cfg->upload_folder);
}

static void check_all(const struct opts *o, const struct config *cfg, struct tally *t)
{
	if (config_unprovisioned(cfg))
		say(t, FAIL, "room", "still '%s': give --room NAME", cfg->room);
	else
		say(t, OK, "room", "%s", cfg->room);
	char why[PATH_MAX + 256], hash[PINHASH_MAX_LEN];
	/* The secret files' paths are already those under --root (load_text). */
	if (cfg->ui_pin_file[0]) {
		if (pinhash_read_file(cfg->ui_pin_file, hash, sizeof hash, why, sizeof why) == LT_OK)
			say(t, OK, "pin", "stored hashed in %s", cfg->ui_pin_file);
		else
			say(t, FAIL, "pin", "%s", why);
	} else if (config_pin_warning(cfg, why, sizeof why)) {
		bool sample = strcmp(cfg->ui_pin, PINHASH_SAMPLE_PIN) == 0;
		say(t, sample ? FAIL : WARN, "pin", "%s",
		    sample ? "still the sample 1234, which does not open settings: give --pin N"
			   : "kept in plain text in the configuration: give --pin N to hash it");
	} else {
		say(t, WARN, "pin", "none set: the settings screen stays locked");
	}
	if (o->no_check) {
		say(t, SKIP, "servers", "not contacted (--no-check)");
		return;
	}
	check_calendar(o, cfg, t);
	if (strcmp(cfg->upload_target, "webdav") == 0)
		check_webdav(cfg, t);
	else if (strcmp(cfg->upload_target, "opencast") == 0)
		check_opencast(cfg, t);
	else if (strcmp(cfg->upload_target, "folder") == 0)
		check_folder(o, cfg, t);
	else
		say(t, SKIP, "target", "none: recordings stay on this device");
}

/*
 * --calendar-user: the calendar must be a server whose account is [schedule]'s (net.h): an
 * http(s) calendar, or Opencast when the target is not Opencast with its own user (Opencast
 * is one server with one account, and then [upload]'s is the one sent). Said when not.
 */
static bool calendar_takes_account(const struct config *cfg)
{
	if (strcmp(cfg->schedule_source, "ics") == 0 && is_url(cfg->schedule_ics))
		return true;
	if (strcmp(cfg->schedule_source, "opencast") == 0) {
		if (strcmp(cfg->upload_target, "opencast") != 0 || !cfg->upload_user[0])
			return true;
		fprintf(stderr, "lectern: provision: the calendar is the target's Opencast, one "
				"server with one account: it uses [upload] user %s (give --user and "
				"--password-file, not --calendar-user)\n", cfg->upload_user);
		return false;
	}
	fprintf(stderr, "lectern: provision: --calendar-user needs a calendar server (--calendar "
			"https://...): %s\n", strcmp(cfg->schedule_source, "none") == 0
						  ? "no calendar is configured"
						  : "a calendar file needs no account");
	return false;
}

/* --- the command ---------------------------------------------------------------------------- */

/*
 * Dummy secrets for checking the configuration before the real files exist: memory files
 * named /proc/self/fd/N, so that nothing is written anywhere (--dry-run) and a killed run
 * leaves nothing behind; a directory under /tmp where /proc is not mounted (an image being
 * built in a bare chroot). `dir` is "" when the memory files are used; `fds` their fds.
 */
static bool dummy_file(char *path, size_t n, const char *data, int *fd)
{
	*fd = memfd_create("lectern-provision-dummy", MFD_CLOEXEC);
	if (*fd < 0)
		return false;
	size_t len = strlen(data);
	snprintf(path, n, "/proc/self/fd/%d", *fd);
	struct stat sb;
	if (fchmod(*fd, 0600) != 0 || write(*fd, data, len) != (ssize_t)len ||
	    stat(path, &sb) != 0) {
		close(*fd);
		*fd = -1;
		return false;
	}
	return true;
}

static bool make_dummies(char *dir, size_t n, char *secret, char *pin, size_t pn, int fds[2])
{
	char hash[PINHASH_MAX_LEN];
	if (pinhash_make("0000", PINHASH_MIN_ITER, hash, sizeof hash) != LT_OK)
		return false;
	strcat(hash, "\n");
	dir[0] = '\0';
	if (dummy_file(secret, pn, "x\n", &fds[0]) && dummy_file(pin, pn, hash, &fds[1]))
		return true;
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fds[0] = fds[1] = -1;
	snprintf(dir, n, "/tmp/lectern-provision-XXXXXX");
	if (!mkdtemp(dir))
		return false;
	snprintf(secret, pn, "%s/secret", dir);
	snprintf(pin, pn, "%s/pin", dir);
	return os_write_atomic(secret, "x\n", 2, 0600) == LT_OK &&
	       os_write_atomic(pin, hash, strlen(hash), 0600) == LT_OK;
}

static void remove_dummies(const char *dir, const char *secret, const char *pin, int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (!dir[0])
		return;
	unlink(secret);
	unlink(pin);
	rmdir(dir);
}

int cmd_provision(int argc, char **argv, const char *config_path)
{
	struct opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = check_args(&o)) != EXIT_OK)
		return rc;
	const char *conf = config_path && *config_path ? config_path : CONFIG_DEFAULT_PATH;
	if (conf[0] != '/') {
		fprintf(stderr, "lectern: provision: --config must be an absolute path\n");
		return EXIT_USAGE;
	}
	struct secrets sec;
	os_dirname(conf, sec.dir, sizeof sec.dir);
	if (strlen(sec.dir) > PATH_MAX - 32) {
		fprintf(stderr, "lectern: provision: --config path too long\n");
		return EXIT_USAGE;
	}
	snprintf(sec.password, sizeof sec.password, "%.*s/upload.password", PATH_MAX - 32, sec.dir);
	snprintf(sec.calendar_password, sizeof sec.calendar_password, "%.*s/calendar.password",
		 PATH_MAX - 32, sec.dir);
	snprintf(sec.pin, sizeof sec.pin, "%.*s/pin.hash", PATH_MAX - 32, sec.dir);
	char conf_path[PATH_MAX], dir_path[PATH_MAX], password_path[PATH_MAX], pin_path[PATH_MAX],
		dropin_path[PATH_MAX], cal_password_path[PATH_MAX];
	if (!under_root(&o, conf, conf_path, sizeof conf_path) ||
	    !under_root(&o, sec.dir, dir_path, sizeof dir_path) ||
	    !under_root(&o, sec.password, password_path, sizeof password_path) ||
	    !under_root(&o, sec.calendar_password, cal_password_path, sizeof cal_password_path) ||
	    !under_root(&o, sec.pin, pin_path, sizeof pin_path) ||
	    !under_root(&o, DROPIN_PATH, dropin_path, sizeof dropin_path))
		return EXIT_USAGE;

	/* The secrets first, so that a stalled stdin writes nothing; they live in memory only
	 * until their files are written. */
	char password[256] = "", cal_password[256] = "", pin[16] = "";
	bool have_password = o.password_file || o.password_stdin;
	if (have_password &&
	    !read_secret_line(o.password_file, "password", password, sizeof password))
		return EXIT_USAGE;
	if (o.calendar_password_file &&
	    !read_secret_line(o.calendar_password_file, "password", cal_password,
			      sizeof cal_password)) {
		explicit_bzero(password, sizeof password);
		return EXIT_USAGE;
	}
	if (o.pin_stdin) {
		if (!read_secret_line(NULL, "PIN", pin, sizeof pin) ||
		    check_pin(pin, "the PIN from stdin") != EXIT_OK) {
			explicit_bzero(password, sizeof password);
			explicit_bzero(cal_password, sizeof cal_password);
			explicit_bzero(pin, sizeof pin);
			return EXIT_USAGE;
		}
		o.pin = pin;
	}

	rc = EXIT_USAGE;
	struct inifile *doc = NULL;
	char *old_text = NULL, *new_text = NULL, *hash_line = NULL;
	size_t old_len = 0, new_len = 0;
	struct change_list changes = {0};
	struct staged staged[5] = {0}; /* password, PIN, drop-in, configuration, calendar's */
	char dummy_dir[64] = "", dummy_secret[PATH_MAX] = "", dummy_pin[PATH_MAX] = "";
	int dummy_fds[2] = {-1, -1};
	bool dummies = false;
	struct config cfg;
	struct owner own;
	owner_lookup(&o, &own);

	errno = 0;
	old_text = read_whole(conf_path, &old_len);
	if (!old_text && errno != ENOENT) {
		fprintf(stderr, "lectern: provision: cannot read %s: %s%s\n", conf_path,
			strerror(errno), errno == EFBIG ? " (more than 1 MB: not a configuration?)" : "");
		goto out;
	}
	if (old_text ? inifile_parse(old_text, old_len, &doc) != LT_OK : inifile_new(&doc) != LT_OK)
		goto out;
	if (!old_text) {
		static const char head[] = "# lectern.conf — written by lectern provision. Every key, "
					   "its default and meaning:\n#   lectern help config\n";
		inifile_free(doc);
		if (inifile_parse(head, sizeof head - 1, &doc) != LT_OK)
			goto out;
	}
	char room[sizeof cfg.room] = "";
	inifile_get(doc, "device", "room", room, sizeof room);
	if (!o.room && (!room[0] || strcmp(room, "Room") == 0)) {
		fprintf(stderr, "lectern: provision: this box has no room yet: give --room NAME\n");
		goto out;
	}
	struct edit e = {.doc = doc, .changes = &changes};
	if (!apply_options(&o, &e, &sec, have_password))
		goto out;
	new_text = inifile_text(doc, &new_len);
	if (!new_text)
		goto out;

	/* The new configuration must load before anything is written. */
	dummies = true;
	if (!make_dummies(dummy_dir, sizeof dummy_dir, dummy_secret, dummy_pin,
			  sizeof dummy_secret, dummy_fds)) {
		fprintf(stderr, "lectern: provision: cannot make temporary files: %s\n",
			strerror(errno));
		goto out;
	}
	if (!load_text(&o, new_text, new_len, conf, dummy_secret, dummy_pin, &cfg))
		goto out;
	if (o.calendar_user && !calendar_takes_account(&cfg))
		goto out;

	char dropin[2048], *old_dropin;
	size_t old_dropin_len = 0;
	dropin_text(&cfg, dropin, sizeof dropin);
	old_dropin = read_whole(dropin_path, &old_dropin_len);
	bool ours = old_dropin && strncmp(old_dropin, DROPIN_MARK, strlen(DROPIN_MARK)) == 0;
	bool dropin_changes = dropin[0] ? !old_dropin || strcmp(old_dropin, dropin) != 0
					: ours;
	if (old_dropin && !ours && dropin[0]) {
		fprintf(stderr, "lectern: provision: %s exists and was not written by lectern "
				"provision: add to it yourself:\n%s", dropin_path, dropin);
		dropin_changes = false;
	}
	free(old_dropin);

	bool config_changes = !old_text || old_len != new_len || memcmp(old_text, new_text, new_len);
	printf("%s %s%s\n", o.dry_run ? "Would change" : "Changes to", conf,
	       config_changes ? ":" : ": none");
	if (config_changes && changes.used)
		fputs(changes.text, stdout);
	if (have_password)
		printf("  %s: the password of [upload] user %s (0600%s)\n", sec.password, o.user,
		       own.chown ? ", owner " SERVICE_USER : "");
	if (o.calendar_user)
		printf("  %s: the password of [schedule] user %s (0600%s)\n", sec.calendar_password,
		       o.calendar_user, own.chown ? ", owner " SERVICE_USER : "");
	if (o.pin)
		printf("  %s: the PIN's hash (0600%s)\n", sec.pin,
		       own.chown ? ", owner " SERVICE_USER : "");
	if (dropin_changes)
		printf("  %s: %s\n", DROPIN_PATH,
		       dropin[0] ? "ReadWritePaths= where lectern writes outside " STATE_DIR
				 : "removed (no longer needed)");
	if (o.dry_run) {
		printf("Dry run: nothing written.\n");
		rc = EXIT_OK;
		goto out;
	}

	/*
	 * Write: every file staged first (a failure or a kill up to here changes nothing), then
	 * renamed: the secrets, the drop-in, and the configuration last, its rename being the
	 * moment the new settings exist.
	 */
	if (!make_dir(dir_path, 0750, &own)) {
		fprintf(stderr, "lectern: provision: nothing was written\n");
		rc = EXIT_STORAGE;
		goto out;
	}
	remove_stale_temps(conf_path);
	remove_stale_temps(password_path);
	remove_stale_temps(cal_password_path);
	remove_stale_temps(pin_path);
	remove_stale_temps(dropin_path);
	bool ok = true;
	if (have_password) {
		size_t pl = strlen(password);
		password[pl] = '\n';
		ok = stage(&staged[0], password_path, password, pl + 1, 0600, &own);
		explicit_bzero(password, sizeof password);
	}
	if (ok && o.calendar_user) {
		size_t pl = strlen(cal_password);
		cal_password[pl] = '\n';
		ok = stage(&staged[4], cal_password_path, cal_password, pl + 1, 0600, &own);
		explicit_bzero(cal_password, sizeof cal_password);
	}
	if (ok && o.pin) {
		double ms10k = 0;
		int iterations = o.root ? PINHASH_DEFAULT_ITER
					: pinhash_calibrate(PINHASH_TARGET_MS, &ms10k);
		if (iterations < PINHASH_DEFAULT_ITER / 4)
			iterations = PINHASH_DEFAULT_ITER / 4;
		hash_line = malloc(PINHASH_MAX_LEN + 1);
		if (!hash_line || pinhash_make(o.pin, iterations, hash_line, PINHASH_MAX_LEN) != LT_OK) {
			fprintf(stderr, "lectern: provision: the PIN could not be hashed\n");
			ok = false;
		} else {
			strcat(hash_line, "\n");
			ok = stage(&staged[1], pin_path, hash_line, strlen(hash_line), 0600, &own);
			printf("  PIN hashed with %d PBKDF2-SHA256 iterations%s\n", iterations,
			       o.root ? " (an image: the Raspberry Pi 4 estimate)" : "");
		}
	}
	char ddir[PATH_MAX];
	os_dirname(dropin_path, ddir, sizeof ddir);
	if (ok && dropin_changes && dropin[0])
		ok = make_dir(ddir, 0755, NULL) &&
		     stage(&staged[2], dropin_path, dropin, strlen(dropin), 0644, NULL);
	if (ok && config_changes)
		ok = stage(&staged[3], conf_path, new_text, new_len, 0644, NULL);
	if (ok)
		test_pause();
	/* The configuration (3) last: its rename is the moment the new settings exist. */
	static const int commit_order[] = {0, 4, 1, 2, 3};
	for (int i = 0; i < 5 && ok; i++)
		ok = stage_commit(&staged[commit_order[i]]);
	for (int i = 0; i < 5 && ok; i++)
		ok = stage_sync(&staged[commit_order[i]]);
	if (ok && dropin_changes && !dropin[0] && unlink(dropin_path) == 0)
		os_fsync_parent(dropin_path);
	if (!ok) {
		bool any = false;
		for (int i = 0; i < 5; i++)
			any = any || staged[i].renamed;
		fprintf(stderr, "lectern: provision: %s\n",
			any ? "some files were replaced, the configuration may not be: run it again"
			    : "nothing was written: the old files are in place");
		rc = EXIT_STORAGE;
		goto out;
	}
	if (dropin_changes && !o.root)
		printf("  run: sudo systemctl daemon-reload && sudo systemctl restart lectern\n");

	/* What works, from the files as written. */
	printf("Checks:\n");
	fflush(stdout);
	if (!load_text(&o, new_text, new_len, conf, NULL, NULL, &cfg)) {
		rc = EXIT_FAIL;
		goto out;
	}
	struct tally t = {0};
	say(&t, OK, "config", "%s loads", conf);
	check_all(&o, &cfg, &t);
	printf("%s\n", t.failed ? "Some checks failed: see above." : "All checks passed.");
	rc = t.failed ? EXIT_FAIL : EXIT_OK;
out:
	for (int i = 0; i < 5; i++)
		stage_abandon(&staged[i]);
	explicit_bzero(password, sizeof password);
	explicit_bzero(cal_password, sizeof cal_password);
	explicit_bzero(pin, sizeof pin);
	if (dummies)
		remove_dummies(dummy_dir, dummy_secret, dummy_pin, dummy_fds);
	inifile_free(doc);
	free(old_text);
	free(new_text);
	free(hash_line);
	return rc;
}
