#!/bin/sh
# The ../shared/bench command-line engine contract through the `xinzhi` command itself, the path
# users take: `xinzhi-command.sh XINZHI PROGRAM.dl DATA.tsv`. The TSV file is imported once
# into a cached store with `xinzhi import` (untimed by the harness's contract, like every
# engine's format conversion); the timed part is one `xinzhi query` process that opens the store,
# evaluates the program translated to Xinzhi's syntax and counts the `.output` relation with a
# count aggregate written in the query text. The last line printed is the count.
#
#   python3 run.py --cli xinzhi="$PWD/../../main/Documentation/benchmarks/xinzhi-command.sh \
#     $PWD/../../main/.build/release/xinzhi {program} {data}" --engines xinzhi
#
# The harness runs every engine without resource limits, so the query lifts Xinzhi's time and
# fact limits and, with $XINZHI_BENCH_OPTIONS (for example `--max-memory 1T`, for versions that
# have that option), its memory limit.
set -eu
xinzhi=$1
program=$2
data=$3
cache=${XINZHI_BENCH_CACHE:-/tmp/xinzhi-command-cache}
mkdir -p "$cache"
store="$cache/$(basename "$(dirname "$data")")-$(basename "$data" .tsv)-$(stat -c %s-%Y "$data")"
if [ ! -f "$store/xinzhi.log" ]; then
  rm -rf "$store"
  "$xinzhi" init "$store" >/dev/null
  "$xinzhi" --store "$store" import "$data" --format tsv >/dev/null
fi
output=$(sed -n 's/^\.output[[:space:]]*//p' "$program")
# Quoted constants of the neutral format are entities here; `%` comments and `.output` go.
rules=$(grep -v '^\.output' "$program" | sed 's/"\([a-z][a-z0-9_]*\)"/\1/g')
if [ "$output" = triple ]; then
  arity=3
else
  # The arity of the output relation, from the first rule or fact whose head it is.
  head=$(printf '%s\n' "$rules" | grep -m1 "^$output(" | sed "s/^$output(\([^)]*\)).*/\1/")
  arity=$(printf '%s' "$head" | awk -F, '{print NF}')
fi
variables=$(awk -v n="$arity" 'BEGIN { for (i = 1; i <= n; i++) printf "%sV%d", (i > 1 ? ", " : ""), i }')
exec "$xinzhi" --store "$store" query "$rules
bench_count(count($variables)) :- $output($variables).
?- bench_count(N)." --format tsv --timeout 0 --max-facts 2000000000 ${XINZHI_BENCH_OPTIONS:-}
