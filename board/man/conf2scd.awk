# conf2scd.awk: the commented sample configuration (board/lectern.conf, generated from the
# option table) as the key reference of lectern.conf(5), in scdoc. Each "# help" block
# before a "key = default" line becomes that key's description.
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/\*/, "\\*", s); gsub(/_/, "\\_", s); return s }
/^\[.*\]$/ { section = 1; printf "## %s\n\n", esc($0); help = ""; next }
!section { next }
/^#/ { sub(/^# ?/, ""); help = help (help == "" ? "" : " ") $0; next }
/=/ {
	key = $0; sub(/ *=.*/, "", key)
	value = $0; sub(/^[^=]*= ?/, "", value)
	printf "*%s* = %s\n", esc(key), value == "" ? "(empty)" : esc(value)
	printf "\t%s\n\n", esc(help)
	help = ""
}
