#!/bin/sh
# The ../shared/bench command-line engine contract through the `xinzhi` command itself, the path
# users take:
#
#   xinzhi-command.sh XINZHI PROGRAM.dl DATA.tsv            count (the default)
#   xinzhi-command.sh --print XINZHI PROGRAM.dl DATA.tsv    print (what xinzhi-print.sh runs)
#   xinzhi-command.sh --prepare XINZHI DATA.tsv             only build the cached store
#
# The TSV file is imported once into a cached store with `xinzhi import` (untimed by the
# harness's contract, like every engine's format conversion; `--prepare` does it ahead of a run,
# and a `stats` after the import writes the store's checkpoint when it is big enough for one, so
# that no measured run pays for it). The timed part is one `xinzhi query` process that opens the
# store and evaluates the program translated to Xinzhi's syntax (quoted constants of the neutral
# format become entities; `%` comments and `.output` go). OUT is the `.output` relation, n its
# arity (3 for `triple`, otherwise read from the first rule or fact whose head it is).
#
# count: the query text ends with
#            bench_count(count(V1, ..., Vn)) :- OUT(V1, ..., Vn).
#            ?- bench_count(N).
#        and is printed with --format tsv: a header line `N`, then the count, which is the last
#        line printed (the harness reads a bare integer on the last line).
# print: the query text ends with `?- OUT(V1, ..., Vn).`, printed with --format tsv through a
#        pipe into `wc -l`. Xinzhi's TSV output is one header line (the variable names, printed
#        even for an empty answer) followed by one line per answer tuple, so the script prints
#        `count: <lines - 1>`. It exits with xinzhi's status when xinzhi fails.
#
#   python3 run.py --cli xinzhi="/work/main/Benchmarks/xinzhi-command.sh \
#     /work/main/.build/release/xinzhi {program} {data}" --engines xinzhi
#
# xinzhi runs with the limits a user gets (60 s, 20,000,000 derived facts, an eighth of physical
# memory); $XINZHI_BENCH_OPTIONS adds options (for example `--timeout 0 --max-facts 2000000000
# --max-memory 1T` for versions before issue 13, which counted a closure's bits as facts). Stores are cached under $XINZHI_BENCH_CACHE (default
# /tmp/xinzhi-command-cache), keyed by the data file's folder, name, size and modification time.
set -eu
mode=count
case ${1:-} in
  --print) mode=print; shift ;;
  --prepare) mode=prepare; shift ;;
esac
xinzhi=$1
if [ "$mode" = prepare ]; then
  program=
  data=$2
else
  program=$2
  data=$3
fi
cache=${XINZHI_BENCH_CACHE:-/tmp/xinzhi-command-cache}
mkdir -p "$cache"
store="$cache/$(basename "$(dirname "$data")")-$(basename "$data" .tsv)-$(stat -c %s-%Y "$data")"
if [ ! -f "$store/xinzhi.log" ]; then
  rm -rf "$store"
  "$xinzhi" init "$store" >/dev/null
  "$xinzhi" --store "$store" import "$data" --format tsv >/dev/null
  "$xinzhi" --store "$store" stats >/dev/null
fi
if [ "$mode" = prepare ]; then
  exit 0
fi
# The program in Xinzhi's syntax: $output, $rules, $variables.
. "$(dirname "$0")/neutral-program.sh"
if [ "$mode" = count ]; then
  exec "$xinzhi" --store "$store" query "$rules
bench_count(count($variables)) :- $output($variables).
?- bench_count(N)." --format tsv ${XINZHI_BENCH_OPTIONS:-}
fi
# print: /bin/sh has no pipefail, so xinzhi's exit status comes back through a file.
status="$cache/print-status.$$"
lines=$( { code=0; "$xinzhi" --store "$store" query "$rules
?- $output($variables)." --format tsv ${XINZHI_BENCH_OPTIONS:-} || code=$?
  echo "$code" >"$status"; } | wc -l )
read -r code <"$status"
rm -f "$status"
if [ "$code" -ne 0 ]; then
  echo "xinzhi exited with status $code" >&2
  exit "$code"
fi
echo "count: $((lines - 1))"
