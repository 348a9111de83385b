#!/usr/bin/env bash
# Makes the fixtures of traces/cupti-rn50 on a machine with an NVIDIA GPU, nvcc, CUPTI and PyTorch + torchvision:
#   OUT=/some/dir traces/cupti-rn50/capture.sh      (run from the repository root)
# A: rn50.cupti.pb.gz    ResNet-50 inference under the collector alone (CUDA_INJECTION64_PATH)
# B: rn50.kineto.json.gz the same workload under torch.profiler alone, in a second process
# C: both at once, to see whether the two CUPTI clients conflict (kept as both.*, not used by the tests)
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:?set OUT to a folder for the results}
ROOT=$(pwd)
C=$ROOT/tools/cupti-collector
LAB=${LAB:-$ROOT/../shared/lab}          # shared/lab/workloads.py: make('resnet50', 4, False)
export PYTHONPATH=$LAB:${PYTHONPATH:-}
NV=$(dirname "$(dirname "$(readlink -f "$(which nvcc)")")")
CUDA_HOME=$NV bash "$C/build.sh" 2>&1 | tee "$OUT/build.log" || exit 1
cd "$C"
LITHOS_CUPTI_OUT=/tmp/rn50.cupti.pb CUDA_INJECTION64_PATH=$C/liblithos_cupti.so python3 rn50_run.py plain
python3 count_records.py /tmp/rn50.cupti.pb && gzip -9 -c /tmp/rn50.cupti.pb > "$OUT/rn50.cupti.pb.gz"
python3 rn50_run.py kineto "$OUT/rn50.kineto.json.gz"
LITHOS_CUPTI_OUT=/tmp/both.pb CUDA_INJECTION64_PATH=$C/liblithos_cupti.so timeout 150 \
  python3 rn50_run.py kineto /tmp/both.json.gz > "$OUT/both.log" 2>&1; echo "both: rc=$?"
python3 count_records.py /tmp/both.pb
