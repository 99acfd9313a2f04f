#!/usr/bin/env bash
# The test stack: PostgreSQL, MariaDB and RabbitMQ on 127.0.0.1, non-default ports, own data
# folders, own test users. Runs as root on Debian 12 without systemd or Docker.
#
#   scripts/test-stack.sh up        install what is missing, start what is not running, print env
#   scripts/test-stack.sh env       print the env (export lines) without starting anything
#   scripts/test-stack.sh status    which service runs (pid), to stderr; exit 1 if one is down
#   scripts/test-stack.sh down      stop what this script started (and epmd, if it started it)
#   scripts/test-stack.sh reset     down, then delete all data folders
#   scripts/test-stack.sh restart-postgres | restart-mariadb | restart-rabbitmq
#   scripts/test-stack.sh stop-postgres | start-postgres | stop-mariadb | start-mariadb
#   scripts/test-stack.sh stop-rabbit-app | start-rabbit-app
#   scripts/test-stack.sh kill-postgres-connections APP_NAME_OR_DB | kill-mariadb-connections DB
#   scripts/test-stack.sh close-amqp-connections CONNECTION_NAME   (prints how many)
#   scripts/test-stack.sh rabbitmqctl ARGS...   run rabbitmqctl against the test node
#
# stdout of `up` and `env` carries only `export NAME=value` lines (use
# `eval "$(bash scripts/test-stack.sh up)"`); all progress goes to stderr.
# See docs/testing.md.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

BASE=${DABROKER_STACK_DIR:-/var/tmp/dabroker-test-stack}
PG_PORT=${DABROKER_STACK_PG_PORT:-55432}
MY_PORT=${DABROKER_STACK_MARIADB_PORT:-53306}
AMQP_PORT=${DABROKER_STACK_AMQP_PORT:-55672}
# RabbitMQ CLI tools bind DIST_PORT+10000..+10010 (54672..54682): clear of every port here.
DIST_PORT=${DABROKER_STACK_RABBIT_DIST_PORT:-44672}
EPMD_PORT=${DABROKER_STACK_EPMD_PORT:-54369}
RABBIT_NODE=${DABROKER_STACK_RABBIT_NODE:-dabroker@localhost}
RB_LOG_LEVEL=${DABROKER_STACK_RABBIT_LOG_LEVEL:-info}
TEST_USER=dabroker
TEST_PASS=dabroker
TEST_DB=dabroker

# Besides the build's C libraries, which scripts/install-libs.sh always installs.
PACKAGES=(postgresql mariadb-server rabbitmq-server sqlite3 docker-compose)

PG_DIR=$BASE/postgres
MY_DIR=$BASE/mariadb
RB_DIR=$BASE/rabbitmq
MARK=$BASE/started

log() { printf '%s\n' "test-stack: $*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

print_env() {
    echo "export DABROKER_TEST_POSTGRES_URL=postgres://$TEST_USER:$TEST_PASS@127.0.0.1:$PG_PORT/$TEST_DB"
    echo "export DABROKER_TEST_MYSQL_URL=mysql://$TEST_USER:$TEST_PASS@127.0.0.1:$MY_PORT/$TEST_DB"
    echo "export DABROKER_TEST_AMQP_URL=amqp://$TEST_USER:$TEST_PASS@127.0.0.1:$AMQP_PORT/%2f"
}

# Whether process $1 is alive and its command line contains $2 (a pid file may be stale and
# its pid reused by another process).
cmdline_has() {
    local cmd
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
    cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ "$cmd" == *"$2"* ]]
}

need_root() { [ "$(id -u)" = 0 ] || die "run as root (it starts servers as the postgres, mysql and rabbitmq users)"; }

# ---------------------------------------------------------------- installation

install_missing() {
    # One install step for the build's C libraries and the servers (scripts/install-libs.sh).
    bash "$SCRIPT_DIR/install-libs.sh" "${PACKAGES[@]}" || die "could not install ${PACKAGES[*]}"
}

prepare_base() {
    mkdir -p "$BASE" "$MARK"
    # Service users must be able to traverse it (mktemp -d would give 0700).
    chmod 755 "$BASE"
    local d
    for d in /var/tmp "$(dirname "$BASE")"; do [ -d "$d" ] && chmod o+x "$d" 2>/dev/null || true; done
}

# ---------------------------------------------------------------- PostgreSQL

pg_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/pg_ctl" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
    echo "$d"
}

as_pg() { (cd / && runuser -u postgres -- "$@"); }

pg_running() {
    [ -f "$PG_DIR/data/PG_VERSION" ] || return 1
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1
}

pg_psql() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR/run" -p "$PG_PORT" -U postgres "$@"; }

pg_start() {
    local bin t0
    bin=$(pg_bin)
    t0=$(now)
    mkdir -p "$PG_DIR/run"
    chown postgres:postgres "$PG_DIR" "$PG_DIR/run"
    chmod 755 "$PG_DIR"
    local fresh=0
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        rm -rf "$PG_DIR/data"
        as_pg "$bin/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
            die "initdb failed, see $PG_DIR/initdb.log"
        cat >>"$PG_DIR/data/postgresql.conf" <<EOF

# dabroker test stack
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR/run'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        fresh=1
    fi
    # A stale postmaster.pid (dead pid) is detected and ignored by the server itself.
    as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start </dev/null >>"$PG_DIR/pg_ctl.log" 2>&1 9>&- ||
        die "PostgreSQL did not start, see $PG_DIR/server.log"
    touch "$MARK/postgres"
    if [ $fresh = 1 ] || ! pg_psql -d postgres -tAc "select 1 from pg_database where datname = '$TEST_DB'" |
        grep 1 >/dev/null; then
        pg_psql -d postgres -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$TEST_USER')
            THEN CREATE ROLE $TEST_USER LOGIN SUPERUSER PASSWORD '$TEST_PASS'; END IF; END \$\$;" >&2
        # CREATE DATABASE cannot run inside the implicit transaction of a multi-statement -c.
        pg_psql -d postgres -c "CREATE DATABASE $TEST_DB OWNER $TEST_USER" >&2
    fi
    log "postgres: started in $(elapsed "$t0")s (port $PG_PORT)"
}

pg_stop() {
    pg_running || return 0
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null
}

pg_restart() {
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -m fast -w -t 60 restart \
        </dev/null >>"$PG_DIR/pg_ctl.log" 2>&1 9>&- || die "PostgreSQL did not restart, see $PG_DIR/server.log"
}

# Terminates the sessions whose application_name or database is $1 (not everybody's: the
# stack is shared), for reconnect tests.
pg_kill_connections() {
    [ -n "${1:-}" ] || die "usage: kill-postgres-connections APPLICATION_NAME_OR_DATABASE"
    pg_psql -d postgres -tA -v name="$1" <<'SQL'
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE pid <> pg_backend_pid() AND (application_name = :'name' OR datname = :'name');
SQL
}

pg_up() {
    if pg_running; then
        log "postgres: already running (port $PG_PORT)"
    else
        pg_start
    fi
}

# ---------------------------------------------------------------- MariaDB

my_server() {
    local b
    for b in /usr/sbin/mariadbd /usr/sbin/mysqld; do [ -x "$b" ] && { echo "$b"; return; }; done
    die "mariadbd not found"
}

my_pid() {
    local pid
    [ -f "$MY_DIR/run/mariadb.pid" ] || return 1
    pid=$(cat "$MY_DIR/run/mariadb.pid" 2>/dev/null) || return 1
    cmdline_has "$pid" "--datadir=$MY_DIR/data" || return 1
    echo "$pid"
}

my_ping() { mariadb-admin --no-defaults -S "$MY_DIR/run/mariadb.sock" -uroot --connect-timeout=2 ping >/dev/null 2>&1; }
my_sql() { mariadb --no-defaults -S "$MY_DIR/run/mariadb.sock" -uroot "$@"; }
my_running() { my_pid >/dev/null && my_ping; }

my_start() {
    local t0 fresh=0
    t0=$(now)
    mkdir -p "$MY_DIR/run"
    chown mysql:mysql "$MY_DIR" "$MY_DIR/run"
    chmod 755 "$MY_DIR"
    if [ ! -d "$MY_DIR/data/mysql" ]; then
        rm -rf "$MY_DIR/data"
        (cd / && mariadb-install-db --no-defaults --user=mysql --datadir="$MY_DIR/data" \
            --auth-root-authentication-method=socket --skip-test-db \
            --innodb-log-file-size=16M >"$MY_DIR/install.log" 2>&1) ||
            die "mariadb-install-db failed, see $MY_DIR/install.log"
        fresh=1
    fi
    if ! my_pid >/dev/null; then
        rm -f "$MY_DIR/run/mariadb.pid" "$MY_DIR/run/mariadb.sock"
        (cd / && exec setsid "$(my_server)" --no-defaults --user=mysql --datadir="$MY_DIR/data" \
            --port="$MY_PORT" --bind-address=127.0.0.1 --socket="$MY_DIR/run/mariadb.sock" \
            --pid-file="$MY_DIR/run/mariadb.pid" --log-error="$MY_DIR/server.log" \
            --skip-name-resolve --max-connections=300 --innodb-buffer-pool-size=128M \
            --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
            ) </dev/null >>"$MY_DIR/server.log" 2>&1 9>&- &
    fi
    local i
    for i in $(seq 1 300); do
        my_ping && break
        sleep 0.1
    done
    my_ping || die "MariaDB did not start, see $MY_DIR/server.log"
    touch "$MARK/mariadb"
    if [ $fresh = 1 ] || ! my_sql -N -e "select 1 from mysql.user where user='$TEST_USER'" | grep 1 >/dev/null; then
        my_sql <<EOF
CREATE USER IF NOT EXISTS '$TEST_USER'@'localhost' IDENTIFIED BY '$TEST_PASS';
CREATE USER IF NOT EXISTS '$TEST_USER'@'127.0.0.1' IDENTIFIED BY '$TEST_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS $TEST_DB CHARACTER SET utf8mb4;
FLUSH PRIVILEGES;
EOF
    fi
    log "mariadb: started in $(elapsed "$t0")s (port $MY_PORT)"
}

my_stop() {
    local pid i
    pid=$(my_pid) || return 0
    mariadb-admin --no-defaults -S "$MY_DIR/run/mariadb.sock" -uroot shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for i in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    die "MariaDB (pid $pid) did not stop"
}

# Kills the sessions whose current database is $1, for reconnect tests.
my_kill_connections() {
    [ -n "${1:-}" ] || die "usage: kill-mariadb-connections DATABASE"
    local ids id n=0
    ids=$(my_sql -N -e "SELECT id FROM information_schema.processlist WHERE db = '${1//\'/\'\'}' AND id <> connection_id()")
    for id in $ids; do
        my_sql -e "KILL CONNECTION $id" 2>/dev/null && n=$((n + 1))
    done
    echo "$n"
}

my_restart() {
    my_stop
    my_start
}

my_up() {
    if my_running; then
        log "mariadb: already running (port $MY_PORT)"
    else
        my_start
    fi
}

# ---------------------------------------------------------------- RabbitMQ

RB_BIN=/usr/lib/rabbitmq/bin

# Runs a RabbitMQ script as the rabbitmq user with the stack's environment only, so that the
# shell's RABBITMQ_* variables and /etc/rabbitmq do not leak in; HOME holds the Erlang cookie
# shared by the node and the CLI tools. The CLI VM gets one scheduler and no busy waiting: on
# a loaded 2-core machine that makes each rabbitmqctl call ~2 s instead of ~10 s.
as_rb() {
    (cd "$RB_DIR" && exec runuser -u rabbitmq -- env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME="$RB_DIR/home" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        RABBITMQ_NODENAME="$RABBIT_NODE" \
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT="$AMQP_PORT" \
        RABBITMQ_DIST_PORT="$DIST_PORT" \
        ERL_EPMD_ADDRESS=127.0.0.1 \
        ERL_EPMD_PORT="$EPMD_PORT" \
        RABBITMQ_CONF_ENV_FILE="$RB_DIR/rabbitmq-env.conf" \
        RABBITMQ_CONFIG_FILE="$RB_DIR/rabbitmq.conf" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$RB_DIR/advanced.config" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$RB_DIR/enabled_plugins" \
        RABBITMQ_MNESIA_BASE="$RB_DIR/mnesia" \
        RABBITMQ_LOG_BASE="$RB_DIR/log" \
        RABBITMQ_PID_FILE="$RB_DIR/run/rabbitmq.pid" \
        RABBITMQ_LOGS="$RB_DIR/log/rabbit.log" \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} ${DABROKER_STACK_RABBIT_ERL_ARGS:-}" \
        RABBITMQ_CTL_ERL_ARGS="+S 1:1 +A 1 +sbwt none +sbwtdcpu none +sbwtdio none" \
        "$@")
}

rb_ctl() { as_rb "$RB_BIN/rabbitmqctl" -q -n "$RABBIT_NODE" "$@"; }

epmd_running() { ERL_EPMD_PORT=$EPMD_PORT epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; }

rb_pid() {
    local pid
    [ -f "$RB_DIR/run/rabbitmq.pid" ] || return 1
    pid=$(cat "$RB_DIR/run/rabbitmq.pid" 2>/dev/null) || return 1
    cmdline_has "$pid" "-home $RB_DIR/home" || return 1
    echo "$pid"
}

# Whether something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Closes the AMQP connections whose client property connection_name contains $1; prints how
# many. One Erlang call on the node (no Python needed).
rb_close_connections() {
    [ -n "${1:-}" ] || die "usage: close-amqp-connections NAME"
    local name=${1//\\/\\\\}
    name=${name//\"/\\\"}
    rb_ctl eval "N = <<\"$name\"/utf8>>,
        Ps = [P || P <- rabbit_networking:connections(),
                   {client_properties, CP} <- rabbit_networking:connection_info(P, [client_properties]),
                   {<<\"connection_name\">>, longstr, V} <- CP,
                   binary:match(V, N) =/= nomatch],
        [rabbit_networking:close_connection(P, \"closed by test-stack.sh for a test\") || P <- Ps],
        length(Ps)."
}

# Node registered in epmd and its beam process alive (cheap: no Erlang CLI boot).
rb_running() {
    rb_pid >/dev/null || return 1
    epmd_running && ERL_EPMD_PORT=$EPMD_PORT epmd -port "$EPMD_PORT" -names 2>/dev/null | grep "^name ${RABBIT_NODE%@*} " >/dev/null
}

rb_write_config() {
    mkdir -p "$RB_DIR/home" "$RB_DIR/run" "$RB_DIR/log" "$RB_DIR/mnesia"
    : >"$RB_DIR/rabbitmq-env.conf"
    echo '[].' >"$RB_DIR/enabled_plugins"
    echo '[].' >"$RB_DIR/advanced.config"
    cat >"$RB_DIR/rabbitmq.conf" <<EOF
# dabroker test stack
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
loopback_users = none
default_vhost = /
default_user = $TEST_USER
default_pass = $TEST_PASS
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.console = false
log.file.level = $RB_LOG_LEVEL
disk_free_limit.absolute = 50MB
EOF
    if [ ! -s "$RB_DIR/home/.erlang.cookie" ]; then
        od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F' >"$RB_DIR/home/.erlang.cookie"
    fi
    chmod 400 "$RB_DIR/home/.erlang.cookie"
    chown -R rabbitmq:rabbitmq "$RB_DIR"
    chmod 755 "$RB_DIR"
}

rb_start() {
    local t0
    t0=$(now)
    rb_write_config
    if ! epmd_running; then
        (cd / && setsid env ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$EPMD_PORT" \
            runuser -u rabbitmq -- epmd -daemon -address 127.0.0.1 -port "$EPMD_PORT" </dev/null >/dev/null 2>&1 9>&-)
        touch "$MARK/epmd"
    fi
    if ! rb_pid >/dev/null; then
        # Only a pid file whose process is gone is stale; never hide a live node.
        local old
        old=$(cat "$RB_DIR/run/rabbitmq.pid" 2>/dev/null || true)
        if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
            die "pid file $RB_DIR/run/rabbitmq.pid names live process $old that is not the test node"
        fi
        rm -f "$RB_DIR/run/rabbitmq.pid"
        # A fresh node database boots ~15 s faster than an existing one ("Upgrading Mnesia
        # schema"); the test node keeps nothing worth keeping across node restarts (users come
        # from rabbitmq.conf). stop-rabbit-app/start-rabbit-app keep queues.
        rm -rf "$RB_DIR/mnesia"
        mkdir -p "$RB_DIR/mnesia"
        chown rabbitmq:rabbitmq "$RB_DIR/mnesia"
        as_rb setsid "$RB_BIN/rabbitmq-server" </dev/null >>"$RB_DIR/log/startup.log" 2>&1 9>&- &
    fi
    touch "$MARK/rabbitmq"
    rb_ctl wait --timeout 120 "$RB_DIR/run/rabbitmq.pid" >/dev/null 2>>"$RB_DIR/log/wait.log" ||
        die "RabbitMQ did not start, see $RB_DIR/log/"
    log "rabbitmq: started in $(elapsed "$t0")s (AMQP port $AMQP_PORT, node $RABBIT_NODE, epmd $EPMD_PORT)"
}

rb_stop() {
    local pid i
    if pid=$(rb_pid); then
        rb_ctl stop "$RB_DIR/run/rabbitmq.pid" >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        for i in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && die "RabbitMQ (pid $pid) did not stop"
    fi
    rm -f "$MARK/rabbitmq"
}

epmd_stop() {
    [ -f "$MARK/epmd" ] || return 0
    epmd_running && ERL_EPMD_PORT=$EPMD_PORT epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
    rm -f "$MARK/epmd"
}

rb_restart() {
    rb_stop
    rb_start
}

rb_up() {
    if rb_running && ! port_open "$AMQP_PORT"; then
        # A test stopped the app (stop-rabbit-app) and did not start it again.
        log "rabbitmq: node running, app stopped: starting the app"
        rb_ctl start_app >/dev/null
    fi
    if rb_running; then
        log "rabbitmq: already running (AMQP port $AMQP_PORT)"
    else
        rb_start
    fi
}

# ---------------------------------------------------------------- commands

with_lock() {
    prepare_base
    exec 9>"$BASE/lock"
    flock -w 120 9 || die "another test-stack.sh holds $BASE/lock"
}

cmd_up() {
    need_root
    local t0
    t0=$(now)
    install_missing
    with_lock
    # RabbitMQ takes longest: start it in the background while the databases come up.
    local rb_log=$BASE/rabbitmq-up.log rb_job
    (rb_up) 2>"$rb_log" &
    rb_job=$!
    pg_up
    my_up
    local rc=0
    wait "$rb_job" || rc=$?
    cat "$rb_log" >&2
    [ $rc = 0 ] || die "RabbitMQ failed"
    log "stack up in $(elapsed "$t0")s"
    print_env
}

cmd_status() {
    local bad=0 pid
    if pg_running; then log "postgres: running (pid $(head -n 1 "$PG_DIR/data/postmaster.pid"), port $PG_PORT)"; else
        log "postgres: stopped"
        bad=1
    fi
    if my_running; then log "mariadb: running (pid $(my_pid), port $MY_PORT)"; else
        log "mariadb: stopped"
        bad=1
    fi
    if rb_running && port_open "$AMQP_PORT"; then
        log "rabbitmq: running (pid $(rb_pid), AMQP port $AMQP_PORT, node $RABBIT_NODE)"
    elif rb_running; then
        log "rabbitmq: node running (pid $(rb_pid)) but AMQP port $AMQP_PORT closed (app stopped?)"
        bad=1
    else
        log "rabbitmq: stopped"
        bad=1
    fi
    if epmd_running; then log "epmd: running (port $EPMD_PORT)"; else log "epmd: stopped"; fi
    return $bad
}

cmd_down() {
    need_root
    with_lock
    if [ -f "$MARK/postgres" ]; then
        pg_stop
        rm -f "$MARK/postgres"
        log "postgres: stopped"
    fi
    if [ -f "$MARK/mariadb" ]; then
        my_stop
        rm -f "$MARK/mariadb"
        log "mariadb: stopped"
    fi
    if [ -f "$MARK/rabbitmq" ]; then
        rb_stop
        log "rabbitmq: stopped"
    fi
    if [ -f "$MARK/epmd" ]; then
        epmd_stop
        log "epmd: stopped"
    fi
}

timed() {
    local t0 what=$1
    shift
    t0=$(now)
    "$@"
    log "$what in $(elapsed "$t0")s"
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case "$cmd" in
    up) cmd_up ;;
    env) print_env ;;
    status) cmd_status ;;
    down) cmd_down ;;
    reset)
        cmd_down
        rm -rf "$PG_DIR" "$MY_DIR" "$RB_DIR" "$MARK" "$BASE/lock" "$BASE/rabbitmq-up.log"
        rmdir "$BASE" 2>/dev/null || true
        log "data removed ($BASE)"
        ;;
    restart-postgres)
        need_root
        pg_running || die "postgres is not running"
        timed "postgres restarted" pg_restart
        ;;
    stop-postgres) need_root && timed "postgres stopped" pg_stop ;;
    start-postgres) need_root && timed "postgres up" pg_up ;;
    restart-mariadb) need_root && timed "mariadb restarted" my_restart ;;
    stop-mariadb) need_root && timed "mariadb stopped" my_stop ;;
    start-mariadb) need_root && timed "mariadb up" my_up ;;
    restart-rabbitmq) need_root && timed "rabbitmq restarted" rb_restart ;;
    stop-rabbit-app) need_root && timed "rabbit app stopped" rb_ctl stop_app >/dev/null ;;
    start-rabbit-app) need_root && timed "rabbit app started" rb_ctl start_app >/dev/null ;;
    kill-postgres-connections) need_root && pg_kill_connections "${1:-}" ;;
    kill-mariadb-connections) need_root && my_kill_connections "${1:-}" ;;
    close-amqp-connections) need_root && rb_close_connections "${1:-}" ;;
    rabbitmqctl)
        need_root
        rb_ctl "$@"
        ;;
    *)
        sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
    esac
}

main "$@"
