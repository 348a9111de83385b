#!/bin/bash
# mps_coresidency.py: each service alone and beside a co-runner as two MPS clients, D seconds each; the co-runner
# also at 25% active threads.   LAB=<folder with colocate.py> OUT=<dir> D=5 tools/measure/mps_coresidency.sh
set -u; cd "$(dirname "$0")"; export PYTHONUNBUFFERED=1; D=${D:-5}; mkdir -p "$OUT"
go() { for i in $(seq 1 600); do [ "$(ls /tmp/ready.* 2>/dev/null | wc -l)" -ge "$1" ] && break; sleep 0.1; done
  python3 -c "import time; print(time.time()+0.3)" > /tmp/go.tmp; mv /tmp/go.tmp /tmp/go; }
both() { rm -f /tmp/ready.* /tmp/go; local p=""; for c in "$@"; do eval "$c &"; p="$p $!"; done; go $#; wait $p; }
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps_pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps_log; mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
nvidia-cuda-mps-control -d && echo mps started
for m in resnet50 bert; do
  both "python3 mps_coresidency.py svc $m $D $OUT/mps_${m}_alone.json"
  both "python3 mps_coresidency.py svc $m $D $OUT/mps_${m}_sleep.json" "python3 mps_coresidency.py co sleep 8 4 $D $OUT/mps_${m}_sleep_co.json"
  both "python3 mps_coresidency.py svc $m $D $OUT/mps_${m}_sleep25.json" "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=25 python3 mps_coresidency.py co sleep 8 4 $D $OUT/mps_${m}_sleep25_co.json"
  both "python3 mps_coresidency.py svc $m $D $OUT/mps_${m}_fma.json" "python3 mps_coresidency.py co fma 4 1 $D $OUT/mps_${m}_fma_co.json"
done
echo quit | nvidia-cuda-mps-control; sleep 1; echo mps stopped
