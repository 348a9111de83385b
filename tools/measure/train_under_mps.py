"""What sharing the GPU under MPS does to the best-effort job's kernels: ResNet-50 training (colocate.py's, batch 64)
profiled (CUDA activity only) for a few seconds, alone or as an MPS client beside the unprofiled CUDA-graph service
(`colocate.py infer`). The two traces give each training kernel's duration alone and shared, matched by its place
in the step, and the gaps between them. The counterpart of service_under_mps.py, which profiles the service.
usage: LAB=<folder with colocate.py> python3 train_under_mps.py <seconds> <trace.json>"""
import os, sys, time
sys.path.insert(0, os.environ.get('LAB', os.path.join(os.path.dirname(__file__), '../../../shared/lab')))
from colocate import build_train, wait_go
from torch.profiler import profile, ProfilerActivity

dur, out = float(sys.argv[1]), sys.argv[2]
step = build_train(0)
for _ in range(3): step()
t0 = wait_go('trn')
while time.time() < t0: time.sleep(0.001)
time.sleep(0.5)  # let the service reach its steady state before the profiled steps
n = 0; st = time.perf_counter()
with profile(activities=[ProfilerActivity.CUDA]) as prof:
    while time.perf_counter() - st < dur:
        step(); n += 1
secs = time.perf_counter() - st
prof.export_chrome_trace(out)
print(f'{out}: {n} steps in {secs:.2f} s ({n / secs:.2f} steps/s, profiled)', flush=True)
