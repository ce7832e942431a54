# servers.sh — test servers on loopback for integration tests (bash). Source it after common.sh:
# the processes are then registered in common.sh's CHILDREN / GROUPS_TO_KILL and killed by the
# test's EXIT trap whatever happens. Sourced alone (a C test's helper shell), it makes its own
# temp dir and the caller stops what it started.
#
#   free_port                          a free TCP port on 127.0.0.1 (asks the kernel)
#   wait_port PORT [SECONDS]           until 127.0.0.1:PORT accepts a connection (default 10 s)
#   htpasswd_line USER PASSWORD        "USER:$apr1$..." for nginx's auth_basic_user_file
#   start_nginx [--auth USER:PASSWORD] ROOT [server-block directives]
#                                      nginx serving ROOT with WebDAV (PUT DELETE MKCOL), on
#                                      127.0.0.1 only; --auth puts the whole server behind Basic
#                                      auth. Exports NGINX_PORT NGINX_PID NGINX_DIR
#                                      NGINX_ACCESS_LOG NGINX_ERROR_LOG
#   stop_nginx
#   start_opencast_double ARGS...      tests/lib/opencast_double.py ARGS (see its --help).
#                                      Exports OC_PORT OC_PID OC_URL
#   stop_opencast_double
#
# Every wait is bounded; a server that does not come up is reported as "# " lines and the
# start function returns 1.

SERVERS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVERS_TMP=${T:-$(mktemp -d "${TMPDIR:-/tmp}/lectern-servers.XXXXXX")}
# The system interpreter starts in tens of milliseconds; a version manager's shim may not.
SERVERS_PYTHON=${SERVERS_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

free_port() {
	"$SERVERS_PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

wait_port() {
	local port=$1 limit=${2:-10}
	local end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# alive PID: running (a zombie does not count: it only waits to be reaped)
alive() {
	local stat
	stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $stat != Z* ]]
}

# forget_pid PID: drop it from common.sh's lists once stopped, so that the EXIT trap never
# kills a recycled pid.
forget_pid() {
	local p keep=()
	for p in "${CHILDREN[@]:-}"; do [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p"); done
	CHILDREN=("${keep[@]:-}")
	keep=()
	for p in "${GROUPS_TO_KILL[@]:-}"; do [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p"); done
	GROUPS_TO_KILL=("${keep[@]:-}")
}

# stop_pid PID [GROUP]: TERM, up to 5 s for a clean exit, then KILL (the whole group if asked).
stop_pid() {
	local pid=$1 group=${2:-} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 50); do
		alive "$pid" || break
		sleep 0.1
	done
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
	fi
	# nginx's workers outlive a killed master: take the group down too.
	[ -n "$group" ] && kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	forget_pid "$pid"
	return 0
}

htpasswd_line() {
	local hash
	hash=$(printf '%s' "$2" | openssl passwd -apr1 -stdin) || return 1
	printf '%s:%s\n' "$1" "$hash"
}

# launch_nginx DIR: start nginx on DIR/nginx.conf and wait (10 s at most) until its master has
# written its pid and the port answers. On failure, whatever started is stopped.
launch_nginx() {
	local dir=$1 launcher end
	: >"$NGINX_ERROR_LOG"
	rm -f "$dir/nginx.pid"
	# Its own session: the master and its workers are one process group to kill.
	setsid nginx -p "$dir" -e "$NGINX_ERROR_LOG" -c "$dir/nginx.conf" \
		</dev/null >"$dir/stdout.log" 2>&1 &
	launcher=$!
	end=$((SECONDS + 10))
	CHILDREN+=("$launcher")
	GROUPS_TO_KILL+=("$launcher")
	NGINX_PID=
	while [ $SECONDS -le $end ]; do
		grep -q '\[emerg\]' "$NGINX_ERROR_LOG" "$dir/stdout.log" 2>/dev/null && break
		NGINX_PID=$(cat "$dir/nginx.pid" 2>/dev/null)
		if [ -n "$NGINX_PID" ] && (exec 3<>"/dev/tcp/127.0.0.1/$NGINX_PORT") 2>/dev/null; then
			if [ "$NGINX_PID" != "$launcher" ]; then # setsid forked
				CHILDREN+=("$NGINX_PID")
				GROUPS_TO_KILL+=("$NGINX_PID")
			fi
			export NGINX_PORT NGINX_PID NGINX_DIR NGINX_ACCESS_LOG NGINX_ERROR_LOG
			return 0
		fi
		sleep 0.05
	done
	stop_pid "$launcher" group
	[ -n "$NGINX_PID" ] && [ "$NGINX_PID" != "$launcher" ] && stop_pid "$NGINX_PID" group
	NGINX_PID=
	return 1
}

start_nginx() {
	local auth=
	if [ "${1:-}" = --auth ]; then
		auth=$2
		shift 2
	fi
	local root=$1 extra=${2:-} dir attempt
	dir=$(mktemp -d "$SERVERS_TMP/nginx.XXXXXX") || return 1
	mkdir -p "$dir/tmp"
	local auth_conf=
	if [ -n "$auth" ]; then
		htpasswd_line "${auth%%:*}" "${auth#*:}" >"$dir/htpasswd" || return 1
		auth_conf="auth_basic \"lectern test\"; auth_basic_user_file $dir/htpasswd;"
	fi
	NGINX_DIR=$dir
	NGINX_ACCESS_LOG="$dir/access.log"
	NGINX_ERROR_LOG="$dir/error.log"
	# free_port's port can be taken before nginx binds it: try a new one a few times.
	for attempt in 1 2 3; do
		NGINX_PORT=$(free_port) || return 1
		{
			# Workers as root so that WebDAV PUT can write wherever the test's root is.
			[ "$(id -u)" -eq 0 ] && echo "user root;"
			cat <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $NGINX_ERROR_LOG warn;
events { worker_connections 64; }
http {
	# The combined format, and which connection served each request (a test counts them).
	log_format lectern '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status '
		'\$body_bytes_sent "\$http_referer" "\$http_user_agent" conn=\$connection';
	access_log $NGINX_ACCESS_LOG lectern;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	types { text/calendar ics; text/html html; application/json json; audio/ogg opus ogg; }
	default_type application/octet-stream;
	client_max_body_size 0;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $root;
		dav_methods PUT DELETE MKCOL;
		create_full_put_path on;
		dav_access user:rw group:r all:r;
		$auth_conf
		$extra
	}
}
CONF
		} >"$dir/nginx.conf"
		launch_nginx "$dir" && return 0
		grep -q 'Address already in use' "$NGINX_ERROR_LOG" "$dir/stdout.log" 2>/dev/null ||
			break
	done
	echo "# nginx did not start:"
	sed 's/^/# /' "$NGINX_ERROR_LOG" "$dir/stdout.log" | tail -20
	NGINX_PID=
	return 1
}

stop_nginx() {
	[ -n "${NGINX_PID:-}" ] && stop_pid "$NGINX_PID" group
	NGINX_PID=
	return 0
}

start_opencast_double() {
	local dir
	dir=$(mktemp -d "$SERVERS_TMP/oc-double.XXXXXX") || return 1
	"$SERVERS_PYTHON" "$SERVERS_LIB/opencast_double.py" --port 0 "$@" \
		</dev/null >"$dir/stdout" 2>"$dir/stderr" &
	OC_PID=$!
	CHILDREN+=("$OC_PID")
	local end=$((SECONDS + 10))
	OC_PORT=
	while [ $SECONDS -le $end ]; do
		OC_PORT=$(sed -n '1s/^PORT \([0-9][0-9]*\)$/\1/p' "$dir/stdout" 2>/dev/null)
		if [ -n "$OC_PORT" ]; then
			OC_URL="http://127.0.0.1:$OC_PORT"
			export OC_PORT OC_PID OC_URL
			return 0
		fi
		alive "$OC_PID" || break
		sleep 0.05
	done
	echo "# the Opencast double did not start:"
	sed 's/^/# /' "$dir/stderr" | tail -20
	stop_pid "$OC_PID"
	OC_PID=
	return 1
}

stop_opencast_double() {
	[ -n "${OC_PID:-}" ] && stop_pid "$OC_PID"
	OC_PID=
	return 0
}

# --- Apache httpd (mod_dav_fs) and lighttpd (mod_webdav) -----------------------------------
#
#   start_apache [--auth basic|digest USER:PASSWORD] ROOT [directives]
#                                      apache2 in the foreground (-X: one process, one
#                                      connection at a time, as lectern uses it) serving ROOT
#                                      with mod_dav_fs, on 127.0.0.1 only; --auth puts it
#                                      behind Basic or Digest (realm "lectern test");
#                                      directives go in ROOT's <Directory>.
#                                      Exports APACHE_PORT APACHE_PID APACHE_DIR
#                                      APACHE_ACCESS_LOG (each line ends "conn=CLIENTPORT")
#                                      APACHE_ERROR_LOG
#   stop_apache
#   start_lighttpd [--auth basic|digest USER:PASSWORD] ROOT [config lines]
#                                      lighttpd -D serving ROOT with mod_webdav (writable
#                                      unless the lines set webdav.is-readonly), on
#                                      127.0.0.1 only; --auth as for apache. Exports
#                                      LIGHTTPD_PORT LIGHTTPD_PID LIGHTTPD_DIR
#                                      LIGHTTPD_ACCESS_LOG LIGHTTPD_ERROR_LOG
#   stop_lighttpd
#
# Both are started by this shell (no service, nothing under /etc changed) in their own session,
# and registered for the EXIT trap like nginx.

# launch_foreground PORT LOG COMMAND...: start a server that stays in the foreground (its
# pid is the server's) and wait, 10 s at most, until PORT answers. Sets LAUNCHED_PID. 1 when it
# died or did not answer in time (it is stopped then); 2 when its log says the port was taken.
launch_foreground() {
	local port=$1 log=$2 end
	shift 2
	setsid "$@" </dev/null >>"$log" 2>&1 &
	LAUNCHED_PID=$!
	CHILDREN+=("$LAUNCHED_PID")
	GROUPS_TO_KILL+=("$LAUNCHED_PID")
	end=$((SECONDS + 10))
	while [ $SECONDS -le $end ]; do
		alive "$LAUNCHED_PID" || break
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
	done
	stop_pid "$LAUNCHED_PID" group
	LAUNCHED_PID=
	grep -qiE 'address already in use|could not bind' "$log" 2>/dev/null && return 2
	return 1
}

# htdigest_line USER REALM PASSWORD: "USER:REALM:md5(USER:REALM:PASSWORD)", as htdigest writes
# it (htdigest itself only reads the password from a terminal).
htdigest_line() {
	local hash
	hash=$(printf '%s:%s:%s' "$1" "$2" "$3" | md5sum | cut -c1-32) || return 1
	printf '%s:%s:%s\n' "$1" "$2" "$hash"
}

start_apache() {
	local scheme= auth=
	if [ "${1:-}" = --auth ]; then
		scheme=$2 auth=$3
		shift 3
	fi
	# Without auth, everyone; with it, only the account ("Require all granted" beside
	# "Require valid-user" would let everyone in: the two are alternatives).
	local root=$1 extra=${2:-} dir attempt rc mods=/usr/lib/apache2/modules
	local auth_conf="Require all granted"
	# /usr/sbin is not on every user's PATH
	local bin
	bin=$(PATH=$PATH:/usr/sbin command -v apache2) ||
		{ echo "# apache2 is not installed (board/deps.sh test)"; return 1; }
	dir=$(mktemp -d "$SERVERS_TMP/apache.XXXXXX") || return 1
	case "$scheme" in
	"") ;;
	basic)
		htpasswd_line "${auth%%:*}" "${auth#*:}" >"$dir/htpasswd" || return 1
		auth_conf="AuthType Basic
	AuthName \"lectern test\"
	AuthBasicProvider file
	AuthUserFile $dir/htpasswd
	Require valid-user" ;;
	digest)
		htdigest_line "${auth%%:*}" "lectern test" "${auth#*:}" >"$dir/htdigest" || return 1
		auth_conf="AuthType Digest
	AuthName \"lectern test\"
	AuthDigestProvider file
	AuthUserFile $dir/htdigest
	Require valid-user" ;;
	*) echo "# start_apache: --auth basic or digest, not '$scheme'"; return 1 ;;
	esac
	APACHE_DIR=$dir
	APACHE_ACCESS_LOG="$dir/access.log"
	APACHE_ERROR_LOG="$dir/error.log"
	for attempt in 1 2 3; do
		APACHE_PORT=$(free_port) || return 1
		# (authz_user: it is what "Require valid-user" needs. dir: Debian enables it, and
		# with it a collection named without its trailing slash is redirected, MKCOL too.)
		# As root, -X keeps its one process as root (no User switch), so that PUT can write
		# wherever the test's root is; unixd says once in the error log that it has no user.
		cat >"$dir/httpd.conf" <<CONF
ServerRoot $dir
ServerName 127.0.0.1
LoadModule mpm_prefork_module $mods/mod_mpm_prefork.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authn_file_module $mods/mod_authn_file.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
LoadModule auth_digest_module $mods/mod_auth_digest.so
LoadModule dav_module $mods/mod_dav.so
LoadModule dav_fs_module $mods/mod_dav_fs.so
LoadModule mime_module $mods/mod_mime.so
LoadModule dir_module $mods/mod_dir.so
Listen 127.0.0.1:$APACHE_PORT
PidFile $dir/httpd.pid
ErrorLog $APACHE_ERROR_LOG
LogLevel warn
LogFormat "%h %u %t \"%r\" %>s %b conn=%{remote}p" lectern
CustomLog $APACHE_ACCESS_LOG lectern
TypesConfig /etc/mime.types
DavLockDB $dir/DavLock
KeepAlive On
DocumentRoot "$root"
<Directory "$root">
	Dav On
	$auth_conf
	$extra
</Directory>
CONF
		: >"$APACHE_ERROR_LOG"
		launch_foreground "$APACHE_PORT" "$APACHE_ERROR_LOG" \
			"$bin" -X -f "$dir/httpd.conf"
		rc=$?
		if [ $rc -eq 0 ]; then
			APACHE_PID=$LAUNCHED_PID
			export APACHE_PORT APACHE_PID APACHE_DIR APACHE_ACCESS_LOG APACHE_ERROR_LOG
			return 0
		fi
		[ $rc -eq 2 ] || break
	done
	echo "# apache2 did not start:"
	sed 's/^/# /' "$APACHE_ERROR_LOG" | tail -20
	APACHE_PID=
	return 1
}

stop_apache() {
	[ -n "${APACHE_PID:-}" ] && stop_pid "$APACHE_PID" group
	APACHE_PID=
	return 0
}

start_lighttpd() {
	local scheme= auth=
	if [ "${1:-}" = --auth ]; then
		scheme=$2 auth=$3
		shift 3
	fi
	local root=$1 extra=${2:-} dir attempt rc auth_conf= readonly=
	local bin
	bin=$(PATH=$PATH:/usr/sbin command -v lighttpd) ||
		{ echo "# lighttpd is not installed (board/deps.sh test)"; return 1; }
	dir=$(mktemp -d "$SERVERS_TMP/lighttpd.XXXXXX") || return 1
	mkdir -p "$dir/tmp"
	case "$scheme" in
	"") ;;
	basic)
		htpasswd_line "${auth%%:*}" "${auth#*:}" >"$dir/htpasswd" || return 1
		auth_conf="auth.backend = \"htpasswd\"
auth.backend.htpasswd.userfile = \"$dir/htpasswd\"" ;;
	digest)
		htdigest_line "${auth%%:*}" "lectern test" "${auth#*:}" >"$dir/htdigest" || return 1
		auth_conf="auth.backend = \"htdigest\"
auth.backend.htdigest.userfile = \"$dir/htdigest\"" ;;
	*) echo "# start_lighttpd: --auth basic or digest, not '$scheme'"; return 1 ;;
	esac
	[ -n "$scheme" ] && auth_conf="$auth_conf
auth.require = ( \"/\" => ( \"method\" => \"$scheme\", \"realm\" => \"lectern test\",
	\"require\" => \"valid-user\" ) )"
	# Writable unless the caller says otherwise (lighttpd refuses a variable set twice). Its
	# own default is read-only: a share set up without this line answers 403 to every write.
	[[ $extra == *webdav.is-readonly* ]] || readonly='webdav.is-readonly = "disable"'
	LIGHTTPD_DIR=$dir
	LIGHTTPD_ACCESS_LOG="$dir/access.log"
	LIGHTTPD_ERROR_LOG="$dir/error.log"
	for attempt in 1 2 3; do
		LIGHTTPD_PORT=$(free_port) || return 1
		cat >"$dir/lighttpd.conf" <<CONF
server.modules = ( "mod_webdav", "mod_auth", "mod_authn_file", "mod_accesslog" )
server.document-root = "$root"
server.bind = "127.0.0.1"
server.port = $LIGHTTPD_PORT
server.pid-file = "$dir/lighttpd.pid"
server.errorlog = "$LIGHTTPD_ERROR_LOG"
server.upload-dirs = ( "$dir/tmp" )
accesslog.filename = "$LIGHTTPD_ACCESS_LOG"
accesslog.format = "%h %u %t \"%r\" %>s %b conn=%{remote}p"
mimetype.assign = ( ".opus" => "audio/ogg", ".json" => "application/json" )
webdav.activate = "enable"
$readonly
$auth_conf
$extra
CONF
		: >"$LIGHTTPD_ERROR_LOG"
		launch_foreground "$LIGHTTPD_PORT" "$LIGHTTPD_ERROR_LOG" \
			"$bin" -D -f "$dir/lighttpd.conf"
		rc=$?
		if [ $rc -eq 0 ]; then
			LIGHTTPD_PID=$LAUNCHED_PID
			export LIGHTTPD_PORT LIGHTTPD_PID LIGHTTPD_DIR LIGHTTPD_ACCESS_LOG LIGHTTPD_ERROR_LOG
			return 0
		fi
		[ $rc -eq 2 ] || break
	done
	echo "# lighttpd did not start:"
	sed 's/^/# /' "$LIGHTTPD_ERROR_LOG" | tail -20
	LIGHTTPD_PID=
	return 1
}

stop_lighttpd() {
	[ -n "${LIGHTTPD_PID:-}" ] && stop_pid "$LIGHTTPD_PID" group
	LIGHTTPD_PID=
	return 0
}
