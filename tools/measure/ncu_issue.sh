#!/bin/bash
# usage: OUT=<folder> [LAB=<folder with colocate.py>] [TAG=l2] bash tools/measure/ncu_issue.sh   (from the repository root)
# Scheduler statistics of every kernel of a ResNet-50 training step, a ResNet-50 and a BERT request, and the
# co-residency microbenchmark's co-runners, by Nsight Compute: warps resident, eligible and issuing per scheduler
# per active cycle. Writes issue_<what>.csv.gz and log.txt. TAG=l2: the same regions' L2 traffic instead (sectors
# read and written at the L2, its throughput as a share of peak, DRAM bytes), written as l2_<what>.csv.gz.
exec > >(tee $OUT/log.txt) 2>&1
R=$PWD; export LAB=${LAB:-$R/../shared/lab} PYTHONUNBUFFERED=1
NCU=$(ls -d /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1); echo "ncu: $NCU"; $NCU --version | tail -1
TAG=${TAG:-issue}
if [ "$TAG" = l2 ]; then
  M=lts__t_sectors_op_read.sum,lts__t_sectors_op_write.sum,lts__t_sectors.avg.pct_of_peak_sustained_elapsed,lts__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes.sum,gpu__time_duration.sum
else
  M=smsp__warps_active.avg.per_cycle_active,smsp__warps_eligible.avg.per_cycle_active,smsp__issue_active.avg.per_cycle_active,sm__cycles_active.avg,gpu__time_duration.sum
fi
for what in spin resnet50 bert train; do
  date; echo "== $what"
  timeout 240 $NCU --profile-from-start off --metrics $M --csv python3 tools/measure/issue_probe.py $what > /tmp/${TAG}_$what.csv 2>/tmp/${TAG}_$what.err
  echo "rc $?"; tail -2 /tmp/${TAG}_$what.err; wc -l /tmp/${TAG}_$what.csv
  gzip -9 -c /tmp/${TAG}_$what.csv > $OUT/${TAG}_$what.csv.gz
done
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/gpu.csv; date
