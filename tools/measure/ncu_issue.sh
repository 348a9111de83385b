#!/bin/bash
# usage: OUT=<folder> [LAB=<folder with colocate.py>] [TAG=l2] bash tools/measure/ncu_issue.sh   (from the repository root)
# Scheduler statistics of every kernel of a ResNet-50 training step, a ResNet-50 and a BERT request, and the
# co-residency microbenchmark's co-runners, by Nsight Compute: warps resident, eligible and issuing per scheduler
# per active cycle. Writes issue_<what>.csv.gz and log.txt. TAG=l2: the same regions' L2 traffic instead (sectors
# read and written at the L2, its throughput as a share of peak, DRAM bytes), written as l2_<what>.csv.gz. TAG=stall:
# why warps wait (Nsight Compute's warp state statistics: warps stalled for each reason per issued instruction, with the
# warps active per issued instruction they are shares of), written as stall_<what>.csv.gz. REGIONS: the regions to
# profile (default "spin resnet50 bert train"); the slow ones can go to separate device calls. T: seconds each region
# may take (default 240).
exec > >(tee $OUT/log.txt) 2>&1
R=$PWD; export LAB=${LAB:-$R/../shared/lab} PYTHONUNBUFFERED=1
NCU=$(ls -d /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1); echo "ncu: $NCU"; $NCU --version | tail -1
TAG=${TAG:-issue}
if [ "$TAG" = l2 ]; then
  M=lts__t_sectors_op_read.sum,lts__t_sectors_op_write.sum,lts__t_sectors.avg.pct_of_peak_sustained_elapsed,lts__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes.sum,gpu__time_duration.sum
elif [ "$TAG" = stall ]; then
  S=smsp__average_warps_issue_stalled
  M=smsp__average_warps_active_per_issue_active.ratio,smsp__issue_active.avg.per_cycle_active,gpu__time_duration.sum
  for r in long_scoreboard lg_throttle not_selected selected math_pipe_throttle wait short_scoreboard barrier mio_throttle dispatch_stall no_instruction branch_resolving drain membar sleeping tex_throttle imc_miss misc; do
    M=$M,${S}_${r}_per_issue_active.ratio
  done
else
  M=smsp__warps_active.avg.per_cycle_active,smsp__warps_eligible.avg.per_cycle_active,smsp__issue_active.avg.per_cycle_active,sm__cycles_active.avg,gpu__time_duration.sum
fi
for what in ${REGIONS:-spin resnet50 bert train}; do
  date; echo "== $what"
  timeout ${T:-240} $NCU --profile-from-start off --metrics $M --csv python3 tools/measure/issue_probe.py $what > /tmp/${TAG}_$what.csv 2>/tmp/${TAG}_$what.err
  echo "rc $?"; tail -2 /tmp/${TAG}_$what.err; wc -l /tmp/${TAG}_$what.csv
  gzip -9 -c /tmp/${TAG}_$what.csv > $OUT/${TAG}_$what.csv.gz
done
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/gpu.csv; date
