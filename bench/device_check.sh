#!/usr/bin/env bash
# The GPU machine's checks in one command: the README's CUDA steps, then the benchmark pairs against PyTorch on the same
# machine (GPU, and its CPU at 2 threads), Partial FC at 1,000,000 classes, and face training on the GPU.
# Each stage runs under its own time limit and writes STAGE.log; a failed stage does not stop the next one.
#
# Usage: bench/device_check.sh OUTDIR
#   MARGINFACE  the published MarginFace.Cli (dotnet publish ... --self-contained -p:BundleLibTorch=false)
#   LIBTORCH    a libtorch lib directory (default: the torch/lib of python3's PyTorch)
#   STAGES      space-separated stage names to run (default: all, in order)
#   GLUE_SOURCE TorchSharp's src/Native (optional): when libLibTorchSharp.so needs symbols that LIBTORCH lacks, a glue
#               library is compiled from it against LIBTORCH's headers and used instead (see docs/performance.md)
#   ORL         identity folders for the face-training stage (default: ../shared/data/orl_faces)
#   LFW         identity folders of JPEGs for the loader stage (default: ../shared/data/lfw/lfw-deepfunneled)
set -uo pipefail
out=${1:?usage: bench/device_check.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
MARGINFACE=${MARGINFACE:?set MARGINFACE to the published MarginFace.Cli}
PYTHON=${PYTHON:-python3}
LIBTORCH=${LIBTORCH:-$($PYTHON -c "import torch,os;print(os.path.dirname(torch.__file__))")/lib}
export MARGINFACE_LIBTORCH=$LIBTORCH MARGINFACE PYTHON LIBTORCH
STAGES=${STAGES:-"env glue info mnist heads-cuda train-cuda amp-cuda partialfc-cuda heads-cpu train-cpu embed-cuda facetrain-cuda leak-cuda loader-cuda"}
ORL=${ORL:-../shared/data/orl_faces}
LFW=${LFW:-../shared/data/lfw/lfw-deepfunneled}
DEVICE=${DEVICE:-cuda}                    # cpu runs the same stages on the CPU (a smoke test of this script, with QUICK=1)
quick=()
mnist_quick=()
if [ -n "${QUICK:-}" ]; then quick=(--quick); mnist_quick=(--epochs 1 --train-limit 2000 --test-limit 500); fi
t0=$(date +%s)
export out DEVICE QUICK ORL GLUE_SOURCE GLUE_NEEDS FORCE_GLUE

stage() { # stage NAME LIMIT_SECONDS COMMAND...
  local name=$1 limit=$2 started rc
  shift 2
  case " $STAGES " in *" $name "*) ;; *) return 0 ;; esac
  started=$(date +%s.%N)
  echo "== $name (limit ${limit}s, t+$(( $(date +%s) - t0 ))s): $*"
  echo "$name start $started" >> "$out/stages.txt"
  if declare -F "$1" > /dev/null; then
    timeout -k 10 "$limit" bash -c "$(declare -f "$1"); $*" > "$out/$name.log" 2>&1
  else
    timeout -k 10 "$limit" "$@" > "$out/$name.log" 2>&1
  fi
  rc=$?
  last_rc=$rc
  echo "$name end $(date +%s.%N) rc $rc" >> "$out/stages.txt"
  echo "-- $name: exit $rc after $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
  grep -v -E '[0-9]+% (epoch|step)|eta [0-9]' "$out/$name.log" | tail -n "${TAIL:-25}"
  return 0
}

env_report() {
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
  nproc; free -g | head -2
  $PYTHON -c "import torch,sys;print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda, 'cxx11abi', torch._C._GLIBCXX_USE_CXX11_ABI, 'gpu', torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)"
  echo "libtorch: $LIBTORCH"; ls "$LIBTORCH" | head -40
  # Which of the glue library's libtorch symbols this libtorch defines (RTLD_LAZY binds functions at first call, so a
  # missing one ends the process only when it is called).
  nm -D --undefined-only "$(dirname "$MARGINFACE")/libLibTorchSharp.so" 2>/dev/null | awk '$1 == "U" && $2 !~ /@/ {print $2}' > "$out/glue-needs.txt" \
    || echo "nm missing: the symbol check uses the list carried beside the glue, if any"
  [ -s "$out/glue-needs.txt" ] || cp "${GLUE_NEEDS:-/dev/null}" "$out/glue-needs.txt"
  $PYTHON - "$LIBTORCH" "$out/glue-needs.txt" <<'PY' | tee "$out/glue-missing.txt"
import ctypes, os, sys
lib = sys.argv[1]
for name in ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"]:
    if os.path.exists(os.path.join(lib, name)):
        ctypes.CDLL(os.path.join(lib, name), mode=ctypes.RTLD_GLOBAL)
everything = ctypes.CDLL(None)
needs = [s.strip() for s in open(sys.argv[2]) if s.strip() and not s.startswith(("_ITM", "__gmon", "_Unwind"))]
missing = []
for s in needs:
    try:
        everything[s]
    except AttributeError:
        missing.append(s)
print(f"glue symbols needed: {len(needs)}, missing from this libtorch: {len(missing)}")
for s in missing:
    print("missing", s)
PY
}

build_glue() {
  # Compiles TorchSharp's native glue (the source of the TorchSharp release in use) against LIBTORCH's own headers when
  # the shipped glue needs symbols LIBTORCH lacks; the program then loads the rebuilt copy.
  local missing
  missing=$(grep -c '^missing ' "$out/glue-missing.txt" 2>/dev/null) || missing=0
  if [ "$missing" = 0 ] && [ -z "${FORCE_GLUE:-}" ]; then echo "glue: the shipped libLibTorchSharp.so resolves against $LIBTORCH; not rebuilt"; return 0; fi
  [ -n "${GLUE_SOURCE:-}" ] || { echo "glue: $missing symbols missing and no GLUE_SOURCE"; return 1; }
  local torch abi build
  torch=$(dirname "$LIBTORCH")
  abi=$($PYTHON -c "import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))")
  build=$(mktemp -d)
  local flags="-O2 -std=c++17 -fPIC -fvisibility=hidden -D_GLIBCXX_USE_CXX11_ABI=$abi -D__LINUX__ -D_NO_ASYNCRTIMP -D_NO_PPLXIMP -w -I$torch/include -I$torch/include/torch/csrc/api/include -I$GLUE_SOURCE -I$GLUE_SOURCE/LibTorchSharp"
  ls "$GLUE_SOURCE"/LibTorchSharp/*.cpp | xargs -P "$(nproc)" -I{} sh -c "g++ -c $flags {} -o $build/\$(basename {}).o || exit 255" || return 1
  gcc -c -O2 -fPIC -w "$GLUE_SOURCE/LibTorchSharp/crc32c.c" -o "$build/crc32c.o" || return 1
  g++ -shared -o "$build/libLibTorchSharp.so" "$build"/*.o -L"$LIBTORCH" -ltorch -ltorch_cpu -lc10 \
    -Wl,-Bsymbolic -Wl,-Bsymbolic-functions -Wl,--no-as-needed || return 1
  cp "$(dirname "$MARGINFACE")/libLibTorchSharp.so" "$out/../libLibTorchSharp.shipped.so" 2>/dev/null
  cp "$build/libLibTorchSharp.so" "$(dirname "$MARGINFACE")/libLibTorchSharp.so"
  echo "glue: rebuilt against $LIBTORCH (cxx11 abi $abi), $(stat -c %s "$build/libLibTorchSharp.so") bytes"
}

face_train() {
  [ -d "$ORL" ] || { echo "no identity folders at $ORL"; return 1; }
  local data
  data=$(mktemp -d)
  # ORL's first 8 images of each person train; the face-training path on the GPU, not an accuracy claim.
  for person in "$ORL"/s*; do
    mkdir -p "$data/$(basename "$person")"
    ls "$person" | sort -n | head -8 | while read -r f; do cp "$person/$f" "$data/$(basename "$person")/"; done
  done
  "$MARGINFACE" train --data "$data" --backbone mobilefacenet --loss arcface --epochs "$( [ -n "${QUICK:-}" ] && echo 1 || echo 5 )" --batch 64 --workers 4 \
    --device "$( [ "$DEVICE" = cpu ] && echo cpu || echo cuda:all )" --out "$out/../facetrain" && ls -la "$out/../facetrain"
}

gpu_memory_sampler() {
  nvidia-smi --query-gpu=timestamp,memory.used --format=csv,noheader,nounits -lms 250 > "$out/gpu-memory.csv" 2>/dev/null &
  echo $!
}

sampler=""
case " $STAGES " in *cuda*|*mnist*) sampler=$(gpu_memory_sampler) ;; esac

last_rc=0
stage env 60 env_report
stage glue 420 build_glue
stage info 60 "$MARGINFACE" info --device "$DEVICE"
if [ "$last_rc" != 0 ] && [ -z "${FORCE_GLUE:-}" ] && [ -n "${GLUE_SOURCE:-}" ]; then
  # The shipped glue resolved every symbol but still failed: rebuild it against this libtorch and try once more.
  saved_stages=$STAGES
  STAGES="glue-retry info-retry"
  export FORCE_GLUE=1
  stage glue-retry 420 build_glue
  stage info-retry 60 "$MARGINFACE" info --device "$DEVICE"
  STAGES=$saved_stages
fi
TAIL=12 stage mnist 240 "$MARGINFACE" mnist --loss arcface --device "$DEVICE" --out "$out/../mnist-arcface" "${mnist_quick[@]}"
stage heads-cuda 150 bench/compare.sh --suite heads --device "$DEVICE" --batch 512 --classes 10575,100000 --warmup 3 --repeats 20 "${quick[@]}"
stage train-cuda 180 bench/compare.sh --suite train --device "$DEVICE" --warmup 5 --repeats 30 "${quick[@]}"
# Mixed precision (issue 39): MarginFace --precision against PyTorch autocast (+ GradScaler for fp16), MobileFaceNet and
# IResNet-50 at B 128, float32 first as the baseline of the same machine; the memory sampler gives each stage's GPU peak.
amp_compare() {
  local p
  for p in fp32 bf16 fp16; do
    echo "-- precision $p"
    bench/compare.sh --suite train --device "$DEVICE" --networks mobilefacenet,iresnet50 --batch "$( [ -n "${QUICK:-}" ] && echo 8 || echo 128 )" \
      --precision "$p" --warmup 5 --repeats "$( [ -n "${QUICK:-}" ] && echo 2 || echo 30 )" || return 1
  done
}
stage amp-cuda 420 amp_compare
stage partialfc-cuda 150 "$MARGINFACE" bench heads --device "$DEVICE" --classes "${PFC_CLASSES:-1000000}" --dim 512 --batch 512 --heads arcface --partial-fc 0.1 --warmup 2 --repeats 10 --json "$out/partialfc-cuda.json"
stage heads-cpu 150 bench/compare.sh --suite heads --threads 2 --batch 128 --classes 100000 --warmup 1 --repeats 7 "${quick[@]}"
stage train-cpu 240 bench/compare.sh --suite train --threads 2 --warmup 2 --repeats 6 "${quick[@]}"
stage embed-cuda 120 bench/compare_embed.sh --device "$DEVICE" --runtimes torchsharp --networks facemobilenet,mobilefacenet,iresnet50 --batches 1,64 --warmup 3 --repeats 20 "${quick[@]}"
stage facetrain-cuda 150 face_train
stage leak-cuda 120 "$MARGINFACE" bench train --leak-check --device "$DEVICE" --steps "$( [ -n "${QUICK:-}" ] && echo 20 || echo 1000 )" --sample-every "$( [ -n "${QUICK:-}" ] && echo 5 || echo 50 )" --json "$out/leak-cuda.json"
# A worker decodes whole batches: B 32 and 4,096 images per run keep 14 workers busy (B 128 and 1,024 images kept 8).
stage loader-cuda 180 "$MARGINFACE" bench loader --device "$DEVICE" --threads 2 --images "$LFW" --workers "${LOADER_WORKERS:-4,8,14}" --batch 32 --images-per-run "${LOADER_IMAGES:-4096}" --networks mobilefacenet --json "$out/loader-cuda.json" "${quick[@]}"

[ -n "$sampler" ] && kill "$sampler" 2>/dev/null
if [ -s "$out/gpu-memory.csv" ]; then
  $PYTHON - "$out/stages.txt" "$out/gpu-memory.csv" <<'PY' | tee "$out/gpu-memory-by-stage.txt"
import sys, datetime
stages = {}
for line in open(sys.argv[1]):
    p = line.split()
    stages.setdefault(p[0], {})[p[1]] = float(p[2])
samples = []
for line in open(sys.argv[2]):
    try:
        ts, mib = [x.strip() for x in line.split(",")]
        samples.append((datetime.datetime.strptime(ts, "%Y/%m/%d %H:%M:%S.%f").timestamp(), float(mib)))
    except ValueError:
        pass
for name, t in stages.items():
    inside = [m for s, m in samples if t.get("start", 0) <= s <= t.get("end", 1e18)]
    if inside:
        print(f"{name}: GPU memory used, highest sample {max(inside):,.0f} MiB ({len(inside)} samples)")
PY
fi
echo "== done in $(( $(date +%s) - t0 )) s"
