# Test servers on loopback, started and stopped by integration tests (source after common.sh).
#   start_nginx ROOT [server-block directives]  -> NGINX_PORT, NGINX_ACCESS_LOG
#   start_opencast_double ARGS...                -> OC_PORT (tests/lib/opencast_double.py)
# Every wait is bounded; the processes are killed with the test (common.sh's cleanup).

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s at most)
wait_port() {
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

start_nginx() {
	local root=$1 extra=${2:-}
	local dir="$T/nginx"
	mkdir -p "$dir/tmp"
	NGINX_PORT=$(free_port)
	NGINX_ACCESS_LOG="$dir/access.log"
	cat >"$dir/nginx.conf" <<CONF
user root;
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 64; }
http {
	access_log $NGINX_ACCESS_LOG;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	types { text/calendar ics; text/html html; }
	default_type application/octet-stream;
	client_max_body_size 0;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $root;
		$extra
	}
}
CONF
	nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/stdout.log" 2>&1 &
	NGINX_PID=$!
	CHILDREN+=($NGINX_PID)
	wait_port "$NGINX_PORT" || { echo "# nginx did not start:"; sed 's/^/# /' "$dir/error.log" "$dir/stdout.log"; return 1; }
}

stop_nginx() {
	[ -n "${NGINX_PID:-}" ] && kill -TERM "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	NGINX_PID=
	return 0
}

start_opencast_double() {
	local out="$T/oc-double.out"
	/usr/bin/python3 "$TESTS/lib/opencast_double.py" --port 0 "$@" >"$out" 2>"$T/oc-double.err" &
	OC_PID=$!
	CHILDREN+=($OC_PID)
	local i
	for i in $(seq 100); do
		OC_PORT=$(sed -n 's/^PORT //p' "$out" 2>/dev/null)
		[ -n "$OC_PORT" ] && return 0
		sleep 0.1
	done
	echo "# the Opencast double did not start:"
	sed 's/^/# /' "$T/oc-double.err"
	return 1
}

stop_opencast_double() {
	[ -n "${OC_PID:-}" ] && kill -TERM "$OC_PID" 2>/dev/null && wait "$OC_PID" 2>/dev/null
	OC_PID=
	return 0
}
