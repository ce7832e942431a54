# lectern — one Makefile. `make run` and `make test` are the two commands in README.md;
# both install what they miss (board/deps.sh) and then build with a fresh make, so that
# pkg-config sees the libraries they just installed.

VERSION := 0.1.0
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

# Where `make install` puts the screen's plugin and `lectern run` looks for it.
LIBDIR ?= /usr/lib/lectern

# The core (every command) and the screen (the plugin only: no command links SDL).
CORE_PKGS := alsa opus opusfile libopusenc ogg sqlite3 inih libsystemd libical libcurl json-c \
	libxml-2.0 libcrypto nettle libv4l2 libgpiod zbar
SCREEN_PKGS := sdl2 SDL2_ttf libpng libqrencode fribidi
CORE_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS := $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null)
SCREEN_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(SCREEN_PKGS) 2>/dev/null)
SCREEN_LIBS := $(shell $(PKG_CONFIG) --libs $(SCREEN_PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
override CFLAGS += -std=c11 $(WARN) -D_GNU_SOURCE -Iinclude $(CORE_CFLAGS) -DLECTERN_VERSION='"$(VERSION)"' \
	-MMD -MP
LDLIBS += $(CORE_LIBS) -lm -lpthread

# The appliance's modules, explicit so that nothing half-finished sneaks into the link, by
# layer (README "Layout"; each includes only the layers above it in this list). All but the
# two front ends' mains make the core library that the commands, `lectern run` and the tests
# link.
FIRMWARE := base/err base/log base/osutil base/sharedir base/utf8 base/urltpl base/config \
	base/signals base/jsonout base/csvout base/worker base/pinfile base/pinhash base/inifile \
	net/net net/fetch net/opencast net/servercheck \
	store/store store/store_impl store/store_checkin store/store_reports \
	store/store_sessions store/spoolmeta store/checkinlog store/retention \
	recording/ring recording/level recording/oggopus recording/recorder recording/session \
	recording/recovery \
	schedule/calendar schedule/schedule \
	checkin/roster checkin/attendance checkin/qr checkin/badge \
	upload/upload upload/upload_opencast upload/upload_attendance upload/ocagent \
	appliance/app appliance/app_audio appliance/controller appliance/kiosk appliance/kiosk_view \
	appliance/kiosk_events appliance/kiosk_sessions appliance/kiosk_settings \
	appliance/kiosk_scan appliance/monitor appliance/screen appliance/screen_null \
	appliance/health \
	cli/cmd_record cli/cmd_run cli/cmd_misc cli/cmd_schedule cli/cmd_upload cli/cmd_queue \
	cli/cmd_provision cli/cmd_doctor cli/cmd_status cli/cmd_attendance cli/cmd_stats cli/cli
DRIVERS := audio_source audio_alsa audio_file backlight camera camera_v4l2 camera_file gpio \
	gpio_gpiod gpio_file
LIB_OBJS := $(FIRMWARE:%=$(BUILD)/firmware/%.o) $(DRIVERS:%=$(BUILD)/drivers/%.o)
LIB := $(BUILD)/liblectern.a
# Three front ends, one command (cli.h): `lectern` links the light commands (version, help,
# record, recordings, queue, retry, config, attendance, stats) and execs a sibling in its own
# directory for the others: lectern-upload for upload, lectern-net for run, schedule,
# provision, status and doctor. Each links from the archive only the objects its commands
# reach, and --as-needed keeps out the shared libraries none of them calls: libcurl, libical,
# libxml2 (with ICU and libstdc++) and libsystemd are never loaded by `lectern`, which makes
# its start-up and `record`'s memory those of the libraries it uses; libical, alsa-lib, zbar
# (with X11) and libsystemd are never loaded by lectern-upload. One lookup rule (next to
# itself) serves the build tree, the installed system and a DESTDIR alike.
BIN := $(BUILD)/lectern
NET_BIN := $(BUILD)/lectern-net
UPLOAD_BIN := $(BUILD)/lectern-upload
BINDIR ?= /usr/bin
FRONT_LDFLAGS := -Wl,--as-needed
# ui/ holds only the SDL screen (one module a file), all of it in the plugin that `lectern run`
# loads (screen.h). It exports one symbol and needs none from the executable.
# It compiles the one shared base module it uses, firmware/base/utf8.c, into itself.
UI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard ui/*.c)) $(BUILD)/ui/utf8.o
PLUGIN := $(BUILD)/lectern-screen-sdl.so

UNIT_TESTS := ring level config store state oggopus recorder controller net fetch opencast \
	upload ui kiosk kiosk_view sessions camera calendar spoolmeta retention worker links \
	pinhash inifile gpio health attendance delivery qr badge sharedir utf8
UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/tests/unit/test_%)

RUN_CONFIG ?= board/pc/lectern.conf

# libFuzzer targets (tests/fuzz/fuzz_NAME.c), one for every parser of outside input. Each is
# built by one clang command from its own file and the firmware modules it lists below.
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Iinclude \
	$(CORE_CFLAGS)
FUZZ_TARGETS := calendar config registry mediapackage properties http roster badge
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SECONDS ?= 300

.PHONY: all run test check unit asan bench drills fuzz difftest install clean deps format

all: $(BIN) $(NET_BIN) $(UPLOAD_BIN) $(PLUGIN)

$(BIN): $(BUILD)/firmware/cli/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $(FRONT_LDFLAGS) -o $@ $^ $(LDLIBS)

$(NET_BIN): $(BUILD)/firmware/cli/main_net.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $(FRONT_LDFLAGS) -o $@ $^ $(LDLIBS)

$(UPLOAD_BIN): $(BUILD)/firmware/cli/main_upload.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $(FRONT_LDFLAGS) -o $@ $^ $(LDLIBS)

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The installed directory is compiled into the loader only.
$(BUILD)/firmware/appliance/screen.o: override CFLAGS += -DLECTERN_LIBDIR='"$(LIBDIR)"'
$(UI_OBJS): override CFLAGS += $(SCREEN_CFLAGS) -fPIC -fvisibility=hidden
$(BUILD)/ui/utf8.o: firmware/base/utf8.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(PLUGIN): $(UI_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,--no-undefined -Wl,-soname,$(@F) -o $@ $^ \
		$(SCREEN_LIBS) -lm

$(BUILD)/tests/unit/test_%: tests/unit/test_%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $$($(PKG_CONFIG) --cflags cmocka) -o $@ $< $(LIB) $(LDLIBS) \
		$$($(PKG_CONFIG) --libs cmocka)

# The screenshot tests draw with ui/ itself, linked in.
$(BUILD)/tests/unit/test_ui: tests/unit/test_ui.c $(UI_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SCREEN_CFLAGS) -Iui $$($(PKG_CONFIG) --cflags cmocka) -o $@ $< \
		$(UI_OBJS) $(LIB) $(LDLIBS) $(SCREEN_LIBS) $$($(PKG_CONFIG) --libs cmocka)

# Tools the integration tests drive the firmware's modules with (tests/tools/*.c).
TEST_TOOLS := $(BUILD)/tests/tools/checkin
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

unit: $(UNIT_BINS) $(TEST_TOOLS)

# Benchmark programs (tests/bench/*.c): the screen's timing links ui/ as test_ui does.
$(BUILD)/tests/bench/qr_bench: tests/bench/qr_bench.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/bench/ui_bench: tests/bench/ui_bench.c $(UI_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SCREEN_CFLAGS) -Iui -o $@ $< $(UI_OBJS) $(LIB) $(LDLIBS) $(SCREEN_LIBS)

$(BUILD)/fuzz/fuzz_calendar: firmware/schedule/calendar.c firmware/base/log.c firmware/base/err.c \
	firmware/base/osutil.c firmware/base/utf8.c
$(BUILD)/fuzz/fuzz_config: firmware/base/config.c firmware/base/log.c firmware/base/err.c \
	firmware/base/urltpl.c firmware/base/utf8.c
$(BUILD)/fuzz/fuzz_registry $(BUILD)/fuzz/fuzz_mediapackage $(BUILD)/fuzz/fuzz_properties \
$(BUILD)/fuzz/fuzz_http: firmware/net/opencast.c firmware/net/fetch.c firmware/net/net.c \
	firmware/base/config.c firmware/base/log.c firmware/base/err.c firmware/base/utf8.c \
	firmware/base/urltpl.c
$(BUILD)/fuzz/fuzz_roster: firmware/checkin/roster.c firmware/base/log.c firmware/base/utf8.c \
	firmware/base/osutil.c firmware/base/err.c
$(BUILD)/fuzz/fuzz_badge: firmware/checkin/badge.c firmware/base/utf8.c
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard include/lectern/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^) $(CORE_LIBS)

# Longer fuzzing than `make test` gives it: FUZZ_SECONDS for each target, one after the other.
# Corpora, crash files and logs stay in $(BUILD)/fuzz/NAME/.
fuzz: $(FUZZ_BINS)
	LECTERN_BIN=$(BIN) BUILD=$(abspath $(BUILD)) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		bash tests/integration/test_fuzz.sh

# The calendar against recurring_ical_events on thousands of generated calendars (make test
# runs 300); DIFF_SEED picks another set.
DIFF_COUNT ?= 5000
difftest: all
	board/deps.sh test
	DIFF_COUNT=$(DIFF_COUNT) LECTERN_BIN=$(BIN) BUILD=$(BUILD) bash tests/integration/test_calendar_diff.sh

# The demo microphone for `make run` on a machine without one: a spoken sample.
$(BUILD)/demo.wav:
	@mkdir -p $(@D)
	espeak-ng -w $(BUILD)/demo-voice.wav "Welcome to the brown bag. This is lectern's \
	demo microphone, standing in because no microphone is plugged in."
	sox $(BUILD)/demo-voice.wav -r 48000 -c 1 -b 16 $@ pad 0 1
	rm -f $(BUILD)/demo-voice.wav

# The demo's share (board/pc/lectern.conf's [upload] folder) is made here, as IT staff make and
# mount a real one: lectern never makes the folder itself, only ROOM/YYYY/MM inside it.
run:
	board/deps.sh build run
	$(MAKE) --no-print-directory all $(BUILD)/demo.wav
	mkdir -p build/run/delivered
	LECTERN_SCREEN=$(abspath $(PLUGIN)) $(BIN) --config $(RUN_CONFIG) run

test:
	board/deps.sh build test
	$(MAKE) --no-print-directory check

# The suite without the dependency step (CI and developers who have them).
check: all unit $(FUZZ_BINS)
	LECTERN_BIN=$(BIN) BUILD=$(BUILD) SANITIZER_LOGS=$(SANITIZER_LOGS) tests/run.sh

# Sanitizer build of everything, then the whole suite against it.
asan:
	board/deps.sh build test
	$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" \
		SANITIZER_LOGS=$(CURDIR)/build-asan/sanitizer check

bench:
	board/deps.sh build bench
	$(MAKE) --no-print-directory all $(BUILD)/tests/bench/ui_bench $(BUILD)/tests/bench/qr_bench
	LECTERN_BIN=$(BIN) BUILD=$(BUILD) tests/bench/run.sh

# The kill drills at full length (DRILL_KILLS kill points each; DRILL_SEED replays a draw),
# with the figures for BENCHMARKS.md on the "# figures:" lines. `make test` runs 4 of each.
DRILL_KILLS ?= 20
drills:
	board/deps.sh build test
	$(MAKE) --no-print-directory all
	LECTERN_BIN=$(BIN) BUILD=$(BUILD) DRILL_KILLS=$(DRILL_KILLS) LECTERN_TEST_ROOT=$(CURDIR)/tests \
		timeout 1200 bash tests/integration/test_drills.sh | tee $(BUILD)/drills.log
	grep -q '^# drills: done' $(BUILD)/drills.log && ! grep -q '^not ok' $(BUILD)/drills.log

# --- install and the Debian package -------------------------------------------------------
# One list, INSTALL_FILES (MODE:SOURCE:DESTINATION), serves both: `make deb` is `make install`
# into $(BUILD)/deb/root plus DEBIAN/ (board/deb/mkdeb.sh), so the package holds exactly what
# `make install` installs. Paths are Debian 12's (/lib for systemd and udev). BOARD names the
# board profiles to install (default: all; the package has all). The service user and
# /etc/lectern's group are the package's postinst; after `make install` on a live system run
# `sudo board/deb/postinst configure`. A configuration already there is kept.
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
UDEVDIR ?= /lib/udev/rules.d
MANDIR ?= /usr/share/man
DATADIR ?= /usr/share/lectern
BOARD ?= pc rpi4-touch7 rpi5
# A board profile: its drop-in config, README, asound.conf, udev rules, unit drop-ins (not
# pc/'s `make run` demo files).
board_files = $(wildcard board/$(1)/board.conf board/$(1)/README.md board/$(1)/asound.conf \
	board/$(1)/udev/*.rules board/$(1)/lectern.service.d/*.conf)
MAN_PAGES := $(BUILD)/man/lectern.1.gz $(BUILD)/man/lectern.conf.5.gz
INSTALL_FILES := 0755:$(BIN):$(BINDIR)/lectern \
	0755:$(NET_BIN):$(BINDIR)/$(notdir $(NET_BIN)) \
	0755:$(UPLOAD_BIN):$(BINDIR)/$(notdir $(UPLOAD_BIN)) \
	0644:$(PLUGIN):$(LIBDIR)/$(notdir $(PLUGIN)) \
	0644:board/lectern.conf:$(SYSCONFDIR)/lectern/lectern.conf \
	0644:$(BUILD)/pkg/lectern.service:$(UNITDIR)/lectern.service \
	0644:board/99-lectern-backlight.rules:$(UDEVDIR)/99-lectern-backlight.rules \
	0644:$(BUILD)/man/lectern.1.gz:$(MANDIR)/man1/lectern.1.gz \
	0644:$(BUILD)/man/lectern.conf.5.gz:$(MANDIR)/man5/lectern.conf.5.gz \
	$(foreach b,$(BOARD),$(foreach f,$(call board_files,$(b)),\
		0644:$(f):$(DATADIR)/boards/$(patsubst board/%,%,$(f))))
DEB_ARCH = $(shell dpkg --print-architecture)
DEB = $(BUILD)/lectern_$(VERSION)_$(DEB_ARCH).deb
# The manual's date and the package's file times: the last commit's, so that two builds of
# one commit are equal.
DATE_EPOCH = $${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || date +%s)}

.PHONY: deb man
man: $(MAN_PAGES)

$(BUILD)/man/lectern.1.gz: board/man/lectern.1.scd
	@mkdir -p $(@D)
	SOURCE_DATE_EPOCH=$(DATE_EPOCH) scdoc <$< | gzip -9n >$@
# lectern.conf(5)'s key reference is the sample config (generated from the option table).
$(BUILD)/man/lectern.conf.5.gz: board/man/lectern.conf.5.scd board/man/conf2scd.awk board/lectern.conf
	@mkdir -p $(@D)
	awk -f board/man/conf2scd.awk board/lectern.conf >$(BUILD)/man/keys.scd
	awk -v keys=$(BUILD)/man/keys.scd '$$0 == "@KEYS@" { while ((getline l <keys) > 0) print l; \
		next } { print }' $< | SOURCE_DATE_EPOCH=$(DATE_EPOCH) scdoc | gzip -9n >$@
# The unit names the installed binary (made again each time: BINDIR may differ).
.PHONY: $(BUILD)/pkg/lectern.service
$(BUILD)/pkg/lectern.service: board/lectern.service
	@mkdir -p $(@D)
	sed 's|/usr/bin/lectern |$(BINDIR)/lectern |' $< >$@

install: all $(MAN_PAGES) $(BUILD)/pkg/lectern.service
	@set -e; umask 022; for f in $(INSTALL_FILES); do \
		mode=$${f%%:*}; rest=$${f#*:}; src=$${rest%%:*}; dst="$(DESTDIR)$${rest#*:}"; \
		case $$dst in "$(DESTDIR)$(SYSCONFDIR)"/*) if [ -e "$$dst" ]; then \
			echo "keeping $$dst (the sample is $$src)"; continue; fi ;; esac; \
		echo "install -D -m $$mode $$src '$$dst'"; install -D -m $$mode "$$src" "$$dst"; \
	done
	chmod 0750 "$(DESTDIR)$(SYSCONFDIR)/lectern"

deb: all $(MAN_PAGES) $(BUILD)/pkg/lectern.service
	rm -rf $(BUILD)/deb
	@# (the shell's pwd, not make's abspath: a checkout path may hold spaces)
	$(MAKE) --no-print-directory install DESTDIR="$$(mkdir -p '$(BUILD)/deb/root' && cd '$(BUILD)/deb/root' && pwd)" >/dev/null
	SOURCE_DATE_EPOCH=$(DATE_EPOCH) board/deb/mkdeb.sh '$(BUILD)/deb/root' $(VERSION) $(DEB_ARCH) '$(DEB)'

format:
	clang-format -i firmware/*/*.c drivers/*.c ui/*.c include/lectern/*.h tests/unit/*.c

clean:
	rm -rf build build-asan build-dev

-include $(shell find $(BUILD) -type f -name '*.d' 2>/dev/null)
