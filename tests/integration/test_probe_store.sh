#!/bin/bash
# Holes an outside probe found in "never lose a session" (issue 9), as a hostile room would:
#  - the database lost and a read-only command (a monitoring script's `lectern queue`) the first
#    to open the data directory: it created an empty store, and the next `lectern upload` or
#    `run` never rebuilt it from the spool (only a missing or damaged file did), so every
#    recording waiting for upload was forgotten;
#  - a rebuild cut short by kill -9 was never finished: the rows not yet restored were forgotten;
#  - a sidecar in the spool is believed blindly: its "path" delivered any file the service can
#    read (a password file) to the share, its "uid" wrote a sidecar outside the spool;
#  - two configurations with their own data directories and one spool: the second recovered
#    the first's live recording (end-of-stream mid-file) and delivered a cut copy.
source "$(dirname "$0")/../lib/common.sh"

WAV="$T/speech.wav"
sox -t raw -r 48000 -e signed -b 16 -c 1 "$(speech_raw 20)" "$WAV"
mkdir -p "$T/share"
lectern_config "$T/lectern.conf" "[upload]" "target = folder" "folder = $T/share"
sed -i "s|^source = alsa$|source = file\nfile = $WAV|" "$T/lectern.conf"
L() { "$LECTERN" --config "$T/lectern.conf" "$@"; }
DB="$T/data/lectern.db"
SPOOL="$T/data/spool"
delivered() { find "$T/share" -name '*.opus' | wc -l; }

# --- the database lost, a read-only command first ---------------------------------------------
L record --seconds 1 --title "waiting" >/dev/null 2>"$T/rec1.err"
rm -f "$DB" "$DB-wal" "$DB-shm"
L queue >/dev/null 2>&1
L upload --once >"$T/up1.out" 2>"$T/up1.err"
check "database lost, \`lectern queue\` first: the next upload still delivers what waited" \
	test "$(delivered)" -eq 1

# --- a rebuild cut short by kill -9 -----------------------------------------------------------
rm -rf "$T/share"/* "$SPOOL"/* "$DB" "$DB-wal" "$DB-shm"
L record --seconds 1 --title "model" >/dev/null 2>>"$T/rec1.err"
model=$(basename "$(ls "$SPOOL"/*.json)" .json)
N=1500
for i in $(seq 1 $N); do
	u=$(printf 'copy-%05d' "$i")
	cp "$SPOOL/$model.opus" "$SPOOL/$u.opus"
	sed "s/$model/$u/g" "$SPOOL/$model.json" >"$SPOOL/$u.json"
done
rm -f "$SPOOL/$model.opus" "$SPOOL/$model.json" "$DB" "$DB-wal" "$DB-shm"
# Killed as soon as the first rows are back (stderr is unbuffered: the line is written as the
# rebuild goes on).
coproc REB { exec "$LECTERN" --config "$T/lectern.conf" record --seconds 1 2>&1; }
rebuild_pid=$REB_PID
CHILDREN+=($rebuild_pid)
while IFS= read -r -t 20 line <&"${REB[0]}"; do
	case $line in *"rebuilt from the spool: queued"*) kill -9 $rebuild_pid; break ;; esac
done
wait $rebuild_pid 2>/dev/null
before=$(sqlite3 "$DB" "select count(*) from recordings where uid like 'copy-%'")
echo "# the rebuild was cut after $before of $N rows"
L record --seconds 1 >/dev/null 2>"$T/rec2.err"
check "a rebuild cut short by kill -9 is finished at the next start ($before of $N before)" \
	test "$(sqlite3 "$DB" "select count(*) from recordings where uid like 'copy-%'")" -eq $N

# --- a hostile sidecar -------------------------------------------------------------------------
rm -rf "$T/share"/* "$SPOOL"/* "$DB" "$DB-wal" "$DB-shm"
echo "password=hunter2" >"$T/secret.txt"
chmod 600 "$T/secret.txt"
sha=$(sha256sum "$T/secret.txt" | cut -d' ' -f1)
mkdir -p "$T/outside/a/b"
cat >"$SPOOL/evil.json" <<JSON
{"lectern_sidecar":1,"uid":"../../evil","path":"$T/secret.txt","state":"queued","title":"x",
 "room":"Test Room","started_ms":1796019403956,"ended_ms":1796019404956,"samples":48000,
 "bytes":$(stat -c %s "$T/secret.txt"),"sha256":"$sha"}
JSON
cp "$SPOOL/evil.json" "$SPOOL/evil2.json"
sed -i 's|"uid":"../../evil"|"uid":"evil2"|' "$SPOOL/evil2.json"
# ... and one whose audio in the spool is a symbolic link to it
ln -s "$T/secret.txt" "$SPOOL/link.opus"
sed "s|\"uid\":\"evil2\"|\"uid\":\"link\"|; s|$T/secret.txt|$SPOOL/link.opus|" \
	"$SPOOL/evil2.json" >"$SPOOL/link.json"
L upload --once >"$T/up3.out" 2>"$T/up3.err"
check "a sidecar naming a file that is not a recording (or a link to it): never delivered" \
	bash -c "! grep -rqs hunter2 '$T/share'"
check "a sidecar whose uid climbs out of the spool writes nothing outside it" \
	bash -c "test -z \"\$(find '$T' -name 'evil.json' ! -path '$SPOOL/*')\""

# --- two data directories, one spool -----------------------------------------------------------
rm -rf "$T/share"/* "$SPOOL"/* "$DB" "$DB-wal" "$DB-shm"
mkdir -p "$T/spool"
for x in a b; do
	lectern_config "$T/$x.conf" "[upload]" "target = folder" "folder = $T/share"
	sed -i "s|^data_dir = .*|data_dir = $T/data-$x\nspool_dir = $T/spool|" "$T/$x.conf"
done
fifo="$T/mic.fifo"
mkfifo "$fifo"
pv -q -L 96000 "$(speech_raw 20)" >"$fifo" &
CHILDREN+=($!)
ALSA_CONFIG_PATH=$(alsa_conf "$fifo") "$LECTERN" --config "$T/a.conf" record --title live \
	>"$T/a.out" 2>"$T/a.err" &
rec_pid=$!
CHILDREN+=($rec_pid)
wait_for 10 "[ \"\$(sqlite3 '$T/data-a/lectern.db' 'select count(*) from recordings')\" = 1 ]"
sleep 1.5
timeout -s TERM 4 "$LECTERN" --config "$T/b.conf" run --headless >"$T/b.out" 2>"$T/b.err"
rc=$?
check "a second configuration sharing the spool is refused (exit $rc)" test $rc -eq 5
sleep 1
kill -INT $rec_pid
wait $rec_pid
check "... and the first one's recording is one clean stream" \
	bash -c "opusinfo '$T'/spool/*.opus >'$T/live.info' 2>&1 && ! grep -qi 'illegal\|sequence\|EOS not set' '$T/live.info'"
check "... never delivered cut short by the second" test "$(delivered)" -eq 0
