#!/usr/bin/env bash
# Run 3 extras: the loader under three GC settings, and face training from JPEGs on the GPU (loader-bound or not).
out=$1; mf=$MARGINFACE; lfw=$LFW
for gc in default server gen0-256m; do
  case $gc in default) env=();; server) env=(DOTNET_gcServer=1);; gen0-256m) env=(DOTNET_GCgen0size=0x10000000);; esac
  echo "== loader, GC $gc"
  env "${env[@]}" timeout 120 "$mf" bench loader --device cuda --threads 2 --images "$lfw" --workers 8,14 --batch 128 --images-per-run 1024 --networks mobilefacenet --no-training --json "$out/loader-$gc.json" 2>&1 | grep -E "alone|error" 
done
for gc in default server; do
  case $gc in default) env=();; server) env=(DOTNET_gcServer=1);; esac
  echo "== train from JPEGs on cuda, 14 workers, GC $gc"
  env "${env[@]}" timeout 150 "$mf" train --data "$lfw" --backbone mobilefacenet --loss arcface --epochs 4 --batch 128 --workers 14 --crop center:150 \
    --device cuda --out "$out/../facetrain-$gc" 2>&1 | tr '\r' '\n' | grep -E "^epoch|data:|error|trained"
done
