"""Where the co-located service's time goes under MPS: the ResNet-50 service of shared/lab/colocate.py (CUDA-graph
requests, Poisson 300 req/s), profiled (CUDA activity only) alone or beside ResNet-50 training, so that its kernels'
durations and the gaps between them can be compared. Run by tools/measure/service_under_mps.sh on the GPU machine;
LAB points at a folder holding shared/lab/colocate.py and workloads.py.
usage: python3 service_under_mps.py <seconds> <trace.json>"""
import os, sys, time, random
sys.path.insert(0, os.environ.get('LAB', os.path.join(os.path.dirname(__file__), '../../../shared/lab')))
from colocate import build_infer, wait_go
from torch.profiler import profile, ProfilerActivity

dur, out = float(sys.argv[1]), sys.argv[2]
req = build_infer('resnet50', 0)
for _ in range(20): req()
rnd = random.Random(1); arr = []; a = 0.0
while a < dur: a += rnd.expovariate(300); arr.append(a)
t0 = wait_go('inf'); base = time.perf_counter() + max(0.0, t0 - time.time())
lat = []
with profile(activities=[ProfilerActivity.CUDA]) as prof:
    for a in arr:  # the arrival loop of colocate.infer
        target = base + a
        while True:
            now = time.perf_counter()
            if now >= target: break
            if target - now > 0.0003: time.sleep(target - now - 0.0002)
        req(); lat.append(time.perf_counter() - target)
prof.export_chrome_trace(out)
lat.sort()
print(f'{out}: {len(lat)} requests, p50 {lat[len(lat) // 2] * 1e3:.2f} ms, p99 {lat[int(len(lat) * 0.99)] * 1e3:.2f} ms', flush=True)
