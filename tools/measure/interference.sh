#!/bin/bash
# The interference microbenchmark (interference.py): the service alone and beside each co-runner, under MPS and in
# complementary green contexts, D seconds each; the co-runners' Kineto traces for the replay.
#   LAB=<folder with colocate.py> OUT=<dir> D=3 tools/measure/interference.sh
set -u; cd "$(dirname "$0")"; export PYTHONUNBUFFERED=1; D=${D:-3}; mkdir -p "$OUT"
go() { for i in $(seq 1 1200); do [ "$(ls /tmp/ready.* 2>/dev/null | wc -l)" -ge "$1" ] && break; sleep 0.1; done
  python3 -c "import time; print(time.time()+0.3)" > /tmp/go.tmp; mv /tmp/go.tmp /tmp/go; }
both() { rm -f /tmp/ready.* /tmp/go; local p=""; for c in "$@"; do eval "$c &"; p="$p $!"; done; go $#; wait $p; }
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps_pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps_log; mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
nvidia-cuda-mps-control -d && echo mps started
both "python3 interference.py svc $D $OUT/mps_svc_alone.json"
both "python3 interference.py hog gemm $D $OUT/mps_gemm_alone.json $OUT/gemm_hog.pt.trace.json.gz"
both "python3 interference.py hog copy $D $OUT/mps_copy_alone.json $OUT/copy_hog.pt.trace.json.gz"
both "python3 interference.py svc $D $OUT/mps_svc_gemm.json" "python3 interference.py hog gemm $D $OUT/mps_gemm_svc.json"
both "python3 interference.py svc $D $OUT/mps_svc_copy.json" "python3 interference.py hog copy $D $OUT/mps_copy_svc.json"
echo quit | nvidia-cuda-mps-control; sleep 1; echo mps stopped
for k in none gemm copy; do python3 interference.py gc $k 66 $D $OUT/gc66_$k.json; done
cd "$OUT" && tar czf interference.tgz ./*.json && rm -f ./*.json && ls -la
