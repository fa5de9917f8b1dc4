# lib-pg.sh: a throwaway PostgreSQL for scripts (source it, do not run it).
# start_postgres DIR initialises DIR with initdb, starts the server on a free
# loopback port with pg_ctl (the unix socket and the log in DIR too), creates the
# database "livedesk" and sets PG_URL to it; stop_postgres stops it. As root the
# server runs as the "postgres" user (PostgreSQL refuses root). Needs lib-net.sh.

pg_bin() { # name: the path of a PostgreSQL program (PATH, then Debian's directory)
	local p
	p=$(command -v "$1" 2>/dev/null) && { echo "$p"; return 0; }
	for p in /usr/lib/postgresql/*/bin/"$1"; do
		[[ -x $p ]] && { echo "$p"; return 0; }
	done
	echo "$1 not found: install PostgreSQL (apt-get install postgresql)" >&2
	return 1
}

pg_as() { # command...: run as the server's user
	if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() { # dir
	local dir=$1 initdb pgctl
	initdb=$(pg_bin initdb) && pgctl=$(pg_bin pg_ctl) || return 1
	PG_DIR=$dir
	PG_PORT=$(free_port)
	mkdir -p "$dir"
	if [[ $EUID -eq 0 ]]; then
		chown postgres "$dir"
		chmod o+x "$(dirname "$dir")" # a mktemp -d parent is 0700
	fi
	pg_as "$initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale C >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	pg_as "$pgctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir ${PG_OPTIONS:-}" start >/dev/null ||
		{ cat "$dir/server.log" >&2; return 1; }
	pg_as "$(dirname "$initdb")/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres livedesk 2>/dev/null ||
		pg_as psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc 'CREATE DATABASE livedesk' >/dev/null
	PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/livedesk?sslmode=disable"
}

stop_postgres() {
	[[ -n ${PG_DIR:-} ]] || return 0
	pg_as "$(pg_bin pg_ctl)" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	PG_DIR=
}
