#!/usr/bin/env bash
# Open every generated file with the readers a buyer or a bidder would use
# (poppler, qpdf, LibreOffice), not only with the Rust libraries of the tests:
#
#   scripts/check-readers.sh [DIR]
#
# Without DIR: builds the release binary and generates every sample into a
# temporary directory. With DIR: checks the outputs already in DIR (a
# `secannex generate` output directory, with its *-selection.json files).
#
# Each PDF: `qpdf --check` clean (warnings fail too), every font embedded,
# PDF/A-2b identification in the document XMP plus an output intent, a
# non-empty outline, and its text holds every clause id it should (the annex:
# every selected clause except buyer actions; the checklist: the buyer actions).
# Each DOCX: LibreOffice converts it to a non-empty PDF whose text holds every
# clause id of the annex. Each XLSX: LibreOffice converts it to a non-empty CSV.
#
# Prints one line per file, collects every failure, exits 1 if any check failed.
# Installs poppler-utils, qpdf, LibreOffice Writer (and Calc, once there is an
# XLSX to read) and jq from Debian if they are missing.
set -euo pipefail

# Resolve DIR before the cd below, so a relative path still works.
dir=${1:+$(realpath "$1")}
cd "$(dirname "$0")/.."
start=$(date +%s)
tmp=$(mktemp -d /tmp/check-readers.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Collect what is missing and install it in one apt-get run: CI starts from a
# bare Debian with only the Rust toolchain, and one `apt-get update` is enough.
missing=()
need() { command -v "$1" >/dev/null 2>&1 || [[ -e $1 ]] || missing+=("$2"); }
install_missing() {
  ((${#missing[@]})) || return 0
  echo "installing ${missing[*]}"
  local t0=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  # apt's chatter goes to a log, shown only if the installation fails.
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$tmp/apt.log" 2>&1; then
    tail -20 "$tmp/apt.log" >&2
    exit 2
  fi
  echo "installed in $((SECONDS - t0)) s"
  missing=()
}
need pdffonts poppler-utils
need pdftotext poppler-utils
need pdfinfo poppler-utils
need qpdf qpdf
need soffice libreoffice-writer-nogui
need jq jq
install_missing

if [[ -z $dir ]]; then
  cargo build --release --locked --quiet
  dir=$tmp/out
  # A fixed date, as in the README, so that runs are comparable.
  "${CARGO_TARGET_DIR:-target}/release/secannex" generate samples/*.yaml -o "$dir" --date 2027-01-15 >/dev/null
  # A clause-pack comparison too: its DOCX carries tracked changes.
  "${CARGO_TARGET_DIR:-target}/release/secannex" diff samples/infusion-pumps.yaml \
    tests/cases/diff/infusion-pumps-revised.yaml -o "$dir" --format pdf,docx,json --date 2027-01-15 >/dev/null
fi
[[ -d $dir ]] || { echo "no such directory: $dir" >&2; exit 2; }

shopt -s nullglob
failures=()
checked=0
ok() { printf 'ok    %s  (%s)\n' "$1" "$2"; }
fail() { printf 'FAIL  %s  %s\n' "$1" "$2"; failures+=("$1: $2"); }
# Not a failure: something a reader shows that deserves a look (see split_ids).
noted=0
note() { printf 'note  %s  %s\n' "$1" "$2"; noted=$((noted + 1)); }

# The clause ids each file must show, from the selection JSON of each
# questionnaire (one entry per lot): REF[-LOT]-annex.{pdf,docx} get the
# clauses for suppliers, REF[-LOT]-checklist.pdf the buyer actions (which the
# README says never go to bidders).
declare -A want
for sel in "$dir"/*-selection.json; do
  prefix=$(basename "$sel" -selection.json)
  while IFS='|' read -r lot supplier actions; do
    name=$prefix${lot:+-$lot}
    want[$name-annex.pdf]=$supplier
    want[$name-annex.docx]=$supplier
    want[$name-checklist.pdf]=$actions
  done < <(jq -r '.lots[] | [.lot.id // "",
      ([.selected[] | select(.role != "buyer-action") | .id] | join(" ")),
      ([.selected[] | select(.role == "buyer-action") | .id] | join(" "))] | join("|")' "$sel")
done
# A comparison (REF-changes.{pdf,docx}, from `secannex diff`) shows the ids of
# the clauses that differ.
for d in "$dir"/*-changes.json; do
  name=$(basename "$d" .json)
  want[$name.pdf]=$(jq -r '[.lots[].clauses[].id] | unique | join(" ")' "$d")
  want[$name.docx]=${want[$name.pdf]}
done
# Every id of the catalogue that a selection mentions, to recognise an id that
# a line break cut in two.
jq -r '.lots[] | .selected[].id, .left_out[].id' "$dir"/*-selection.json /dev/null 2>/dev/null | sort -u >"$tmp/known-ids" || true

# A file a selection announces but that is not there is a failure too.
for f in "${!want[@]}"; do
  [[ -e $dir/$f ]] || fail "$f" "missing (its selection JSON lists it)"
done

# ids_missing TEXTFILE IDS: prints the ids of IDS that TEXTFILE does not contain
# as a whole word. The text is not normalised: an id broken by a line break or
# a hyphen does not count, so at least one intact copy must be there.
ids_missing() {
  grep -a -o -E '\b[A-Z]{2,5}(-[A-Z0-9]+)+-[0-9]{2}\b' "$1" | sort -u >"$1.found" || true
  tr ' ' '\n' <<<"$2" | sed '/^$/d' | sort -u | comm -23 - "$1.found"
}

# split_ids TEXTFILE: ids that a line break cut in two in the PDF text (a
# break at an id's hyphen, or a soft hyphen inside it), one "GEN-CON|SEQ-02 x3"
# a line. A reader searching for the id does not find those copies. secannex's
# own PDFs keep ids whole (a failure here); LibreOffice breaks the DOCX's ids at
# their hyphens as Word does (a note).
split_ids() {
  LC_ALL=C awk -v shy=$'\xc2\xad' -v known="$tmp/known-ids" '
    BEGIN { while ((getline id <known) > 0) ok[id] = 1 }
    {
      if (prev != "" && NF) {
        first = $1; sub(/[^A-Z0-9-].*$/, "", first)
        if ((prev first) in ok) n[prev "|" first]++
      }
      prev = ""
      if (NF) {
        last = $NF
        if (substr(last, length(last) - 1) == shy) last = substr(last, 1, length(last) - 2)
        sub(/^[^A-Z]+/, "", last)
        if (last ~ /^[A-Z][A-Z][A-Z]-[A-Z0-9-]*$/ && !(last in ok)) prev = last
      }
    }
    END { for (k in n) printf "%s x%d\n", k, n[k] }' "$1" | sort
}

# text_checks FILE PDF [strict]: the clause ids FILE must show, read from PDF's
# text; with "strict", an id broken across lines is a failure, not a note.
# Appends to the caller's `problems`, `done_` and `notes_`.
text_checks() {
  local file=$1 pdf=$2 strict=${3:-} txt missing_ids split summary
  txt=$tmp/$(basename "$pdf").txt
  if ! pdftotext -raw "$pdf" "$txt" 2>/dev/null; then
    problems+=("pdftotext failed")
    return
  fi
  if [[ -z ${want[$file]+set} ]]; then
    problems+=("no selection JSON names this file, so its clause ids are unknown")
    return
  fi
  missing_ids=$(ids_missing "$txt" "${want[$file]}" | paste -sd' ' -)
  if [[ -n $missing_ids ]]; then
    problems+=("clause ids missing from the text: $missing_ids")
  else
    done_+=("$(wc -w <<<"${want[$file]}" | tr -d ' ') clause ids in the text")
  fi
  split=$(split_ids "$txt")
  [[ -z $split ]] && return
  summary="$(awk -F' x' '{ s += $2 } END { print s }' <<<"$split") id copies broken across lines in the text: $(paste -sd, - <<<"$split" | sed 's/,/, /g')"
  if [[ $strict == strict ]]; then problems+=("$summary"); else notes_+=("$summary"); fi
}

report() {
  local file=$1 p
  checked=$((checked + 1))
  if ((${#problems[@]})); then
    for p in "${problems[@]}"; do fail "$file" "$p"; done
  else
    ok "$file" "$(printf '%s, ' "${done_[@]}" | sed 's/, $//')"
  fi
  for p in "${notes_[@]}"; do note "$file" "$p"; done
}

# --- PDF: structure, fonts, PDF/A identification, outline, text -------------
check_pdf() {
  local pdf=$1 file out rc fonts bad root meta catalog xmp outlines
  file=$(basename "$pdf")
  problems=() done_=() notes_=()

  # qpdf exits 2 on errors and 3 on warnings; both fail.
  rc=0; out=$(qpdf --check "$pdf" 2>&1) || rc=$?
  if ((rc)) || grep -q -i 'warning' <<<"$out"; then
    problems+=("qpdf --check exit $rc: $(grep -i -m2 -E 'warning|error' <<<"$out" | paste -sd' ' - | cut -c1-200)")
  else
    done_+=("qpdf --check")
  fi

  # pdffonts: the emb column is the fifth field from the end (font names and
  # types may contain spaces, the last five columns never do).
  if fonts=$(pdffonts "$pdf" 2>/dev/null); then
    bad=$(awk 'NR > 2 && $(NF - 4) != "yes" { print $1 }' <<<"$fonts" | paste -sd' ' -)
    local n=$(($(wc -l <<<"$fonts") - 2))
    if ((n < 1)); then problems+=("pdffonts lists no font")
    elif [[ -n $bad ]]; then problems+=("fonts not embedded: $bad")
    else done_+=("$n fonts embedded"); fi
  else
    problems+=("pdffonts failed")
  fi

  # PDF/A-2b: the catalog's /Metadata stream (the document XMP) must say
  # pdfaid:part 2, conformance B; PDF/A also requires an /OutputIntents.
  root=$(qpdf --json --json-key=qpdf --json-object=trailer "$pdf" 2>/dev/null |
    jq -r '.qpdf[1].trailer.value["/Root"] // empty' 2>/dev/null) || true
  catalog=$( [[ -n $root ]] && qpdf --json --json-key=qpdf --json-object="${root%% *}" "$pdf" 2>/dev/null |
    jq -c '.qpdf[1][] | .value' 2>/dev/null) || true
  meta=$(jq -r '.["/Metadata"] // empty' <<<"${catalog:-null}" 2>/dev/null) || true
  xmp=$( [[ -n $meta ]] && qpdf --show-object="${meta%% *}" --filtered-stream-data "$pdf" 2>/dev/null) || true
  if [[ -z $xmp ]]; then
    problems+=("no XMP metadata stream in the catalog")
  elif ! grep -a -q -E 'pdfaid:part(>|=")2(<|")' <<<"$xmp" ||
       ! grep -a -q -E 'pdfaid:conformance(>|=")B(<|")' <<<"$xmp"; then
    problems+=("XMP lacks PDF/A-2b identification (found: $(grep -a -o -E 'pdfaid:(part|conformance)(>|=")[^<"]+' <<<"$xmp" | paste -sd' ' -))")
  elif [[ $(jq -r 'has("/OutputIntents")' <<<"$catalog") != true ]]; then
    problems+=("PDF/A identification but no /OutputIntents in the catalog")
  else
    done_+=("PDF/A-2b id")
  fi

  # The outline as qpdf resolves it from /Outlines: an empty or absent outline
  # gives an empty list.
  outlines=$(qpdf --json --json-key=outlines "$pdf" 2>/dev/null | jq '.outlines | length' 2>/dev/null) || true
  if [[ ${outlines:-0} -gt 0 ]]; then
    done_+=("outline of $outlines entries")
  else
    problems+=("no document outline (bookmarks)")
  fi

  text_checks "$file" "$pdf" strict
  report "$file"
}

for pdf in "$dir"/*.pdf; do check_pdf "$pdf"; done

# soffice_errors RC LOG: soffice's own errors ("Error: source file could not be
# loaded") name no file, so they are shown once, before the lines per file.
soffice_errors() {
  if (($1)) || grep -q '^Error' "$2"; then
    echo "soffice exit $1: $(grep '^Error' "$2" | sort | uniq -c | paste -sd';' -)"
  fi
}

# --- DOCX: LibreOffice opens and renders it ----------------------------------
# One soffice call for all files (start-up dominates), with a private profile so
# that it runs as root on CI and never hands the job to another instance.
docx=("$dir"/*.docx)
if ((${#docx[@]})); then
  mkdir -p "$tmp/docx-pdf"
  rc=0
  timeout 1200 soffice -env:UserInstallation="file://$tmp/lo-profile" --headless \
    --convert-to pdf --outdir "$tmp/docx-pdf" "${docx[@]}" >"$tmp/soffice-docx.log" 2>&1 || rc=$?
  soffice_errors "$rc" "$tmp/soffice-docx.log"
  for f in "${docx[@]}"; do
    file=$(basename "$f")
    pdf=$tmp/docx-pdf/${file%.docx}.pdf
    problems=() done_=() notes_=()
    if [[ ! -s $pdf ]]; then
      problems+=("LibreOffice did not convert it to PDF")
    else
      done_+=("LibreOffice PDF of $(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}') pages")
      text_checks "$file" "$pdf"
    fi
    report "$file"
  done
fi

# --- XLSX: LibreOffice Calc opens it -----------------------------------------
xlsx=("$dir"/*.xlsx)
if ((${#xlsx[@]})); then
  # Calc only once there is a workbook to read (Writer does not open XLSX).
  need /usr/lib/libreoffice/program/libsclo.so libreoffice-calc-nogui
  install_missing
  mkdir -p "$tmp/xlsx-csv"
  rc=0
  timeout 1200 soffice -env:UserInstallation="file://$tmp/lo-profile" --headless \
    --convert-to csv --outdir "$tmp/xlsx-csv" "${xlsx[@]}" >"$tmp/soffice-xlsx.log" 2>&1 || rc=$?
  soffice_errors "$rc" "$tmp/soffice-xlsx.log"
  for f in "${xlsx[@]}"; do
    file=$(basename "$f")
    csv=$tmp/xlsx-csv/${file%.xlsx}.csv
    problems=() done_=() notes_=()
    # Non-empty means a cell with something in it: an empty file still gives "\n".
    if [[ -s $csv ]] && grep -q '[^[:space:],"]' "$csv"; then
      done_+=("LibreOffice CSV of $(wc -l <"$csv") lines (first sheet)")
    elif [[ -e $csv ]]; then
      problems+=("LibreOffice converted it to an empty CSV")
    else
      problems+=("LibreOffice did not convert it to CSV")
    fi
    report "$file"
  done
fi

echo
if ((checked == 0)); then
  fail "$dir" "no PDF, DOCX or XLSX to check"
fi
echo "$checked files checked in $(($(date +%s) - start)) s, ${#failures[@]} failure(s), $noted note(s)"
if ((${#failures[@]})); then
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
