# Runs translated programs one after another in this process, so that DuckDB (or Spark) starts
# once for all of them. Each line of the list file is PROGRAM<TAB>DATA<TAB>OUT; a program that
# raises leaves OUT/error.txt with the exception, and the next one runs.
import os
import runpy
import sys
import traceback

for line in open(sys.argv[1], encoding='utf-8'):
    program, data, out = line.rstrip('\n').split('\t')
    os.makedirs(out, exist_ok=True)
    sys.argv = [program, data, out, '--keys']
    try:
        runpy.run_path(program, run_name='__main__')
    except BaseException as e:  # noqa: BLE001 - reported to the test, which fails on it
        with open(os.path.join(out, 'error.txt'), 'w', encoding='utf-8') as f:
            f.write(''.join(traceback.format_exception_only(type(e), e)))
