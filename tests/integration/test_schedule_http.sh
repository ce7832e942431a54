#!/bin/bash
# The calendar over HTTP from a real nginx on loopback, and from the Opencast double: ETag and
# 304, redirects, auth failures, server errors, stalls and dropped connections. Whatever
# happens, the last good calendar is kept and the schedule says it is stale.
source "$(dirname "$0")/../lib/common.sh"
source "$TESTS/lib/servers.sh"

export TZ=Europe/Berlin
mkdir -p "$T/www"
cat >"$T/www/room.ics" <<'ICS'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//lectern tests//EN
BEGIN:VEVENT
UID:weekly@lectern.test
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20261201T120000
DTEND;TZID=Europe/Berlin:20261201T130000
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:Brown bag over HTTP
ORGANIZER;CN=Linus:mailto:linus@example.org
END:VEVENT
END:VCALENDAR
ICS
printf 'this is not a calendar\n' >"$T/www/broken.ics"
head -c 300 "$T/www/room.ics" >"$T/www/truncated.ics"

start_nginx "$T/www" '
	location = /moved.ics { return 301 /room.ics; }
	location = /login.ics { return 302 /login.html; }
	location = /secret.ics { auth_basic "calendar"; auth_basic_user_file '"$T"'/htpasswd; alias '"$T"'/www/room.ics; }
	location = /forbidden.ics { return 403; }
	location = /error.ics { return 500; }
'
base="http://127.0.0.1:$NGINX_PORT"
printf 'ics-reader:%s\n' "$(openssl passwd -apr1 'right horse battery')" >"$T/htpasswd"

# schedule_from URL [extra config lines]: `lectern schedule` on the configured source
schedule_from() {
	local url=$1
	shift
	lectern_config "$T/lectern.conf" "[schedule]" "source = ics" "ics = $url" "timeout_s = 3" "$@"
	"$LECTERN" --config "$T/lectern.conf" schedule --from 2026-12-01 --days 30 >"$T/s.out" 2>"$T/s.err"
}

schedule_from "$base/room.ics"
check "an ICS URL is fetched and expanded (4 weekly sessions)" test "$(grep -c 'Brown bag over HTTP' "$T/s.out")" -eq 4
etag=$(sqlite3 "$T/data/lectern.db" "select etag from calendar_cache")
check "its ETag is kept for the next fetch" test -n "$etag"
schedule_from "$base/room.ics"
check "the next fetch is conditional and answered 304" grep -q '"GET /room.ics HTTP/1.1" 304' "$NGINX_ACCESS_LOG"
check "after a 304 the cached calendar is still shown" test "$(grep -c 'Brown bag over HTTP' "$T/s.out")" -eq 4
schedule_from "$base/moved.ics"
check "a redirect is followed" test "$(grep -c 'Brown bag over HTTP' "$T/s.out")" -eq 4

printf 'wrong\n' >"$T/wrong.pw"
chmod 600 "$T/wrong.pw"
printf 'right horse battery\n' >"$T/right.pw"
chmod 600 "$T/right.pw"

# failures keep the cache ------------------------------------------------------------------
fails() { # NAME URL EXPECTED-MESSAGE [config...]
	local name=$1 url=$2 re=$3
	shift 3
	schedule_from "$url" "$@"
	if [ "$(grep -c 'Brown bag over HTTP' "$T/s.out")" -eq 4 ] && grep -Eq "$re" "$T/s.err" &&
		grep -q 'showing the cached calendar' "$T/s.err"; then
		ok "$name: reported, cached calendar kept"
	else
		not_ok "$name" "$(head -c 300 "$T/s.err")"
	fi
}
# The cache belongs to the store: point every failing source at the same data directory.
fails "404" "$base/missing.ics" "404"
fails "500" "$base/error.ics" "500"
fails "403" "$base/forbidden.ics" "refused|403"
fails "wrong password (401)" "$base/secret.ics" "refused|401" "user = ics-reader" \
	"password_file = $T/wrong.pw" "allow_insecure_auth = yes"
fails "redirect to a login page" "$base/login.ics" "login|refused"
fails "not a calendar" "$base/broken.ics" "not an iCalendar"
fails "truncated download" "$base/truncated.ics" "truncated"
fails "connection refused" "http://127.0.0.1:$(free_port)/room.ics" "127.0.0.1"
schedule_from "$base/secret.ics" "user = ics-reader" "password_file = $T/right.pw" \
	"allow_insecure_auth = yes"
check "Basic auth with the right password works" test "$(grep -c 'Brown bag over HTTP' "$T/s.out")" -eq 4
check "the password never appears in messages" bash -c "! grep -q 'right horse' '$T/s.err' '$T/s.out'"
stale=$(sqlite3 "$T/data/lectern.db" "select error from calendar_cache")
check "a good fetch clears the stale mark" test -z "$stale"
stop_nginx

# HTTPS: the certificate is verified; a private CA is trusted only when configured ----------
mkdir -p "$T/tls"
(
	cd "$T/tls" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lectern test CA" \
			-keyout ca.key -out ca.pem &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key \
			-out server.csr &&
		printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
			-extfile san.ext -out server.pem
) >"$T/tls/openssl.log" 2>&1
tls_port=$(free_port)
start_nginx "$T/www" "listen 127.0.0.1:$tls_port ssl; ssl_certificate $T/tls/server.pem; ssl_certificate_key $T/tls/server.key;"
schedule_from "https://127.0.0.1:$tls_port/room.ics"
check "HTTPS with a private CA not configured is refused (certificate not trusted)" \
	bash -c "grep -q 'secure connection failed' '$T/s.err' && grep -q 'showing the cached calendar' '$T/s.err'"
schedule_from "https://127.0.0.1:$tls_port/room.ics" "ca_file = $T/tls/ca.pem"
check "HTTPS with [schedule] ca_file = the private CA works" \
	test "$(grep -c 'Brown bag over HTTP' "$T/s.out")" -eq 4
stop_nginx

# Opencast: discovery, digest with X-Requested-Auth, the agent's calendar --------------------
now_ms=$(($(date +%s) * 1000))
cp "$T/www/room.ics" "$T/oc.ics"
start_opencast_double --digest --user agent --password 'oc secret' --calendar "$T/oc.ics" \
	--services-shape array --log "$T/oc.log"
printf 'oc secret\n' >"$T/oc.pw"
chmod 600 "$T/oc.pw"
lectern_config "$T/lectern.conf" "[schedule]" "source = opencast" "user = agent" \
	"password_file = $T/oc.pw" "auth = digest" "timeout_s = 3" \
	"[opencast]" "url = http://127.0.0.1:$OC_PORT" "agent = Room 4/B"
"$LECTERN" --config "$T/lectern.conf" schedule --from 2026-12-01 --days 30 >"$T/oc.out" 2>"$T/oc.err"
check "Opencast: the agent's calendar is fetched through discovery with digest auth" \
	test "$(grep -c 'Brown bag over HTTP' "$T/oc.out")" -eq 4
check "Opencast: the agent name is URL-encoded and the cutoff is epoch ms in the future" \
	/usr/bin/python3 - "$T/oc.log" "$now_ms" <<'PY'
import json, sys, urllib.parse
reqs = [json.loads(l) for l in open(sys.argv[1])]
cal = [r for r in reqs if r["path"].endswith("/calendars")]
assert cal, reqs
q = urllib.parse.parse_qs(cal[-1]["query"])
assert q["agentid"] == ["Room 4/B"], q
assert "agentid=Room%204%2FB" in cal[-1]["query"], cal[-1]["query"]
assert int(q["cutoff"][0]) > int(sys.argv[2]) + 13 * 86400 * 1000, q
PY
oc_schedule() {
	"$LECTERN" --config "$T/lectern.conf" schedule --from 2026-12-01 --days 30 >"$T/oc.out" 2>"$T/oc.err"
}
oc_schedule
check "Opencast: the second calendar fetch is conditional and answered 304" \
	/usr/bin/python3 - "$T/oc.log" <<'PY'
import json, sys
cal = [json.loads(l) for l in open(sys.argv[1]) if '"/recordings/calendars"' in l]
assert len(cal) >= 2 and cal[-1]["status"] == 304 and cal[-1]["headers"].get("If-None-Match"), cal
PY
oc_fault() { # NAME SWITCH EXPECTED-MESSAGE
	curl -s -X POST "http://127.0.0.1:$OC_PORT/__double__/$2" >/dev/null
	oc_schedule
	if [ "$(grep -c 'Brown bag over HTTP' "$T/oc.out")" -eq 4 ] && grep -Eq "$3" "$T/oc.err" &&
		grep -q 'showing the cached calendar' "$T/oc.err"; then
		ok "Opencast $1: reported, cached calendar kept"
	else
		not_ok "Opencast $1" "$(head -c 300 "$T/oc.err")"
	fi
}
start=$SECONDS
oc_fault "server stalls past the time-out" "stall?seconds=6" "did not answer in time"
check "Opencast: a stalled server costs the time-out, not more ($((SECONDS - start)) s)" \
	test $((SECONDS - start)) -le 5
oc_fault "connection dropped" "drop?count=1" "transfer failed|Empty reply|Recv failure"
oc_fault "503 answer" "fail?status=503&count=1" "503"
stop_opencast_double

start_opencast_double --digest --user agent --password 'oc secret' --calendar "$T/oc.ics" \
	--services-shape empty
sed -i "s|^url = .*|url = http://127.0.0.1:$OC_PORT|" "$T/lectern.conf"
oc_schedule
check "Opencast: no scheduler registered is reported, cache kept" \
	bash -c "grep -q 'no org.opencastproject.scheduler service' '$T/oc.err' && test \$(grep -c 'Brown bag' '$T/oc.out') -eq 4"
stop_opencast_double

start_opencast_double --digest --user agent --password 'oc secret' --calendar "$T/oc.ics" \
	--services-shape object
sed -i "s|^url = .*|url = http://127.0.0.1:$OC_PORT|" "$T/lectern.conf"
oc_schedule
check "Opencast: discovery also reads a single service object" \
	test "$(grep -c 'Brown bag over HTTP' "$T/oc.out")" -eq 4
sed -i "s|^auth = digest|auth = basic\nallow_insecure_auth = yes|" "$T/lectern.conf"
oc_schedule
check "Opencast: without X-Requested-Auth the login redirect counts as an auth failure" \
	grep -q "login page" "$T/oc.err"
stop_opencast_double
