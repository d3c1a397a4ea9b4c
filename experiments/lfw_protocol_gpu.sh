#!/usr/bin/env bash
# The LFW protocol (eval lfw-protocol) on the GPU machine: three lanes side by side on one GPU, each running its share of
# the ten folds for each config in turn, until DEADLINE seconds after the start (a running fold is stopped with SIGINT and
# resumes on the next call while the machine is warm). Then every fold's result.json, scores.tsv, metrics and logs (not the
# model files) are packed into OUTDIR/lfw-gpu-results.tgz.
#
# Usage: experiments/lfw_protocol_gpu.sh OUTDIR
#   MARGINFACE  the published MarginFace.Cli       LFW    identity folders of LFW      PAIRS  LFW's pairs.txt
#   RUNS        where the runs are kept (default /tmp/lfw-runs)   DEADLINE  seconds (default 540)
#   CONFIGS     config files in the order they are run (default: experiments/configs/lfw-protocol-v8.json, v9, v10)
#   WORKERS     decoding threads per lane (default 5); every lane keeps its crops in memory (--cache-crops)
#   LANES       fold lists of the lanes, separated by spaces (default: "1,4,7,10 2,5,8 3,6,9")
#   ARGS        more eval lfw-protocol options for every run, e.g. "--unseen-threshold" (keeps unseen-scores.tsv for
#               eval lfw-rescore --threshold unseen-normal-fit and for fusing under it)
#   WCCN        1: after each config's folds, eval lfw-wccn on the lane's finished folds into RUNS/NAME-laneI-wccn (the
#               models stay on the machine only, so this is where their whitened scores can be made)
set -uo pipefail
out=${1:?usage: experiments/lfw_protocol_gpu.sh OUTDIR}
mkdir -p "$out"; out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
MARGINFACE=${MARGINFACE:?set MARGINFACE to the published MarginFace.Cli}
EXPERIMENTS=${EXPERIMENTS:-}   # the published MarginFace.Experiments, for WCCN=1
LFW=${LFW:?set LFW}; PAIRS=${PAIRS:?set PAIRS}
RUNS=${RUNS:-/tmp/lfw-runs}; DEADLINE=${DEADLINE:-540}
CONFIGS=${CONFIGS:-"experiments/configs/lfw-protocol-v8.json experiments/configs/lfw-protocol-v9.json experiments/configs/lfw-protocol-v10.json"}
WORKERS=${WORKERS:-5}
LANES=${LANES:-"1,4,7,10 2,5,8 3,6,9"}
DEVICE=${DEVICE:-cuda}
t0=$(date +%s)
mkdir -p "$RUNS"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 5 > "$RUNS/gpu-usage.csv" 2>&1 &
  smi=$!
fi
lane() { # lane INDEX FOLDS
  local i=$1 folds=$2 cfg name left
  for cfg in $CONFIGS; do
    name=$(basename "$cfg" .json)
    left=$(( DEADLINE - ($(date +%s) - t0) ))
    if [ "$left" -lt "${MIN_LEFT:-30}" ]; then echo "lane $i: no time left for $name"; return; fi
    echo "lane $i: $name folds $folds (t+$(( $(date +%s) - t0 ))s, ${left}s left)"
    timeout -s INT -k 30 "$left" "$MARGINFACE" eval lfw-protocol --images "$LFW" --pairs "$PAIRS" --folds "$folds" --config "$cfg" \
      --out "$RUNS/$name-lane$i" --flip --threads 1 --device "$DEVICE" --workers "$WORKERS" --cache-crops ${ARGS:-} 2>&1 | tr '\r' '\n' | grep -v -E ' eta [0-9]' >> "$RUNS/$name-lane$i.log"
    echo "lane $i: $name exit ${PIPESTATUS[0]} at t+$(( $(date +%s) - t0 ))s"
    left=$(( DEADLINE - ($(date +%s) - t0) ))
    if [ "${WCCN:-0}" = 1 ] && [ "$left" -ge "${MIN_LEFT:-30}" ]; then
      timeout -s INT -k 30 "$left" "${EXPERIMENTS:?set EXPERIMENTS to the published MarginFace.Experiments}" lfw-wccn "$RUNS/$name-lane$i" --images "$LFW" --pairs "$PAIRS" --flip \
        --device "$DEVICE" --threads 1 --workers "$WORKERS" --out "$RUNS/$name-lane$i-wccn" >> "$RUNS/$name-lane$i-wccn.log" 2>&1
      echo "lane $i: $name wccn exit $? at t+$(( $(date +%s) - t0 ))s"
    fi
  done
}
i=0; lanes=()
for folds in $LANES; do i=$((i + 1)); lane "$i" "$folds" & lanes+=($!); done
wait "${lanes[@]}"
[ -n "${smi:-}" ] && kill "$smi" 2> /dev/null
echo "all lanes ended at t+$(( $(date +%s) - t0 ))s"
grep -h -E "fold [0-9]+: accuracy|error" "$RUNS"/*.log
(cd "$RUNS" && find . -type f ! -name '*.bin' ! -name '*.model' -print0 | tar czf "$out/lfw-gpu-results.tgz" --null -T -)
ls -l "$out"
