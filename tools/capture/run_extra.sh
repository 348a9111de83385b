#!/bin/bash
# The device command that made traces/h200-extra (run from the repo root on the GPU machine, OUT set by the caller).
# New in tools/capture (not from shared/lab). Writes at most 8 files to $OUT: the main traces, capture_log.txt and
# variants.tar (CUDA-activity-only variants of the training traces, and the companions: bs64 with steps, the
# eager llama decode).
set -o pipefail
export PYTHONUNBUFFERED=1
C=tools/capture; V=/tmp/variants; mkdir -p $V
LOG=$OUT/capture_log.txt
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee $LOG
python3 $C/capture_graph.py train16 train32 train128 train256 bert 2>&1 | tee -a $LOG
OUT=$V python3 $C/capture_graph.py train64 llama_eager 2>&1 | tee -a $LOG
python3 $C/capture_graph.py llama_graph 2>&1 | tee -a $LOG || { echo "llama_graph failed: the eager decode goes to OUT" | tee -a $LOG; cp $V/llama_decode_eager_bs8.pt.trace.json.gz $OUT/; }
OUT=$V CUDA_ONLY=1 python3 $C/capture_graph.py train16 train32 train64 train128 train256 2>&1 | tee -a $LOG
tar -cf $OUT/variants.tar -C $V .
ls -l $OUT $V | tee -a $LOG
