# Sourced by the xinzhi adapters: reads the harness's neutral program $program and sets
#   output     the `.output` relation
#   rules      the program in Xinzhi's syntax (quoted constants of the neutral format become
#              entities; `%` comments and `.output` go)
#   variables  V1, ..., Vn for the output relation's arity (3 for `triple`, otherwise read from
#              the first rule or fact whose head it is)
output=$(sed -n 's/^\.output[[:space:]]*//p' "$program")
rules=$(grep -v '^\.output' "$program" | sed 's/"\([a-z][a-z0-9_]*\)"/\1/g')
if [ "$output" = triple ]; then
  arity=3
else
  head=$(printf '%s\n' "$rules" | grep -m1 "^$output(" | sed "s/^$output(\([^)]*\)).*/\1/")
  arity=$(printf '%s' "$head" | awk -F, '{print NF}')
fi
variables=$(awk -v n="$arity" 'BEGIN { for (i = 1; i <= n; i++) printf "%sV%d", (i > 1 ? ", " : ""), i }')
