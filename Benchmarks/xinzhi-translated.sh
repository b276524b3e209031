#!/bin/sh
# The ../shared/bench command-line engine contract through a program `xinzhi translate` wrote,
# run by DuckDB or Spark, the path a team that moves its rules takes:
#
#   xinzhi-translated.sh TARGET XINZHI PYTHON PROGRAM.dl DATA.tsv     count
#   xinzhi-translated.sh --prepare TARGET XINZHI PYTHON PROGRAM.dl DATA.tsv
#
# TARGET is duckdb or spark; PYTHON a Python that imports duckdb (or pyspark, with java on the
# PATH). Untimed preparation, cached like the other adapters' conversions (`--prepare` does it
# ahead of a run): the TSV imported into a store (xinzhi-command.sh --prepare), the store
# exported with `xinzhi export --format csv`, and the program translated to Xinzhi's syntax as
# xinzhi-command.sh does (`bench_count(count(V1, ..., Vn)) :- OUT(V1, ..., Vn). ?- bench_count(N).`)
# and then with `xinzhi translate --to TARGET`. The timed part is one `PYTHON program.py DATA OUT`
# process (Spark: local[*], 2 shuffle partitions); the count is the last line of its answer CSV.
set -eu
prepare=no
if [ "${1:-}" = --prepare ]; then prepare=yes; shift; fi
target=$1 xinzhi=$2 python=$3 program=$4 data=$5
here=$(cd "$(dirname "$0")" && pwd)
cache=${XINZHI_BENCH_CACHE:-/tmp/xinzhi-command-cache}
"$here/xinzhi-command.sh" --prepare "$xinzhi" "$data"
store="$cache/$(basename "$(dirname "$data")")-$(basename "$data" .tsv)-$(stat -c %s-%Y "$data")"
csv="$store.csv"
if [ ! -f "$csv/transactions.csv" ]; then
  rm -rf "$csv"
  "$xinzhi" --store "$store" export --format csv --output "$csv"
fi
translated="$store.$(basename "$program" .dl).$target.py"
if [ ! -f "$translated" ]; then
  . "$here/neutral-program.sh"  # $output, $rules, $variables
  "$xinzhi" --store "$store" translate --to "$target" "$rules
bench_count(count($variables)) :- $output($variables).
?- bench_count(N)." --output "$translated.tmp"
  mv "$translated.tmp" "$translated"
fi
if [ "$prepare" = yes ]; then exit 0; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
XINZHI_SPARK_PARTITIONS=${XINZHI_SPARK_PARTITIONS:-2} "$python" "$translated" "$csv" "$out" >"$out/log" 2>&1 || {
  tail -5 "$out/log" >&2
  exit 1
}
tail -1 "$out/answer_1.csv"
