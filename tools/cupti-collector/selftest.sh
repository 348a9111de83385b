#!/usr/bin/env bash
# Builds selftest.cpp with g++ against the CUDA/CUPTI headers (no GPU needed) and writes selftest.cupti.pb.
set -euo pipefail
cd "$(dirname "$0")"
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
INC=${CUPTI_INC:-$CUDA_HOME/include}
[[ -f "$INC/cupti_activity.h" ]] || INC=$CUDA_HOME/extras/CUPTI/include
LIB=${CUPTI_LIB:-$CUDA_HOME/lib64}
[[ -e "$LIB/libcupti.so" ]] || LIB=$CUDA_HOME/extras/CUPTI/lib64
g++ -std=c++17 -O1 -I"$CUDA_HOME/include" -I"$INC" selftest.cpp records.cpp -o /tmp/lithos-cupti-selftest \
  -L"$LIB" -Wl,-rpath,"$LIB" -lcupti
/tmp/lithos-cupti-selftest selftest.cupti.pb
echo "selftest.sh: wrote $(pwd)/selftest.cupti.pb ($(stat -c %s selftest.cupti.pb) bytes)"
