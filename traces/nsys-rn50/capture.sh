#!/bin/bash
# Runs on the GPU machine: profile small.py under nsys, export the SAME report five ways, scrub, pack into $OUT.
set -u
D=$(cd "$(dirname "$0")" && pwd)
LOG=$OUT/capture-log.txt
exec > >(tee -a $LOG) 2>&1
NSYS=$(ls /opt/nvidia/nsight-compute/*/host/target-linux-x64/nsys 2>/dev/null | tail -1)
command -v nsys && NSYS=$(command -v nsys)
echo "nsys: $NSYS"; $NSYS --version
H=$(dirname $(dirname $NSYS))
mkdir -p /tmp/dw && for f in $D/*.deb; do dpkg -x $f /tmp/dw; done
DWLIB=/tmp/dw/usr/lib/x86_64-linux-gnu
nvidia-smi --query-gpu=name,driver_version --format=csv
python3 -c 'import torch,pyarrow; print(torch.__version__, pyarrow.__version__)'
mkdir -p /tmp/ex /tmp/h
# a minimal, known environment, so the recorded environment holds nothing private; LITHOS_CANARY marks where it lands
ENVV="env -i PATH=$PATH HOME=/tmp/h LD_LIBRARY_PATH=$DWLIB:${LD_LIBRARY_PATH:-} LITHOS_CANARY=canary-7f3a9 PYTHONUNBUFFERED=1"
cd /tmp
timeout 300 $ENVV $NSYS profile -t cuda,nvtx --sample=none --cpuctxsw=none --backtrace=none \
  --capture-range=cudaProfilerApi --capture-range-end=stop -o /tmp/ex/rn50 --force-overwrite true python3 $D/small.py $D
ls -la /tmp/ex
for q in /tmp/ex/*.qdstrm; do [ -f "$q" ] && LD_LIBRARY_PATH=$DWLIB timeout 200 $H/linux-desktop-glibc_2_11_3-x64/QdstrmImporter -i "$q" 2>&1 | tail -5; done
R=/tmp/ex/rn50.nsys-rep
[ -f $R ] || { echo "NO REPORT"; exit 3; }
$NSYS export --help 2>&1 | grep -i -A3 -- "--type" | head -20
for t in sqlite:rn50.sqlite jsonlines:rn50.jsonl json:rn50.json arrow:rn50.arrows arrowdir:rn50_arwdir parquetdir:rn50_pqtdir; do
  echo "== export ${t%%:*}"; LD_LIBRARY_PATH=$DWLIB timeout 120 $NSYS export --type ${t%%:*} -o /tmp/ex/${t#*:} --force-overwrite true $R 2>&1 | tail -3
done
ls -laR /tmp/ex
python3 $D/scrub.py /tmp/ex canary-7f3a9 "$(hostname)" "$(hostname -f 2>/dev/null)" "$DWLIB:${LD_LIBRARY_PATH:-}"
cd /tmp/ex
[ -f rn50.sqlite ] && gzip -9c rn50.sqlite > $OUT/rn50.sqlite.gz
for f in rn50.jsonl rn50.json; do [ -f $f ] && gzip -9c $f > $OUT/$f.gz; done
[ -f rn50.arrows ] && gzip -9c rn50.arrows > $OUT/rn50.arrows.gz
for d in rn50_arwdir rn50_pqtdir; do [ -d $d ] && tar cf - $d | gzip -9 > $OUT/$d.tar.gz; done
ls -la $OUT
