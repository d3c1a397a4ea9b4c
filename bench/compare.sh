#!/usr/bin/env bash
# Runs the heads suite in MarginFace and in plain PyTorch on this machine with the same settings, and prints the
# side-by-side table with ratios (MarginFace / PyTorch; below 1 means MarginFace is faster).
# Usage: bench/compare.sh [--threads N] [--device cpu|cuda] [--classes 10575,100000] [--batch 128] [--repeats 5] [--quick]
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
    --threads|--device|--classes|--batch|--dim|--repeats|--warmup) common+=("$1" "$2"); shift 2 ;;
    --quick) common+=("$1"); shift ;;
    --libtorch) cs_only+=("$1" "$2"); shift 2 ;;
    *) echo "error: compare.sh: unknown option '$1'" >&2; exit 1 ;;
  esac
done
$MARGINFACE bench heads --heads arcface,cosface "${common[@]}" "${cs_only[@]}" --json "$out/marginface.json" >&2
$PYTHON bench/pytorch_reference.py --heads arcface,cosface "${common[@]}" --json "$out/pytorch.json"
$PYTHON - "$out/marginface.json" "$out/pytorch.json" <<'PY'
import json, sys
cs = json.load(open(sys.argv[1]))
py = {(r["head"], r["classes"]): r for r in json.load(open(sys.argv[2]))}
rows = [("case", "B", "C", "D", "threads", "MarginFace ms", "PyTorch ms", "ratio", "MF peak RSS MiB", "PT peak RSS MiB")]
for r in cs:
    p = py.get((r["head"], r["classes"]))
    if p is None:
        continue
    rows.append((r["head"], str(r["batch"]), f"{r['classes']:,}", str(r["dim"]), f"{r['threads']}/{p['threads']}",
                 f"{r['medianMs']:.1f}", f"{p['medianMs']:.1f}", f"{r['medianMs'] / p['medianMs']:.2f}",
                 f"{r.get('peakRssMb') or 0:.0f}", f"{p.get('peakRssMb') or 0:.0f}"))
widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
for row in rows:
    print("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
PY
