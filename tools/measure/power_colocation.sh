#!/bin/bash
# usage: OUT=<folder> [LAB=<folder with colocate.py>] bash tools/measure/power_colocation.sh   (from the repository root; writes <scenario>.smi.csv, steps.txt, gpu.csv, log.txt)
# SM clock and board power (nvidia-smi every 100 ms) while the training runs alone, beside the ResNet-50 service
# under MPS and under MPS with the training at 25%, and while the service runs alone (300 req/s, 8 s each).
exec > >(tee $OUT/log.txt) 2>&1
R=$PWD; export LAB=${LAB:-$R/../shared/lab} PYTHONUNBUFFERED=1; cd $LAB
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv | tee $OUT/gpu.csv; date
go() { for i in $(seq 1 1200); do [ "$(ls /tmp/ready.* 2>/dev/null | wc -l)" -ge "$1" ] && break; sleep 0.1; done
  python3 -c "import time; print(time.time()+0.3)" > /tmp/go.tmp; mv /tmp/go.tmp /tmp/go; }
smi() { nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,utilization.gpu --format=csv,noheader -lms 100 > $OUT/$1.smi.csv & echo $!; }
run() { local name=$1 n=$2; shift 2; rm -f /tmp/ready.* /tmp/go; local pids=""
  for c in "$@"; do eval "$c &"; pids="$pids $!"; done; go $n; local m=$(smi $name); wait $pids; kill $m; echo "$name done"; }
D=8
run train_alone 1 "python3 colocate.py train $D /tmp/ta.json"
run infer_alone 1 "python3 colocate.py infer $D /tmp/ia.json resnet50 300"
export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps_pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps_log; mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
nvidia-cuda-mps-control -d && echo mps started
run mps 2 "python3 colocate.py infer $D /tmp/m1.json resnet50 300" "python3 colocate.py train $D /tmp/m2.json"
run mps_train25 2 "python3 colocate.py infer $D /tmp/l1.json resnet50 300" "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=25 python3 colocate.py train $D /tmp/l2.json"
run train25_alone 1 "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=25 python3 colocate.py train $D /tmp/t25.json"
echo quit | nvidia-cuda-mps-control; sleep 1
python3 - <<'PY' | tee $OUT/steps.txt
import json
for n,f in [('train_alone','/tmp/ta.json'),('mps','/tmp/m2.json'),('mps_train25','/tmp/l2.json'),('train25_alone','/tmp/t25.json')]:
    x=json.load(open(f)); print(n, 'steps/s', round(x['steps']/x['secs'],2))
for n,f in [('infer_alone','/tmp/ia.json'),('mps','/tmp/m1.json'),('mps_train25','/tmp/l1.json')]:
    x=json.load(open(f)); l=sorted(x['lat_us']); print(n, 'p50 us', l[len(l)//2])
PY
date
