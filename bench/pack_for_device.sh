#!/usr/bin/env bash
# Packs what the GPU machine needs for experiments/lfw_protocol_gpu.sh into carry folders of at most LIMIT bytes each (a device call
# carries 64 MiB, the working tree included): the self-contained build (dotnet publish, libtorch left out: the machine's
# PyTorch provides it), the YuNet model, pairs.txt, and the images of every person pairs.txt names, as xz-compressed tars.
# Prints, per folder, the command that unpacks it into DEST on the device; run them in consecutive calls (the machine
# stays warm for 30 s after each), the last one followed by the protocol script.
#
# Usage: bench/pack_for_device.sh [OUTPREFIX]   (default .carry: folders .carry1, .carry2, ... — add /.carry*/ to .git/info/exclude)
#   LFW (../shared/data/lfw/lfw-deepfunneled)  PAIRS (../shared/data/lfw/pairs.txt)  MODELS (../shared/models)
#   LIMIT bytes per folder (default 60000000)  DEST on the device (default /tmp/g)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-.carry}
LFW=${LFW:-../shared/data/lfw/lfw-deepfunneled}; PAIRS=${PAIRS:-../shared/data/lfw/pairs.txt}; MODELS=${MODELS:-../shared/models}
LIMIT=${LIMIT:-60000000}; DEST=${DEST:-/tmp/g}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
chmod -R u+w "$prefix"[0-9]* 2>/dev/null || true; rm -rf "$prefix"[0-9]*
dotnet publish src/MarginFace.Cli -c Release -r linux-x64 --self-contained -p:BundleLibTorch=false -o "$work/mf" > "$work/publish.log"
rm -f "$work"/mf/*.pdb "$work"/mf/*.xml "$work/mf/createdump" "$work/mf/libmscordaccore.so" "$work/mf/libmscordbi.so"
tar cf - -C "$work" mf | xz -9 -T0 > "$work/mf.tar.xz"
# The people pairs.txt names (3-field lines: one person; 4-field lines: two), each with all of their images.
awk 'NR > 1 && NF == 3 {print $1} NR > 1 && NF == 4 {print $1; print $3}' "$PAIRS" | sort -u > "$work/people.txt"
n=1; size=$(stat -c %s "$work/mf.tar.xz"); mkdir -p "$prefix$n"; mv "$work/mf.tar.xz" "$prefix$n/"
cp "$PAIRS" "$prefix$n/pairs.txt"; cp -r --no-preserve=mode "$MODELS" "$prefix$n/models"
size=$((size + $(du -sb "$prefix$n/models" | cut -f1) + $(stat -c %s "$PAIRS")))
part=() ; partsize=0
flush() { # compresses the current part into folder n
  [ ${#part[@]} -eq 0 ] && return
  printf '%s\n' "${part[@]}" > "$work/part.txt"
  tar cf - -C "$LFW" -T "$work/part.txt" | xz -6 -T0 > "$prefix$n/lfw.tar.xz"
  part=(); partsize=0
}
while read -r person; do
  bytes=$(du -sb "$LFW/$person" | cut -f1)
  # JPEGs shrink about 16 % in xz; plan with 0.9 of the raw size to keep a margin.
  if [ $((size + (partsize + bytes) * 9 / 10)) -gt "$LIMIT" ]; then
    flush; n=$((n + 1)); mkdir -p "$prefix$n"; size=0
  fi
  part+=("$person"); partsize=$((partsize + bytes))
done < "$work/people.txt"
flush
for d in "$prefix"[0-9]*; do
  total=$(du -sb "$d" | cut -f1)
  [ "$total" -le "$LIMIT" ] || { echo "$d: $total bytes, over $LIMIT" >&2; exit 1; }
  cmd="mkdir -p $DEST/lfw"
  [ -f "$d/mf.tar.xz" ] && cmd="$cmd && tar xJf $d/mf.tar.xz -C $DEST && cp -r $d/models $d/pairs.txt $DEST/"
  cmd="$cmd && tar xJf $d/lfw.tar.xz -C $DEST/lfw && ls $DEST/lfw | wc -l"
  echo "$d ($total bytes): $cmd"
done
echo "people: $(wc -l < "$work/people.txt"); then: MARGINFACE=$DEST/mf/MarginFace.Cli LFW=$DEST/lfw PAIRS=$DEST/pairs.txt MARGINFACE_MODELS=$DEST/models" \
  "MARGINFACE_LIBTORCH=\$(python3 -c \"import torch,os;print(os.path.dirname(torch.__file__))\")/lib experiments/lfw_protocol_gpu.sh \$OUT"
