#!/usr/bin/env bash
# Runs the embed suite in MarginFace (TorchSharp and ONNX Runtime) and in plain PyTorch on this machine with the same
# settings, and prints images/s side by side with ratios to PyTorch (above 1 means faster than PyTorch).
# Usage: bench/compare_embed.sh [--threads N] [--device cpu|cuda] [--networks a,b] [--batches 1,64] [--repeats 5] [--quick]
#        [--runtimes torchsharp,onnxruntime] (MarginFace's side only; ONNX Runtime runs on the CPU)
#   MARGINFACE: how to start marginface (default: dotnet run --project src/MarginFace.Cli -c Release --)
#   PYTHON:     the Python with PyTorch (default: python3)
set -euo pipefail
cd "$(dirname "$0")/.."
MARGINFACE=${MARGINFACE:-"dotnet run --project src/MarginFace.Cli -c Release --"}
PYTHON=${PYTHON:-python3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
common=()
cs_only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads|--device|--networks|--batches|--repeats|--warmup|--seed) common+=("$1" "$2"); shift 2 ;;
    --quick) common+=("$1"); shift ;;
    --libtorch|--runtimes) cs_only+=("$1" "$2"); shift 2 ;;
    *) echo "error: compare_embed.sh: unknown option '$1'" >&2; exit 1 ;;
  esac
done
$MARGINFACE bench embed "${common[@]}" "${cs_only[@]}" --json "$out/marginface.json" >&2
$PYTHON bench/pytorch_reference.py embed "${common[@]}" --json "$out/pytorch.json"
$PYTHON - "$out/marginface.json" "$out/pytorch.json" <<'PY'
import json, sys
cs = json.load(open(sys.argv[1]))
py = {(r["network"], r["batch"]): r for r in json.load(open(sys.argv[2]))}
rows = [("network", "B", "runtime", "threads", "images/s", "PyTorch images/s", "x PyTorch")]
for r in cs:
    p = py.get((r["network"], r["batch"]))
    if p is None:
        continue
    rows.append((r["network"], str(r["batch"]), r["runtime"], f"{r['threads']}/{p['threads']}", f"{r['imagesPerSecond']:.1f}",
                 f"{p['imagesPerSecond']:.1f}", f"{r['imagesPerSecond'] / p['imagesPerSecond']:.2f}"))
widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
for row in rows:
    print("  ".join(c.ljust(widths[i]) if i <= 2 else c.rjust(widths[i]) for i, c in enumerate(row)))
PY
