#!/usr/bin/env bash
# Compare secannex with the tools a buyer would otherwise use, in one run on the
# same machine: pandoc (the same Markdown to DOCX) and LibreOffice headless (the
# same DOCX to PDF). Prints median wall times and the ratios; the tools take
# turns run after run.
#
#   scripts/compare.sh [QUESTIONNAIRE] [RUNS]
#
# Installs pandoc and LibreOffice Writer from Debian if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
sample=${1:-samples/heart-failure-telemonitoring.yaml}
runs=${2:-5}

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need pandoc pandoc
need soffice libreoffice-writer-nogui

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/secannex
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Wall time in milliseconds of one run of a command, in $ms. A run that fails
# stops the script: the time of a failure says nothing.
wall_ms() {
  local start end
  start=$(date +%s%N)
  if ! "$@" >/dev/null 2>&1; then
    echo "failed: $*" >&2
    exit 1
  fi
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
}

# Median of the numbers given as arguments.
median() {
  printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"
}

# The reference inputs: the annex Markdown and DOCX that secannex writes.
$bin generate "$sample" -o "$tmp/ref" --format md,docx --date 2027-01-15 >/dev/null
md=$(ls "$tmp"/ref/*-annex.md | head -1)
docx=$(ls "$tmp"/ref/*-annex.docx | head -1)
pages=$($bin generate "$sample" -o "$tmp/pages" --format pdf --date 2027-01-15 >/dev/null && pdfinfo "$(ls "$tmp"/pages/*-annex.pdf | head -1)" 2>/dev/null | awk '/^Pages/ {print $2}')

# The four commands take turns, run after run, so that a slow spell of a shared
# machine weighs on all of them alike instead of on whichever ran then.
t_all=(); t_docx=(); t_pandoc=(); t_lo=()
for _ in $(seq "$runs"); do
  wall_ms "$bin" generate "$sample" -o "$tmp/all" --date 2027-01-15; t_all+=("$ms")
  wall_ms "$bin" generate "$sample" -o "$tmp/docx" --format docx --date 2027-01-15; t_docx+=("$ms")
  wall_ms pandoc "$md" -f markdown -t docx -o "$tmp/pandoc.docx"; t_pandoc+=("$ms")
  wall_ms soffice --headless --convert-to pdf --outdir "$tmp/lo" "$docx"; t_lo+=("$ms")
done
all=$(median "${t_all[@]}")
only_docx=$(median "${t_docx[@]}")
pandoc_docx=$(median "${t_pandoc[@]}")
lo_pdf=$(median "${t_lo[@]}")

echo "sample: $sample ($(wc -c <"$md") bytes of Markdown, ${pages:-?} PDF pages), median of $runs runs"
printf '%-58s %8s ms\n' "secannex: whole annex (DOCX, PDF/A, checklist, MD, JSON)" "$all"
printf '%-58s %8s ms\n' "secannex: DOCX only (from the questionnaire)" "$only_docx"
printf '%-58s %8s ms\n' "pandoc: the same Markdown to DOCX" "$pandoc_docx"
printf '%-58s %8s ms\n' "LibreOffice headless: the same DOCX to PDF" "$lo_pdf"
awk -v a="$all" -v d="$only_docx" -v p="$pandoc_docx" -v l="$lo_pdf" 'BEGIN {
  printf "ratio pandoc DOCX / secannex DOCX:                 %.1fx\n", p / d
  printf "ratio (pandoc + LibreOffice) / secannex whole annex: %.1fx\n", (p + l) / a
}'
