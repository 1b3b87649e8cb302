#!/usr/bin/env bash
# How a batch scales from one job to two, against what this machine allows: in one
# run, the same N synthetic questionnaires are generated
#   (a) by one process with --jobs 1,
#   (b) by one process with --jobs 2,
#   (c) by two processes with --jobs 1 at the same time, each on half of them.
# (c) shares nothing but the machine (caches, memory bandwidth, a host's other
# tenants), so it is the best two cores can do for this work; (b) is what
# secannex does with them. The three take turns, round after round, so that a
# slow spell of a shared machine weighs on all of them alike. Prints the median
# wall and CPU times, and the median of each round's ratios (a shared machine's
# speed drifts from minute to minute: ratios within a round drift least).
#
#   scripts/scaling.sh [N] [ROUNDS]        (default: 100 questionnaires, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
rounds=${2:-3}

cargo build --release --quiet --bin secannex --example synth
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/secannex
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$target/release/examples/synth" "$n" "$tmp/all" >/dev/null
mkdir -p "$tmp/half1" "$tmp/half2"
i=0
for f in "$tmp"/all/*.yaml; do
  if (( i % 2 == 0 )); then cp "$f" "$tmp/half1/"; else cp "$f" "$tmp/half2/"; fi
  i=$((i + 1))
done

# "wall cpu" in milliseconds of one run of the command given (children included);
# nothing if it failed, and the caller stops: the time of a failure says nothing.
measure() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 ) || { echo "failed: $*" >&2; return 1; }
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t"
}
# Read one measurement into w and c, or stop the script.
take() { read -r w c < <(measure "$@") && [[ -n ${c:-} ]] || exit 1; }

one_job() { "$bin" generate "$tmp/all" -o "$tmp/out1" --jobs 1 -q; }
two_jobs() { "$bin" generate "$tmp/all" -o "$tmp/out2" --jobs 2 -q; }
two_processes() {
  local a b failed=0
  "$bin" generate "$tmp/half1" -o "$tmp/out3" --jobs 1 -q & a=$!
  "$bin" generate "$tmp/half2" -o "$tmp/out4" --jobs 1 -q & b=$!
  wait "$a" || failed=1
  wait "$b" || failed=1
  return "$failed"
}

median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a / b }'; }

# One run first, so that no variant pays for loading the binary from disk.
first=("$tmp"/all/*.yaml)
"$bin" generate "${first[0]}" -o "$tmp/warm" -q

w1=(); c1=(); w2=(); c2=(); w3=(); c3=(); scale=(); ceiling=(); cpu=()
for r in $(seq "$rounds"); do
  take one_job; w1+=("$w"); c1+=("$c")
  take two_jobs; w2+=("$w"); c2+=("$c")
  take two_processes; w3+=("$w"); c3+=("$c")
  scale+=("$(ratio "${w1[-1]}" "${w2[-1]}")")
  ceiling+=("$(ratio "${w1[-1]}" "${w3[-1]}")")
  cpu+=("$(ratio "${c2[-1]}" "${c1[-1]}")")
  echo "round $r: 1 job ${w1[-1]} ms, 2 jobs ${w2[-1]} ms, two processes ${w3[-1]} ms" >&2
done
W1=$(median "${w1[@]}"); C1=$(median "${c1[@]}")
W2=$(median "${w2[@]}"); C2=$(median "${c2[@]}")
W3=$(median "${w3[@]}"); C3=$(median "${c3[@]}")

echo "$n synthetic questionnaires, all formats, medians of $rounds rounds"
printf '%-52s %8s ms wall %8s ms CPU\n' "(a) one process, --jobs 1" "$W1" "$C1"
printf '%-52s %8s ms wall %8s ms CPU\n' "(b) one process, --jobs 2" "$W2" "$C2"
printf '%-52s %8s ms wall %8s ms CPU\n' "(c) two processes, --jobs 1 each, half each" "$W3" "$C3"
awk -v s="$(median "${scale[@]}")" -v m="$(median "${ceiling[@]}")" -v c="$(median "${cpu[@]}")" \
  -v w1="$W1" -v w2="$W2" -v c1="$C1" -v c2="$C2" 'BEGIN {
  printf "scaling from 1 to 2 jobs, (a) / (b):                 %.2fx\n", s
  printf "what two cores allow here, (a) / (c):                %.2fx\n", m
  printf "CPU spent by 2 jobs against 1, (b) / (a):            %.2f\n", c
  printf "cores kept busy by 1 job and by 2 jobs:              %.2f and %.2f\n", c1 / w1, c2 / w2
}'
