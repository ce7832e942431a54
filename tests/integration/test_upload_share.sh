#!/bin/bash
# The folder target's share is the organisation's, mounted on the box (CIFS, NFS, a USB disk):
# lectern never creates the folder itself, and refuses a folder under an fstab mount point that
# is not mounted. Otherwise a copy "delivered" onto the card under the bare mount point would be
# marked uploaded, pruned from the spool, and hidden when the share came back: lost. A missing
# folder or a bare mount point: nothing delivered, nothing written there, the job queued with
# the sentence `lectern queue` shows; mounted: delivered. `lectern doctor` fails with the same
# sentence and creates nothing. The tables are the test's own (LECTERN_TEST_FSTAB,
# LECTERN_TEST_MOUNTS): a test cannot mount anything.
source "$(dirname "$0")/../lib/common.sh"

SPEECH=$(speech_raw 10)
export ALSA_CONFIG_PATH=$(alsa_conf "$SPEECH")
export LECTERN_TEST_FSTAB="$T/fstab" LECTERN_TEST_MOUNTS="$T/mounts"
printf '/dev/mmcblk0p2 / ext4 defaults,noatime 0 1\n' >"$T/fstab"
printf '/dev/mmcblk0p2 / ext4 rw,noatime 0 0\nproc /proc proc rw 0 0\n' >"$T/mounts"

record() { # CONFIG TITLE
	"$LECTERN" --config "$1" record --seconds 2 --title "$2" >/dev/null 2>&1
}
# upload CONFIG NAME: one pass, ignoring the backoff; its exit code in $T/NAME.rc
upload() {
	"$LECTERN" --config "$1" upload --once >"$T/$2.out" 2>"$T/$2.err"
	echo $? >"$T/$2.rc"
}
# doctor_server CONFIG NAME: `lectern doctor --json`'s server check as "status|detail"
doctor_server() {
	"$LECTERN" --config "$1" doctor --json >"$T/$2.json" 2>"$T/$2.err"
	/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(next((c["status"] + "|" + c["detail"] for c in d["checks"] if c["name"] == "server"), "missing"))' \
		"$T/$2.json" 2>/dev/null || echo unparsable
}

# The folder does not exist --------------------------------------------------------------------
NAS="$T/nas/recordings"
MISSING="the upload folder $NAS does not exist: is the share mounted? (lectern creates only the folders inside it)"
lectern_config "$T/missing.conf" "[upload]" "target = folder" "folder = $NAS" "backoff_min_s = 60"
record "$T/missing.conf" "Talk to a missing share"
upload "$T/missing.conf" missing
check "missing folder: upload --once exits 1, nothing delivered" \
	bash -c "test \$(cat '$T/missing.rc') -eq 1 && grep -q '^0 uploaded, 1 failed' '$T/missing.out'"
check "missing folder: the job is queued again, with a later attempt" \
	test "$(sql "select state||'|'||attempts||'|'||(next_attempt_ms > updated_ms + 25000)||'|'||uploaded_ms from recordings")" = "queued|1|1|0"
check "missing folder: lectern queue says why, naming the folder" \
	bash -c "'$LECTERN' --config '$T/missing.conf' queue | grep -qF '$MISSING'"
check "missing folder: neither it nor its parent was created" test ! -e "$T/nas"
check "missing folder: the local file is kept and whole" opusinfo "$(sql "select path from recordings")"
check "missing folder: doctor fails the server check with the same sentence" \
	test "$(doctor_server "$T/missing.conf" missing-doctor)" = "fail|$MISSING"
check "missing folder: doctor created nothing" test ! -e "$T/nas"
# made by IT staff (the share mounted): delivered into ROOM/YYYY/MM inside it
mkdir -p "$NAS"
upload "$T/missing.conf" made
check "the folder made: the waiting job is delivered inside it" \
	bash -c "test \$(cat '$T/made.rc') -eq 0 && test \"\$(sqlite3 '$T/data/lectern.db' 'select state from recordings')\" = uploaded && \
	ls '$NAS/Test Room/$(date +%Y/%m)/'*.opus"

# The mount point is in fstab and is there, but nothing is mounted on it -----------------------
rm -rf "$T/data"
SHARE="$T/mnt/share"
mkdir -p "$SHARE" # the empty mount point, on the card
printf '//nas.example.org/recordings %s cifs credentials=/etc/lectern/nas,_netdev,nofail 0 0\n' \
	"$SHARE" >>"$T/fstab"
BARE="the share $SHARE (in $T/fstab) is not mounted"
lectern_config "$T/share.conf" "[upload]" "target = folder" "folder = $SHARE" "backoff_min_s = 60"
lectern_config "$T/inside.conf" "[upload]" "target = folder" "folder = $SHARE/lectern" \
	"backoff_min_s = 60"
record "$T/share.conf" "Talk to a bare mount point"
upload "$T/share.conf" bare
check "bare mount point: upload --once exits 1, nothing delivered" \
	bash -c "test \$(cat '$T/bare.rc') -eq 1 && grep -q '^0 uploaded, 1 failed' '$T/bare.out'"
check "bare mount point: the job is queued again, with a later attempt" \
	test "$(sql "select state||'|'||attempts||'|'||(next_attempt_ms > updated_ms + 25000)||'|'||uploaded_ms from recordings")" = "queued|1|1|0"
check "bare mount point: lectern queue says the share is not mounted" \
	bash -c "'$LECTERN' --config '$T/share.conf' queue | grep -qF '$BARE'"
check "bare mount point: nothing was written into it" test -z "$(ls -A "$SHARE")"
check "bare mount point: doctor fails the server check with the same sentence" \
	test "$(doctor_server "$T/share.conf" bare-doctor)" = "fail|$BARE"
# a folder inside the share is the same share, whether or not it exists on the card
upload "$T/inside.conf" inside
check "a folder inside the bare mount point: not delivered, the same sentence, nothing written" \
	bash -c "test \$(cat '$T/inside.rc') -eq 1 && \
	sqlite3 '$T/data/lectern.db' 'select last_error from recordings' | grep -qF '$BARE' && \
	test -z \"\$(ls -A '$SHARE')\""
check "a folder inside the bare mount point: doctor fails and creates nothing" \
	bash -c "test \"\$(sed 's/|.*//' <<<'$(doctor_server "$T/inside.conf" inside-doctor)')\" = fail && test -z \"\$(ls -A '$SHARE')\""
check "the local file is still in the spool" opusinfo "$(sql "select path from recordings")"

# Mounted (the mount table lists it): delivered --------------------------------------------------
printf '//nas.example.org/recordings %s cifs rw,relatime,vers=3.1.1 0 0\n' "$SHARE" >>"$T/mounts"
check "mounted: doctor's server check passes" \
	test "$(doctor_server "$T/share.conf" mounted-doctor)" = "pass|upload folder $SHARE is writable"
upload "$T/share.conf" mounted
src=$(sql "select path from recordings")
dst=$(sql "select remote from recordings")
check "mounted: delivered byte-identical into ROOM/YYYY/MM on the share" \
	bash -c "test \$(cat '$T/mounted.rc') -eq 0 && cmp '$src' '$dst' && \
	[[ '$dst' == '$SHARE/Test Room/'$(date +%Y/%m)/*.opus ]]"
check "mounted: the confirmation is stored" \
	test "$(sql "select state||'|'||(uploaded_ms > 0) from recordings")" = "uploaded|1"
