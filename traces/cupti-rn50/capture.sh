#!/usr/bin/env bash
# Makes the fixtures of traces/cupti-rn50 on a machine with an NVIDIA GPU, nvcc, CUPTI and PyTorch + torchvision:
#   OUT=/some/dir traces/cupti-rn50/capture.sh      (run from the repository root)
# A: rn50.cupti.pb.gz    ResNet-50 inference under the collector alone (CUDA_INJECTION64_PATH)
# B: rn50.kineto.json.gz the same workload under torch.profiler alone, in a second process
# C: both at once, to see whether the two CUPTI clients conflict (kept as both.*, not used by the tests)
# env.txt: GPU, driver, nvcc, torch and the libcupti each side loads; build.log: build.sh's output
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:?set OUT to a folder for the results}
ROOT=$(pwd)
C=$ROOT/tools/cupti-collector
LAB=${LAB:-$ROOT/../shared/lab}          # shared/lab/workloads.py: make('resnet50', 4, False)
export PYTHONPATH=$LAB:${PYTHONPATH:-}
# The toolkit nvcc belongs to, as nvcc itself reports it (TOP=...; `which nvcc` may be a wrapper script elsewhere).
NV=${CUDA_HOME:-$(nvcc -v --dryrun -x cu -c /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ TOP=//p' | head -1)}
[[ -n "$NV" ]] || NV=$(dirname "$(dirname "$(readlink -f "$(which nvcc)")")")
NV=$(readlink -f "$NV")
CUDA_HOME=$NV bash "$C/build.sh" 2>&1 | tee "$OUT/build.log" || exit 1
{ # what the capture ran on, for traces/cupti-rn50/README.md
  date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; "$NV/bin/nvcc" --version | tail -2
  python3 -c 'import torch, torchvision; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "torchvision", torchvision.__version__)'
  ldd "$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cuda.so"))')" | grep -i cupti
  ldd "$C/liblithos_cupti.so" | grep -iE 'cupti|cuda'
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"
cd "$C"
echo "== A: collector alone"
LITHOS_CUPTI_OUT=/tmp/rn50.cupti.pb CUDA_INJECTION64_PATH=$C/liblithos_cupti.so timeout 180 python3 rn50_run.py plain; echo "A: rc=$?"
python3 count_records.py /tmp/rn50.cupti.pb && gzip -9 -c /tmp/rn50.cupti.pb > "$OUT/rn50.cupti.pb.gz"
echo "== B: torch.profiler alone"
timeout 150 python3 rn50_run.py kineto "$OUT/rn50.kineto.json.gz"; echo "B: rc=$?"
echo "== C: both at once"
LITHOS_CUPTI_OUT=/tmp/both.pb CUDA_INJECTION64_PATH=$C/liblithos_cupti.so timeout 120 \
  python3 rn50_run.py kineto /tmp/both.kineto.json.gz > "$OUT/both.log" 2>&1; echo "C: rc=$?"
cat "$OUT/both.log"
python3 count_records.py /tmp/both.pb && gzip -9 -c /tmp/both.pb > "$OUT/both.cupti.pb.gz"
[[ -f /tmp/both.kineto.json.gz ]] && cp /tmp/both.kineto.json.gz "$OUT/"
ls -la "$OUT"
