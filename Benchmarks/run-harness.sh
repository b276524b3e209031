#!/usr/bin/env bash
# Xinzhi and its peers side by side in ONE run of the ../shared/bench harness (run.py), so that
# every case runs all engines one after the other on the same machine state:
#
#   run-harness.sh HARNESS XINZHI [--sizes full|small|small,full] [--reps N] [--timeout S]
#                  [--mem-limit-gb G] [--cases IDS] [--out REPORT.md]
#
# HARNESS is the harness folder (a writable copy of ../shared/bench with its venv in .venv: see
# Benchmarks/README.md), XINZHI the `xinzhi` executable to measure (copy it somewhere first if a
# build may replace it during the run). Defaults: --sizes full --reps 5 --timeout 300
# --mem-limit-gb 12 --out HARNESS/results-xinzhi-<date>.md; the raw numbers go to the .json of
# the same name, the console log to the .log of the same name.
#
# Engines, in the report's column order:
#   xinzhi            Benchmarks/xinzhi-command.sh: one `xinzhi query` process, count aggregate
#   xinzhi-print      Benchmarks/xinzhi-print.sh: one `xinzhi query` process printing every
#                     answer tuple as TSV into `wc -l`
#   duckdb-cli        Benchmarks/duckdb-cli-command.sh: one `duckdb` process, programs/sql count
#   duckdb-cli-print  Benchmarks/duckdb-cli-print.sh: one `duckdb` process printing every row
#   duckdb nemo clingo oxigraph swipl   the harness's own adapters (in-process peers; swipl is
#                     a command-line peer), measured as the harness always does
#   xinzhi-duckdb     Benchmarks/xinzhi-translated.sh duckdb: the program `xinzhi translate`
#                     wrote, run by the harness venv's Python with DuckDB (not in the default list)
#   xinzhi-spark      the same for Spark, run by $SPARK_PYTHON (a Python that imports pyspark;
#                     not in the default list)
#
# The stores (xinzhi) and database files (duckdb-cli) are built before run.py starts, untimed,
# like the harness's own format conversions; the in-process peers' conversions are done by
# run.py. The harness records each process's peak RSS (ru_maxrss and a sampled RSS of the
# process tree), so nothing is wrapped in /usr/bin/time.
#
# Environment:
#   DUCKDB_CLI            the DuckDB CLI executable (default: the native binary that PyPI's
#                         duckdb-cli ships in HARNESS/.venv, not the venv's Python launcher)
#   XINZHI_BENCH_OPTIONS  extra `xinzhi query` options (default none: xinzhi runs with the
#                         limits a user gets, 60 s, 20,000,000 facts, an eighth of memory)
#   ENGINES               the engines to run (default the nine above, without the translated ones)
#   SPARK_PYTHON          the Python for xinzhi-spark (default: the harness venv's)
#   XINZHI_BENCH_CACHE, DUCKDB_BENCH_CACHE   where the stores and database files are cached
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
harness=$(cd "$1" && pwd)
xinzhi=$(readlink -f "$2")
shift 2
sizes=full reps=5 timeout=300 mem=12 cases="" out=""
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --mem-limit-gb) mem=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) usage ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
python="$harness/.venv/bin/python3"
[ -x "$python" ] || { echo "no venv at $harness/.venv (see Benchmarks/README.md)" >&2; exit 1; }
[ -x "$xinzhi" ] || { echo "not an executable: $xinzhi" >&2; exit 1; }
duckdb=${DUCKDB_CLI:-$("$python" -c 'import duckdb_cli, os; print(os.path.join(os.path.dirname(duckdb_cli.__file__), "duckdb"))')}
[ -x "$duckdb" ] || { echo "no DuckDB CLI at $duckdb (pip install duckdb-cli into the venv)" >&2; exit 1; }
XINZHI_BENCH_OPTIONS=${XINZHI_BENCH_OPTIONS:-}
case $out in
  "") out="$harness/results-xinzhi-$(date +%F).md" ;;
  /*) ;;
  *) out="$PWD/$out" ;;
esac
mkdir -p "$(dirname "$out")"
log="${out%.md}.log"

{
  echo "xinzhi: $xinzhi ($("$xinzhi" --version), sha256 $(sha256sum "$xinzhi" | cut -c1-16))"
  echo "duckdb cli: $duckdb ($("$duckdb" -version))"
  echo "XINZHI_BENCH_OPTIONS=$XINZHI_BENCH_OPTIONS"
  echo "[prepare] data, xinzhi stores, duckdb database files (untimed)"
} | tee "$log"
cd "$harness"
"$python" gen.py --sizes "$sizes"
for size in ${sizes//,/ }; do
  for data in "$harness/data/$size"/*.tsv; do
    "$here/xinzhi-command.sh" --prepare "$xinzhi" "$data"
    "$here/duckdb-cli-command.sh" --prepare "$duckdb" "$data"
  done
done
spark_python=${SPARK_PYTHON:-$python}
case ",${ENGINES:-}," in
  *,xinzhi-duckdb,*|*,xinzhi-spark,*)
    # The exports and translations of every case (untimed, cached).
    "$python" - "$sizes" "$cases" <<'PY' | while read -r program data; do
import sys, common
sizes, wanted = sys.argv[1].split(','), [c for c in sys.argv[2].split(',') if c]
for size in sizes:
    for case in common.cases(size):
        if wanted and case.id not in wanted and case.workload not in wanted:
            continue
        print(f"programs/{case.program}.dl data/{size}/{case.dataset}.tsv")
PY
      for target in duckdb spark; do
        "$here/xinzhi-translated.sh" --prepare "$target" "$xinzhi" "$python" "$harness/$program" "$harness/$data"
      done
    done ;;
esac

# The options go through `env` so that the report's engine table shows them.
xopts=(env "XINZHI_BENCH_OPTIONS=$XINZHI_BENCH_OPTIONS")
q() { printf '%q ' "$@"; }
args=(--engines "${ENGINES:-xinzhi,xinzhi-print,duckdb-cli,duckdb-cli-print,duckdb,nemo,clingo,oxigraph,swipl}"
  --cli "xinzhi=$(q "${xopts[@]}" "$here/xinzhi-command.sh" "$xinzhi"){program} {data}"
  --cli "xinzhi-print=$(q "${xopts[@]}" "$here/xinzhi-print.sh" "$xinzhi"){program} {data}"
  --cli "duckdb-cli=$(q "$here/duckdb-cli-command.sh" "$duckdb"){program} {data}"
  --cli "duckdb-cli-print=$(q "$here/duckdb-cli-print.sh" "$duckdb"){program} {data}"
  --cli "xinzhi-duckdb=$(q "$here/xinzhi-translated.sh" duckdb "$xinzhi" "$python"){program} {data}"
  --cli "xinzhi-spark=$(q "$here/xinzhi-translated.sh" spark "$xinzhi" "$spark_python"){program} {data}"
  --sizes "$sizes" --reps "$reps" --timeout "$timeout" --mem-limit-gb "$mem" --out "$out")
if [ -n "$cases" ]; then args+=(--cases "$cases"); fi
status=0
"$python" run.py "${args[@]}" 2>&1 | tee -a "$log" || status=$?

# run.py's engine table shows a command-line engine's command, not its version: add them.
if [ -f "$out" ]; then
  {
    echo
    echo "## Command-line engines: versions"
    echo
    echo "- xinzhi: \`$("$xinzhi" --version)\`, $xinzhi, sha256 \`$(sha256sum "$xinzhi" | cut -d' ' -f1)\`;" \
      "query options added: \`--timeout 0 --max-facts 2000000000 $XINZHI_BENCH_OPTIONS\`"
    echo "- duckdb-cli: \`$("$duckdb" -version)\`, $duckdb (PyPI duckdb-cli" \
      "$("$python" -m pip show duckdb-cli 2>/dev/null | sed -n 's/^Version: //p'))"
    echo "- swipl: \`$(swipl --version 2>/dev/null || echo 'not installed')\`"
    echo "- runner: \`Benchmarks/run-harness.sh $harness $xinzhi --sizes $sizes --reps $reps" \
      "--timeout $timeout --mem-limit-gb $mem${cases:+ --cases $cases}\`"
  } >>"$out"
fi
echo "report: $out" | tee -a "$log"
exit "$status"
