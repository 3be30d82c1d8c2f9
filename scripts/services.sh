# shellcheck shell=bash
# shellcheck disable=SC2034 # the globals set here (PG_URL, REDIS_URL...) are read by the sourcers
# Helpers shared by scripts/test and scripts/bench (sourced, not run): install missing Debian
# packages, start PostgreSQL and Redis on private loopback ports inside a temp dir, poll with
# deadlines, stop what was started.

PG_BIN=/usr/lib/postgresql/15/bin

log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# as_root CMD...: runs CMD as root (directly when we are root, through sudo otherwise).
as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# as_postgres CMD...: PostgreSQL refuses to run as root, so root runs it as `postgres`.
as_postgres() {
    if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ensure_packages PKG=PROBE...: installs every Debian package PKG whose PROBE (a command name,
# or an absolute path) is missing. A warm machine never touches apt.
ensure_packages() {
    local missing=() spec pkg probe
    for spec in "$@"; do
        pkg=${spec%%=*}
        probe=${spec#*=}
        if [[ $probe == /* ]]; then
            [[ -e $probe ]] && continue
        elif command -v "$probe" >/dev/null 2>&1; then
            continue
        fi
        missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# now_ms: milliseconds since the epoch (bash 5 builtin, no fork).
now_ms() {
    local t=${EPOCHREALTIME/./}
    printf '%s\n' "$((t / 1000))"
}

# wait_until SECONDS WHAT CMD...: polls CMD every 50 ms until it succeeds; dies after SECONDS.
wait_until() {
    local limit=$1 what=$2
    shift 2
    local deadline=$(($(now_ms) + limit * 1000))
    until "$@"; do
        (($(now_ms) < deadline)) || die "$what not ready after ${limit}s"
        sleep 0.05 # poll interval inside a deadline, not a fixed wait
    done
}

# port_is_free PORT: nothing accepts connections on 127.0.0.1:PORT.
port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pick_port: prints a port nobody listens on, between SOCIAL_PORT_LOW and SOCIAL_PORT_HIGH
# (20000-39999 by default).
pick_port() {
    local low=${SOCIAL_PORT_LOW:-20000} high=${SOCIAL_PORT_HIGH:-39999} port i
    for ((i = 0; i < 200; i++)); do
        port=$((low + RANDOM % (high - low + 1)))
        if port_is_free "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    die "no free port between $low and $high"
}

# start_postgres BASE [PORT] [-c opt=value]...: initdb in BASE/pg and start the server on
# 127.0.0.1 (PORT, or a free one). Sets PG_PORT, PG_DATA and PG_URL (the `postgres` database).
start_postgres() {
    local base=$1 want_port=${2:-}
    shift 2 || shift $#
    local extra=("$@")
    local dir="$base/pg"
    PG_DATA="$dir/data"
    mkdir -p "$PG_DATA" "$dir/sock"
    chmod 755 "$base"
    if [[ $EUID -eq 0 ]]; then chown -R postgres:postgres "$dir"; fi
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --no-sync \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    }
    local attempt port
    for attempt in 1 2 3; do
        port=${want_port:-$(pick_port)}
        if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 ${extra[*]}" \
            start >/dev/null; then
            PG_PORT=$port
            PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
            return 0
        fi
        log "PostgreSQL did not start on port $port (attempt $attempt)"
        [[ -z $want_port ]] || break
    done
    tail -n 20 "$dir/server.log" >&2 || true
    die "PostgreSQL failed to start"
}

stop_postgres() {
    [[ -n ${PG_DATA:-} && -f $PG_DATA/postmaster.pid ]] || return 0
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
}

redis_answers() {
    [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

# start_redis BASE [PORT]: an in-memory Redis on 127.0.0.1 (PORT, or a free one), no
# persistence. Sets REDIS_PORT, REDIS_PIDFILE and REDIS_URL.
start_redis() {
    local base=$1 want_port=${2:-}
    local dir="$base/redis"
    mkdir -p "$dir"
    REDIS_PORT=${want_port:-$(pick_port)}
    REDIS_PIDFILE="$dir/redis.pid"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize yes --pidfile "$REDIS_PIDFILE" --dir "$dir" --logfile "$dir/redis.log" ||
        die "redis-server failed to start"
    wait_until 20 "Redis on port $REDIS_PORT" redis_answers
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
}

stop_redis() {
    [[ -n ${REDIS_PIDFILE:-} && -f $REDIS_PIDFILE ]] || return 0
    local pid
    pid=$(<"$REDIS_PIDFILE")
    if [[ $pid =~ ^[0-9]+$ ]]; then kill "$pid" 2>/dev/null || true; fi
}
