#!/bin/bash
# The ResNet-50 service profiled alone, then under MPS beside ResNet-50 training (colocate.py's), D seconds each.
#   LAB=<folder with colocate.py and workloads.py> OUT=<dir> D=3 tools/measure/service_under_mps.sh
set -u; cd "$(dirname "$0")"; export PYTHONUNBUFFERED=1; D=${D:-3}
go() { for i in $(seq 1 1200); do [ "$(ls /tmp/ready.* 2>/dev/null | wc -l)" -ge "$1" ] && break; sleep 0.1; done
  python3 -c "import time; print(time.time()+0.2)" > /tmp/go.tmp; mv /tmp/go.tmp /tmp/go; }
rm -f /tmp/ready.* /tmp/go; python3 service_under_mps.py "$D" /tmp/svc_alone.json & p=$!; go 1; wait $p
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps_pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps_log; mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
nvidia-cuda-mps-control -d && echo mps started
rm -f /tmp/ready.* /tmp/go
python3 "$LAB/colocate.py" train "$(python3 -c "print($D + 2)")" /tmp/train.json & t=$!
python3 service_under_mps.py "$D" /tmp/svc_mps.json & p=$!; go 2; wait $p; wait $t
echo quit | nvidia-cuda-mps-control; sleep 1; echo mps stopped
python3 -c "import json; r = json.load(open('/tmp/train.json')); print('training', r['steps'], 'steps in', round(r['secs'], 2), 's')"
for f in alone mps; do gzip -9 -c /tmp/svc_$f.json > "$OUT/svc_$f.json.gz"; done
