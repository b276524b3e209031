#!/bin/sh
# The store's write and open paths, and a regular-expression query, through the `xinzhi` command
# as users run it: `store-commands.sh XINZHI [LABEL]`. Prints one line per measurement:
# LABEL, what, seconds (wall), peak RSS in KB. The TSV is made once (1,000,000 seeded random
# triples, 100,000 entities, 20 predicates) under $XINZHI_BENCH_DIR (default /tmp).
set -eu
xinzhi=$1
label=${2:-xinzhi}
dir=${XINZHI_BENCH_DIR:-/tmp}
tsv="$dir/xinzhi-store-bench-1m.tsv"
if [ ! -f "$tsv" ]; then
  python3 - "$tsv" <<'PY'
import random, sys
r = random.Random(20261205)
with open(sys.argv[1], "w") as f:
    seen = set()
    while len(seen) < 1_000_000:
        t = (r.randrange(100_000), r.randrange(20), r.randrange(100_000))
        if t in seen:
            continue
        seen.add(t)
        f.write(f"e{t[0]}\tp{t[1]}\te{t[2]}\n")
PY
fi
store="$dir/xinzhi-store-bench-$label"
rm -rf "$store"
measure() {
  what=$1
  shift
  /usr/bin/time -f "%e %M" -o "$dir/xinzhi-store-bench-time" "$@" >/dev/null 2>&1 || { echo "$label $what FAILED"; return; }
  printf '%s\t%s\t%s\n' "$label" "$what" "$(cat "$dir/xinzhi-store-bench-time" | tr ' ' '\t')"
}
"$xinzhi" init "$store" >/dev/null
measure "import 1M-triple TSV (one transaction, fsync, checkpoint)" "$xinzhi" --store "$store" import "$tsv"
for i in 1 2 3; do measure "stats: open from checkpoint ($i)" "$xinzhi" --store "$store" stats; done
rm -f "$store/xinzhi.checkpoint"
measure "stats: open by replaying the log (writes a checkpoint)" "$xinzhi" --store "$store" stats
start=$(date +%s.%N)
i=0
while [ $i -lt 100 ]; do
  "$xinzhi" --store "$store" assert "f(a$i, b$i)." --source bench >/dev/null
  i=$((i + 1))
done
end=$(date +%s.%N)
printf '%s\t%s\t%s\n' "$label" "100 sequential asserts, each its own process (total s)" "$(echo "$end - $start" | bc)"
graph=$(dirname "$0")/../../graph
for i in 1 2 3; do
  measure "regex over every label of the shipped graph ($i)" "$xinzhi" --store "$graph" query '?- label(X, L), matches(L, "(银行|[Bb]ank)s?$").' --format tsv
done
for i in 1 2 3; do
  measure "^(a|aa)+\$ on 2,000 strings of 25 a's and a number, none matching ($i)" "$xinzhi" --store "$graph" query 'n(0). n(M) :- n(K), K < 1999, M = K + 1. s(N, S) :- n(N), S = concat("aaaaaaaaaaaaaaaaaaaaaaaaa", str(N)). ?- s(N, S), matches(S, "^(a|aa)+$").' --format tsv --timeout 120
done
rm -rf "$store"
