#!/bin/sh
# The print variant of xinzhi-command.sh (read its header): the same cached store and translated
# program, but the query is `?- OUT(V1, ..., Vn).` with --format tsv, its whole answer sent
# through a pipe into `wc -l`; prints `count: N` (lines minus xinzhi's one TSV header line).
#
#   xinzhi-print.sh XINZHI PROGRAM.dl DATA.tsv
#   python3 run.py --cli xinzhi-print="/work/main/Benchmarks/xinzhi-print.sh \
#     /work/main/.build/release/xinzhi {program} {data}" --engines xinzhi-print
exec "$(dirname "$0")/xinzhi-command.sh" --print "$@"
