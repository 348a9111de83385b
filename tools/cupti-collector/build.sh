#!/usr/bin/env bash
# Builds liblithos_cupti.so. Needs the CUDA toolkit (nvcc, cuda.h) and CUPTI (cupti.h, libcupti.so).
# CUDA_HOME defaults to /usr/local/cuda; CUPTI is looked for in $CUDA_HOME/extras/CUPTI and then $CUDA_HOME.
set -euo pipefail
cd "$(dirname "$0")"
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
CUPTI_INC=${CUPTI_INC:-}
for d in "$CUDA_HOME/extras/CUPTI/include" "$CUDA_HOME/include" "$CUDA_HOME/targets/x86_64-linux/include"; do
  [[ -z "$CUPTI_INC" && -f "$d/cupti_activity.h" ]] && CUPTI_INC=$d
done
# Last resort: anywhere under CUDA_HOME (toolkits from pip wheels keep CUPTI in other folders).
[[ -n "$CUPTI_INC" ]] || CUPTI_INC=$(dirname "$(find -L "$CUDA_HOME" -name cupti_activity.h 2>/dev/null | head -1)" 2>/dev/null || true)
[[ "$CUPTI_INC" != . ]] || CUPTI_INC=
[[ -n "$CUPTI_INC" ]] || { echo "build.sh: cupti_activity.h not found under $CUDA_HOME" >&2; exit 1; }
CUPTI_LIB=${CUPTI_LIB:-}
CUPTI_SO=
for d in ${CUPTI_LIB:-} "$CUDA_HOME/extras/CUPTI/lib64" "$CUDA_HOME/lib64" "$CUDA_HOME/lib" "$CUDA_HOME/targets/x86_64-linux/lib"; do
  [[ -z "$CUPTI_SO" ]] || break
  for f in "$d"/libcupti.so "$d"/libcupti.so.[0-9]*; do
    [[ -z "$CUPTI_SO" && -e "$f" ]] && { CUPTI_LIB=$d; CUPTI_SO=$(basename "$f"); }
  done
done
[[ -n "$CUPTI_SO" ]] || { echo "build.sh: libcupti.so not found under $CUDA_HOME (set CUPTI_LIB)" >&2; exit 1; }

# The newest version of each record struct that this cupti_activity.h declares (later versions only append fields).
newest() { grep -ohE "\\b$1[0-9]*\\b" "$CUPTI_INC"/cupti_activity*.h | sort -V | tail -1; }
KERNEL_T=$(newest CUpti_ActivityKernel)
KERNEL_V=${KERNEL_T#CUpti_ActivityKernel}
MEMCPY_T=$(newest CUpti_ActivityMemcpy)
MEMSET_T=$(newest CUpti_ActivityMemset)
SYNC_T=$(newest CUpti_ActivitySynchronization)
OVERHEAD_T=$(newest CUpti_ActivityOverhead)
echo "build.sh: CUPTI headers $CUPTI_INC, lib $CUPTI_LIB"
echo "build.sh: records $KERNEL_T $MEMCPY_T $MEMSET_T $SYNC_T $OVERHEAD_T CUpti_ActivityAPI"

# libcuda is not linked: collector.cpp looks its few driver functions up with dlsym in the libcuda.so.1 that loads it.
nvcc -std=c++17 -O2 -shared -Xcompiler -fPIC,-fvisibility=hidden \
  -I"$CUDA_HOME/include" -I"$CUPTI_INC" \
  -DLITHOS_KERNEL_T="$KERNEL_T" -DLITHOS_KERNEL_VERSION="${KERNEL_V:-0}" -DLITHOS_KERNEL_NAME="\"$KERNEL_T\"" \
  -DLITHOS_MEMCPY_T="$MEMCPY_T" -DLITHOS_MEMSET_T="$MEMSET_T" -DLITHOS_SYNC_T="$SYNC_T" -DLITHOS_OVERHEAD_T="$OVERHEAD_T" \
  collector.cpp records.cpp -o liblithos_cupti.so \
  -L"$CUPTI_LIB" -Xlinker -rpath,"$CUPTI_LIB" -l:"$CUPTI_SO" -ldl
echo "build.sh: built $(pwd)/liblithos_cupti.so"
