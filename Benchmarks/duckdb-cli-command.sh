#!/bin/sh
# The DuckDB command-line shell as a peer of xinzhi-command.sh: the harness's equivalent SQL
# (../shared/bench/programs/sql/<case>.sql) run by one `duckdb` process on a database FILE.
#
#   duckdb-cli-command.sh DUCKDB PROGRAM.dl DATA.tsv            count (the default)
#   duckdb-cli-command.sh --print DUCKDB PROGRAM.dl DATA.tsv    print (what duckdb-cli-print.sh runs)
#   duckdb-cli-command.sh --prepare DUCKDB DATA.tsv             only build the cached database
#
# DUCKDB is the DuckDB CLI executable. PyPI's `duckdb-cli` puts a Python launcher in the venv's
# bin/ that starts the native executable it ships (site-packages/duckdb_cli/duckdb) with
# subprocess; pass the native one to measure DuckDB rather than a Python start (run-harness.sh
# does). PROGRAM.dl is the harness's neutral program; the SQL run is the file of the same name
# in the `sql` folder beside it (programs/sql/w2_tc.sql for programs/w2_tc.dl).
#
# The database file is built once per dataset (untimed by the harness's contract, like xinzhi's
# store; `--prepare` does it ahead of a run) by the same executable, with the table definition
# of the harness's in-process DuckDB adapter (adapters/duckdb_.py):
#   CREATE TABLE triple AS SELECT * FROM read_csv(DATA, delim='\t', header=false, quote='',
#     escape='', columns={'s': 'VARCHAR', 'p': 'VARCHAR', 'o': 'VARCHAR'})
# and cached under $DUCKDB_BENCH_CACHE (default /tmp/duckdb-cli-cache), keyed by the data file's
# folder, name, size and modification time and the executable's size (a database file is tied to
# the storage version of the DuckDB that wrote it). The timed process opens it with -readonly,
# and -no-init so that no ~/.duckdbrc changes what runs; threads are DuckDB's default (all cores).
#
# count: the SQL file as it is; each one is a single statement whose result is one row, one
#        column, `SELECT count(*) FROM <answer relation>`. Printed in list mode without a header,
#        and the script prints `count: N`.
# print: the row-producing SQL is derived from the same file by replacing its one
#        `SELECT count(*) FROM` (the script refuses a file without exactly one) with
#        `SELECT * FROM`, so the answer relation itself (its recursive CTEs, DISTINCT and EXCEPT
#        unchanged) is returned. Every row is written tab separated (-list -separator TAB
#        -noheader: no header line) through a pipe into `wc -l`, and the script prints
#        `count: N` with N the number of lines. It exits with duckdb's status when duckdb fails.
set -eu
mode=count
case ${1:-} in
  --print) mode=print; shift ;;
  --prepare) mode=prepare; shift ;;
esac
duckdb=$1
if [ "$mode" = prepare ]; then
  program=
  data=$2
else
  program=$2
  data=$3
fi
cache=${DUCKDB_BENCH_CACHE:-/tmp/duckdb-cli-cache}
mkdir -p "$cache"
db="$cache/$(basename "$(dirname "$data")")-$(basename "$data" .tsv)-$(stat -c %s-%Y "$data")-cli$(stat -L -c %s "$duckdb").duckdb"
if [ ! -f "$db" ]; then
  tmp="$db.tmp$$"
  rm -f "$tmp" "$tmp.wal"
  escaped=$(printf '%s' "$data" | sed "s/'/''/g")
  "$duckdb" -no-init "$tmp" -c "CREATE TABLE triple AS SELECT * FROM read_csv('$escaped', delim='\t',
    header=false, quote='', escape='', columns={'s': 'VARCHAR', 'p': 'VARCHAR', 'o': 'VARCHAR'});
    CHECKPOINT;" >/dev/null
  mv "$tmp" "$db"
fi
if [ "$mode" = prepare ]; then
  exit 0
fi
sql_file="$(dirname "$program")/sql/$(basename "$program" .dl).sql"
if [ "$mode" = count ]; then
  count=$("$duckdb" -no-init -readonly -list -noheader "$db" -f "$sql_file")
  echo "count: $count"
  exit 0
fi
if [ "$(grep -o 'SELECT count(\*) FROM' "$sql_file" | wc -l)" -ne 1 ]; then
  echo "$sql_file: expected exactly one 'SELECT count(*) FROM'" >&2
  exit 2
fi
sql=$(sed 's/SELECT count(\*) FROM/SELECT * FROM/' "$sql_file")
tab=$(printf '\t')
# /bin/sh has no pipefail, so duckdb's exit status comes back through a file.
status="$cache/print-status.$$"
lines=$( { code=0; "$duckdb" -no-init -readonly -list -noheader -separator "$tab" "$db" -c "$sql" || code=$?
  echo "$code" >"$status"; } | wc -l )
read -r code <"$status"
rm -f "$status"
if [ "$code" -ne 0 ]; then
  echo "duckdb exited with status $code" >&2
  exit "$code"
fi
echo "count: $lines"
