#!/bin/bash
# The three-tenant scenarios of stacking.py, D seconds each: each tenant alone, time slicing (three processes), MPS
# (three clients), MPS with the paper's thread limits (ResNet-50 75%, BERT 25%, training 25%), stream priorities
# (one process, three threads). Every process and thread waits at a start line until all are ready (colocate.sh's scheme).
#   LAB=<folder with colocate.py> OUT=<dir> D=12 RATE=<ResNet-50 req/s> tools/measure/stacking.sh
set -u; cd "$(dirname "$0")"; export PYTHONUNBUFFERED=1; D=${D:-12}; RATE=${RATE:-300}; mkdir -p "$OUT"
go() { for i in $(seq 1 1200); do [ "$(ls /tmp/ready.* 2>/dev/null | wc -l)" -ge "$1" ] && break; sleep 0.1; done
  python3 -c "import time; print(time.time()+0.3)" > /tmp/go.tmp; mv /tmp/go.tmp /tmp/go; }
run() { local name=$1; shift; rm -f /tmp/ready.* /tmp/go; local p="" i=0
  for c in "$@"; do i=$((i+1)); c=${c//OUTF/$OUT/$name.$i.json}; eval "$c 2>/tmp/$name.$i.err &"; p="$p $!"; done
  go "${NREADY:-$#}"; wait $p; echo "$name: $(ls $OUT/$name.* 2>/dev/null | wc -l) results of $#"
  for f in /tmp/$name.*.err; do grep -iv warn "$f" | tail -3; done; }
R="python3 $LAB/colocate.py infer $D OUTF resnet50 $RATE"; B="python3 stacking.py closed bert $D OUTF"; T="python3 $LAB/colocate.py train $D OUTF"
run alone_resnet50 "$R"
run alone_bert "$B"
run alone_train "$T"
run timeslice "$R" "$B" "$T"
NREADY=3 run prio "python3 stacking.py prio3 $D OUTF $RATE"
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps_pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps_log; mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
nvidia-cuda-mps-control -d && echo mps started
run mps "$R" "$B" "$T"
run mps_limits "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=75 $R" "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=25 $B" "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=25 $T"
echo quit | nvidia-cuda-mps-control; sleep 1; echo mps stopped
