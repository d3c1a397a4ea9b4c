#!/usr/bin/env bash
# Runs one suite in MarginFace and in plain PyTorch on this machine with the same settings, and prints the side-by-side
# table with ratios (MarginFace / PyTorch; below 1 means MarginFace is faster). Cases are paired by their keys (suite,
# head, network, batch, classes, dim, mode, workers): whatever the two JSON lists have in common.
# Usage: bench/compare.sh [--suite heads|train] [--threads N] [--device cpu|cuda] [--classes C] [--batch B] [--repeats R] [--quick]
#   heads: --classes is a list (10575,100000); train: one class count, --networks clsnet,facemobilenet,mobilefacenet
#   (or iresnet50), and --precision fp32|bf16|fp16 (MarginFace's --precision against PyTorch's autocast + GradScaler)
#   MARGINFACE: how to start marginface (default: dotnet run --project src/MarginFace.Cli -c Release --)
#   PYTHON:     the Python with PyTorch (default: python3)
set -euo pipefail
cd "$(dirname "$0")/.."
MARGINFACE=${MARGINFACE:-"dotnet run --project src/MarginFace.Cli -c Release --"}
PYTHON=${PYTHON:-python3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
suite=heads
common=()
cs_only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite="$2"; shift 2 ;;
    --threads|--device|--classes|--batch|--dim|--repeats|--warmup|--networks|--precision) common+=("$1" "$2"); shift 2 ;;
    --quick) common+=("$1"); shift ;;
    --libtorch) cs_only+=("$1" "$2"); shift 2 ;;
    *) echo "error: compare.sh: unknown option '$1'" >&2; exit 1 ;;
  esac
done
case "$suite" in
  heads)
    $MARGINFACE bench heads --heads arcface,cosface "${common[@]}" "${cs_only[@]}" --json "$out/marginface.json" >&2
    $PYTHON bench/pytorch_reference.py --heads arcface,cosface "${common[@]}" --json "$out/pytorch.json" ;;
  train)
    $MARGINFACE bench train "${common[@]}" "${cs_only[@]}" --json "$out/marginface.json" >&2
    $PYTHON bench/pytorch_reference.py train "${common[@]}" --json "$out/pytorch.json" ;;
  *) echo "error: compare.sh: --suite must be heads or train (the loader has no PyTorch twin; see pytorch_reference.py)" >&2; exit 1 ;;
esac
$PYTHON - "$out/marginface.json" "$out/pytorch.json" <<'PY'
import json, sys
KEYS = ("suite", "head", "network", "batch", "classes", "dim", "mode", "workers")
key = lambda r: tuple(r.get(k) for k in KEYS)
cs = json.load(open(sys.argv[1]))
py = {key(r): r for r in json.load(open(sys.argv[2]))}
rows = [("suite", "case", "B", "C", "D", "threads", "MarginFace ms", "PyTorch ms", "ratio", "MF images/s", "PT images/s",
         "MF peak RSS MiB", "PT peak RSS MiB")]
for r in cs:
    p = py.get(key(r))
    if p is None:
        continue
    case = "+".join(str(r[k]) for k in ("network", "head", "mode") if r.get(k))
    ips = lambda x: f"{x['imagesPerSecond']:.1f}" if x.get("imagesPerSecond") else ""
    rows.append((r["suite"], case, str(r["batch"]), f"{r['classes']:,}" if r.get("classes") else "", str(r.get("dim") or ""),
                 f"{r['threads']}/{p['threads']}", f"{r['medianMs']:.1f}", f"{p['medianMs']:.1f}",
                 f"{r['medianMs'] / p['medianMs']:.2f}", ips(r), ips(p),
                 f"{r.get('peakRssMb') or 0:.0f}", f"{p.get('peakRssMb') or 0:.0f}"))
if len(rows) == 1:
    sys.exit("error: compare.sh: no case is in both lists")
widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
for row in rows:
    print("  ".join(c.ljust(widths[i]) if i <= 1 else c.rjust(widths[i]) for i, c in enumerate(row)))
PY
