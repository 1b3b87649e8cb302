#!/usr/bin/env bash
# Compare two builds of secannex on the same command, taking turns (A, B, A, B...),
# so that a slow spell of a shared machine weighs on both alike:
#
#   scripts/ab.sh ROUNDS OLD_BINARY NEW_BINARY -- ARGS...
#   scripts/ab.sh 40 /tmp/secannex.old target/release/secannex -- \
#       generate samples/infusion-pumps.yaml -o /tmp/ab --format docx
#
# Prints the median wall time of each, and the median of each round's ratio
# NEW / OLD (below 1: the new build is faster). Keep a copy of the old binary
# before rebuilding: `cp target/release/secannex /tmp/secannex.old`.
set -euo pipefail
if (($# < 4)) || [[ $4 != -- ]]; then
  echo "usage: scripts/ab.sh ROUNDS OLD_BINARY NEW_BINARY -- ARGS..." >&2
  exit 2
fi
rounds=$1 old=$2 new=$3
shift 4

# Wall time in microseconds of one run. A run that fails stops the comparison:
# the time of a failure says nothing.
wall_us() {
  local start end
  start=$(date +%s%N)
  if ! "$@" >/dev/null 2>&1; then
    echo "failed: $*" >&2
    return 1
  fi
  end=$(date +%s%N)
  echo $(((end - start) / 1000))
}

# Median of the numbers on standard input.
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

t_old=() t_new=() ratios=()
for ((r = 0; r < rounds; r++)); do
  a=$(wall_us "$old" "$@")
  b=$(wall_us "$new" "$@")
  t_old+=("$a") t_new+=("$b")
  ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b / a }')")
done
printf 'old %s: median %.1f ms\n' "$old" "$(printf '%s\n' "${t_old[@]}" | median | awk '{ print $1 / 1000 }')"
printf 'new %s: median %.1f ms\n' "$new" "$(printf '%s\n' "${t_new[@]}" | median | awk '{ print $1 / 1000 }')"
printf 'new / old, median of %d rounds: %.3f\n' "$rounds" "$(printf '%s\n' "${ratios[@]}" | median)"
