#!/bin/bash
# gen_qr_frames.sh OUTDIR [quick|full]: 640x480 camera frames of QR badges, made at test time
# with qrencode and ImageMagick (nothing binary is committed), for tests/unit/test_qr.c,
# tests/integration/test_qr.sh and the QR figures of make bench.
#
#   OUTDIR/payloads/NAME.bin   the exact bytes encoded in each code
#   OUTDIR/frames/NAME-T.pgm   a frame of code NAME under transform T (some are .ppm: colour)
#   OUTDIR/frames.tsv          one line per frame: FILE<TAB>NAME<TAB>T
#
# quick: 4 transforms a code (plain, rotated, blurred, noisy); full: 10, harder ones too
# (small modules, 3 rotations, blur with noise, low contrast, colour on a tinted background).
set -eu
out=$1
set=${2:-quick}
mkdir -p "$out/payloads" "$out/frames" "$out/tmp"
P=$out/payloads

# The codes: what badges carry, and what people hold up instead.
printf '%s' 'ada@example.org' >"$P/email.bin"
printf '%s' 'B-0042' >"$P/badge.bin"
printf '%s' 'MECARD:N:Lovelace,Ada;EMAIL:ada.lovelace@example.org;;' >"$P/mecard.bin"
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\nFN:Grace\r\n  Hopper\r\nEMAIL;TYPE=INTERNET:grace@example.org\r\nEND:VCARD\r\n' >"$P/vcard.bin"
printf '%s' 'MECARD:N:Ångström,Zoë;EMAIL:zoe@example.org;;' >"$P/utf8.bin"
printf '%s' 'WIFI:S:office;T:WPA;P:hunter2;;' >"$P/garbage.bin"
printf '%s' 'https://example.org/agenda' >"$P/url.bin"
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01' >"$P/binary.bin"
printf 'MECARD:N:Zo\xeb;;' >"$P/latin1.bin"
{ printf 'BEGIN:VCARD\nFN:Ada Lovelace\nNOTE:'; head -c 600 /dev/zero | tr '\0' x; printf '\nEND:VCARD\n'; } >"$P/overlong.bin"

case $set in
quick) transforms="plain rot15 blur noise" ;;
full) transforms="plain small large rot15 rot90 rot200 blur noise hard contrast colour" ;;
*) echo "gen_qr_frames.sh: set must be quick or full" >&2; exit 2 ;;
esac

: >"$out/frames.tsv"
for bin in "$P"/*.bin; do
	name=$(basename "$bin" .bin)
	# Text as a phone's generator would encode it; bytes that are not text in 8-bit mode.
	case $name in binary|latin1) mode=-8 ;; *) mode= ;; esac
	qrencode $mode -r "$bin" -s 1 -m 4 -o "$out/tmp/$name.png"
	for t in $transforms; do
		ext=pgm
		scale=600% pre=() post=()
		case $t in
		plain) ;;
		small) scale=300% ;;
		large) scale=1000% ;;
		rot15) pre=(-background white -rotate 15) ;;
		rot90) pre=(-rotate 90) ;;
		rot200) pre=(-background white -rotate 200) ;;
		blur) post=(-blur 0x1.2) ;;
		noise) post=(-attenuate 0.6 +noise Gaussian) ;;
		hard) scale=450% pre=(-background white -rotate 33) post=(-blur 0x1 -attenuate 0.4 +noise Gaussian) ;;
		contrast) post=(+level 35%,70%) ;;
		colour) ext=ppm pre=(-fill 'rgb(30,50,120)' -opaque black -fill 'rgb(250,238,196)' -opaque white) ;;
		esac
		f="$out/frames/$name-$t.$ext"
		# -scale keeps the modules sharp; a code larger than the frame is shrunk to fit.
		convert -seed 7 "$out/tmp/$name.png" -scale "$scale" "${pre[@]}" -resize '620x460>' \
			-background "$([ "$t" = colour ] && echo 'rgb(250,238,196)' || echo white)" \
			-gravity center -extent 640x480 "${post[@]}" \
			$([ "$ext" = pgm ] && echo "-colorspace Gray") -depth 8 "$f"
		printf '%s\t%s\t%s\n' "$f" "$name" "$t" >>"$out/frames.tsv"
	done
done
rm -rf "$out/tmp"
