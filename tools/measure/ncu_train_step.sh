#!/bin/bash
# usage: OUT=<folder> [LAB=<folder with colocate.py>] bash tools/measure/ncu_train_step.sh   (from the repository root; writes train_step_ncu.csv.gz, log.txt)
# DRAM bytes and duration of each kernel of one ResNet-50 training step (batch 64), by Nsight Compute.
exec > >(tee $OUT/log.txt) 2>&1
R=$PWD; export LAB=${LAB:-$R/../shared/lab} PYTHONUNBUFFERED=1
NCU=$(ls -d /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1); echo "ncu: $NCU"; $NCU --version | tail -1
cat > /tmp/step.py <<'PY'
import sys, os; sys.path.insert(0, os.environ['LAB']); import colocate, torch
step = colocate.build_train(0)
for _ in range(5): step()
torch.cuda.synchronize()
PY
date
timeout 420 $NCU --metrics dram__bytes_read.sum,dram__bytes_write.sum,gpu__time_duration.sum --csv --launch-skip 3000 --launch-count 1200 python3 /tmp/step.py > /tmp/ncu.csv 2>/tmp/ncu.err
echo "rc $?"; tail -3 /tmp/ncu.err; wc -l /tmp/ncu.csv; gzip -9 -c /tmp/ncu.csv > $OUT/train_step_ncu.csv.gz; date
