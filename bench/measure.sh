#!/usr/bin/env bash
# Reruns the README's measured claims that are too slow for the test suite and prints each claim beside what this run
# measured. The cheap claims (the kept LFW runs' means, import against PyTorch, learning on synthetic identities) are
# tests; these are not. Nothing is compared automatically: the table is for a person to read.
# Usage: bench/measure.sh [--quick] [NAME...]
#   NAME: kept-lfw-nine-folds, kept-lfw-normal-fit (seconds each: the kept LFW scores rescored),
#         orl-pretrained (~2 min), pretrained-lfw (~6-8 min), mnist (~4-5 min); default: all of them
#   --quick: only the ones that take seconds (kept-lfw-*)
#   MARGINFACE: how to start marginface (default: the Release build's MarginFace.Cli.dll, built first)
#   EXPERIMENTS: how to start the experiments program (default: its Release build, built first)
#   MARGINFACE_SHARED: the shared data folder (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${MARGINFACE_SHARED:-../shared}
pairs=$shared/data/lfw/pairs.txt
lfw=$shared/data/lfw/lfw-deepfunneled
orl=$shared/data/orl_faces
all=(kept-lfw-nine-folds kept-lfw-normal-fit orl-pretrained pretrained-lfw mnist)
quick=(kept-lfw-nine-folds kept-lfw-normal-fit)
chosen=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) chosen+=("${quick[@]}"); shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) chosen+=("$1"); shift ;;
  esac
done
[ ${#chosen[@]} -gt 0 ] || chosen=("${all[@]}")

if [ -z "${MARGINFACE:-}" ]; then
  dotnet build src/MarginFace.Cli -c Release -v quiet -nologo >/dev/null
  MARGINFACE="dotnet src/MarginFace.Cli/bin/Release/net10.0/MarginFace.Cli.dll"
fi
# The kept LFW runs are rescored by the experiments program (experiments/README.md).
if [ -z "${EXPERIMENTS:-}" ]; then
  dotnet build experiments/MarginFace.Experiments -c Release -v quiet -nologo >/dev/null
  EXPERIMENTS="dotnet experiments/MarginFace.Experiments/bin/Release/net10.0/MarginFace.Experiments.dll"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rows=()

# row NAME CLAIMED MEASURED SECONDS WHERE
row() { rows+=("$(printf '%-20s | %-22s | %-22s | %6s s | %s' "$1" "$2" "$3" "$4" "$5")"); }

# The number after PREFIX on the first line of FILE that has it, with what follows up to the end of the line.
after() { grep -m1 -o "$1.*" "$2" | sed "s/^$1 *//" || echo "(not found: see $2)"; }

measure() {
  local name=$1 log=$work/$1.log start=$SECONDS
  echo "measuring $name ..." >&2
  case "$name" in
    kept-lfw-nine-folds)
      $EXPERIMENTS lfw-rescore experiments/lfw-runs/v12 --pairs "$pairs" --threshold other-folds --out "$work/$name" >"$log" 2>&1
      row "$name" "89.13 % ± 0.44 %" "$(after 'mean accuracy' "$log" | cut -d'(' -f1)" $((SECONDS - start)) "experiments/README.md: LFW's nine-folds rule on the ten models" ;;
    kept-lfw-normal-fit)
      $EXPERIMENTS lfw-rescore experiments/lfw-runs/v12 --pairs "$pairs" --threshold unseen-normal-fit --out "$work/$name" >"$log" 2>&1
      row "$name" "89.93 % ± 0.34 %" "$(after 'mean accuracy' "$log" | cut -d'(' -f1)" $((SECONDS - start)) "README: the same ten models, threshold from normal fits" ;;
    orl-pretrained)
      # ORL40: s1..s40 linked into a tree, with s2/8.pgm -> s2_test/8.pgm (docs/evaluation.md).
      local tree=$work/ORL40
      for s in $(seq 1 40); do mkdir -p "$tree/s$s"; for f in "$orl/s$s"/*.pgm; do ln -s "$(realpath "$f")" "$tree/s$s/"; done; done
      [ -e "$tree/s2/8.pgm" ] || ln -s "$(realpath "$orl/s2_test/8.pgm")" "$tree/s2/8.pgm"
      { $MARGINFACE embed --model pretrained --align --flip --out "$work/orl.jsonl" "$tree" &&
        $MARGINFACE eval identification --embeddings "$work/orl.jsonl" --split 5; } >"$log" 2>&1
      row "$name" "100.00 %" "$(after 'rank-1' "$log")" $((SECONDS - start)) "README/docs/evaluation.md: ORL 5+5 rank-1, pretrained" ;;
    pretrained-lfw)
      $MARGINFACE eval lfw --pairs "$pairs" --model pretrained --images "$lfw" --crop landmarks:150 --flip --out "$work/$name" >"$log" 2>&1
      row "$name" "98.65 % ± 0.12 %" "$(after 'mean accuracy' "$log" | cut -d'(' -f1)" $((SECONDS - start)) "README/docs/interop.md: pretrained, YuNet-aligned, 10 folds" ;;
    mnist)
      $MARGINFACE mnist --loss arcface --out "$work/$name" >"$log" 2>&1
      row "$name" "99.04 %" "$(after 'test accuracy:' "$log")" $((SECONDS - start)) "README: mnist --loss arcface, 10 epochs" ;;
    *) echo "unknown measurement '$name'; known: ${all[*]}" >&2; exit 2 ;;
  esac
}

for name in "${chosen[@]}"; do measure "$name"; done
printf '%-20s | %-22s | %-22s | %8s | %s\n' measurement claimed measured time "where claimed"
printf '%s\n' "${rows[@]}"
