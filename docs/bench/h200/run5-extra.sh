#!/usr/bin/env bash
# Run 5: the loader after the decode and warp changes, with enough batches per run for every worker, alone and beside
# GPU training; then face training from JPEGs on the GPU.
out=$1; mf=$MARGINFACE; lfw=$LFW
echo "== loader, B 32, 4096 images per run"
timeout 150 "$mf" bench loader --device cuda --threads 2 --images "$lfw" --workers 4,8,14 --batch 32 --images-per-run 4096 --networks mobilefacenet --json "$out/loader-b32.json" 2>&1 | grep -E "alone|while|error"
echo "== train from JPEGs on cuda, 14 workers"
timeout 120 "$mf" train --data "$lfw" --backbone mobilefacenet --loss arcface --epochs 4 --batch 128 --workers 14 --crop center:150 \
  --device cuda --out "$out/../facetrain" 2>&1 | tr '\r' '\n' | grep -E "^epoch|data:|error|trained"
