# Sourced by scripts/failover-test and scripts/bench/append: a PostgreSQL primary whose every
# commit waits until a synchronous standby (application_name 'standby1') has it on disk,
# both on loopback, in a directory of their own (docs/deployment.md).
#   pg_pair_start DIR PRIMARY_PORT STANDBY_PORT   → postgres://dauys:dauys@127.0.0.1:PRIMARY_PORT/dauys ready
#   pg_pair_stop DIR                              → both stopped at once (immediate shutdown)
PGBIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

pg_pair_start() {
  local W=$1 PG1=$2 PG2=$3 s=""
  mkdir -p "$W/primary" "$W/standby" "$W/sock"
  chmod 700 "$W/primary" "$W/standby"
  [ "$(id -u)" -ne 0 ] || chown postgres "$W/primary" "$W/standby" "$W/sock"
  as_pg "$PGBIN/initdb -D $W/primary -U postgres --auth=trust -E UTF8 >/dev/null"
  cat >> "$W/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG1
unix_socket_directories = '$W/sock'
wal_level = replica
max_wal_senders = 4
synchronous_commit = on
fsync = on
CONF
  echo "host replication postgres 127.0.0.1/32 trust" >> "$W/primary/pg_hba.conf"
  as_pg "$PGBIN/pg_ctl -D $W/primary -l $W/sock/primary.log -w start >/dev/null"
  as_pg "$PGBIN/psql -h 127.0.0.1 -p $PG1 -U postgres -qc \"CREATE ROLE dauys LOGIN SUPERUSER PASSWORD 'dauys'\""
  as_pg "$PGBIN/psql -h 127.0.0.1 -p $PG1 -U postgres -qc 'CREATE DATABASE dauys OWNER dauys'"
  as_pg "$PGBIN/pg_basebackup -h 127.0.0.1 -p $PG1 -U postgres -D $W/standby -X stream -R -c fast >/dev/null"
  cat >> "$W/standby/postgresql.auto.conf" <<CONF
port = $PG2
primary_conninfo = 'host=127.0.0.1 port=$PG1 user=postgres application_name=standby1'
# Once promoted it runs alone: it must not wait for a standby of its own.
synchronous_standby_names = ''
CONF
  as_pg "$PGBIN/pg_ctl -D $W/standby -l $W/sock/standby.log -w start >/dev/null"
  # From now on every commit on the primary waits until standby1 has it on disk.
  as_pg "$PGBIN/psql -h 127.0.0.1 -p $PG1 -U postgres -qc \"ALTER SYSTEM SET synchronous_standby_names = 'standby1'\""
  as_pg "$PGBIN/psql -h 127.0.0.1 -p $PG1 -U postgres -qtAc 'SELECT pg_reload_conf()' >/dev/null"
  for _ in $(seq 100); do
    s=$(as_pg "$PGBIN/psql -h 127.0.0.1 -p $PG1 -U postgres -tAc \"SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'\"")
    [ "$s" = "sync" ] && return 0
    sleep 0.1
  done
  echo "pg-pair: the standby did not become synchronous" >&2
  return 1
}

pg_pair_stop() {
  as_pg "$PGBIN/pg_ctl -D $1/standby -m immediate stop" >/dev/null 2>&1 || true
  as_pg "$PGBIN/pg_ctl -D $1/primary -m immediate stop" >/dev/null 2>&1 || true
}
