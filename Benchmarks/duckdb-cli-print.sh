#!/bin/sh
# The print variant of duckdb-cli-command.sh (read its header): the same cached database file,
# but the SQL's one `SELECT count(*) FROM` becomes `SELECT * FROM`, and every answer row is
# written tab separated, without a header, through a pipe into `wc -l`; prints `count: N`.
#
#   duckdb-cli-print.sh DUCKDB PROGRAM.dl DATA.tsv
exec "$(dirname "$0")/duckdb-cli-command.sh" --print "$@"
