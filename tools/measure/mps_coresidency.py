"""coresidency.py's question across MPS clients: the service and the co-runner as two processes of one MPS server
(as the co-location's `mps` scenario runs them), rather than two streams of one process. Run by
mps_coresidency.sh, which starts both at one start line (colocate.py's wait_go) and sets
CUDA_MPS_ACTIVE_THREAD_PERCENTAGE on the co-runner where asked.
usage: LAB=<folder with colocate.py> python3 mps_coresidency.py svc <resnet50|bert> <seconds> <out.json>
       LAB=... python3 mps_coresidency.py co <fma|chase|sleep> <warps> <blocks per SM> <seconds> <out.json>"""
import os, sys, json, time
sys.path.insert(0, os.path.dirname(__file__))
import torch
from keepalive import build_infer  # first: it puts the lab folder (colocate.py) on the path
from colocate import wait_go
from coresidency import co_runner, loop, stats, SMS

role = sys.argv[1]
if role == 'svc':
    model, dur, out = sys.argv[2], float(sys.argv[3]), sys.argv[4]
    req = build_infer(model, 0)
    for _ in range(50): req()
    t0 = wait_go('svc')
    while time.time() < t0: time.sleep(0.0005)
    time.sleep(0.3)  # the co-runner's first launches are under way
    res = {'role': 'svc', 'model': model, 'gpu': torch.cuda.get_device_name(0), **stats(loop(req, dur)[0])}
else:
    kind, warps, per_sm, dur, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
    it, n, launch_us = co_runner(kind, warps, per_sm, torch.cuda.Stream())
    t0 = wait_go('co')
    while time.time() < t0: time.sleep(0.0005)
    times, secs = loop(it, dur + 0.6)
    res = {'role': 'co', 'kind': kind, 'warps': warps, 'blocks_per_sm': per_sm, 'loop_n': n, 'launch_us': launch_us,
           'its': len(times) / secs, 'thread_pct': os.environ.get('CUDA_MPS_ACTIVE_THREAD_PERCENTAGE'), 'sms': SMS}
json.dump(res, open(out, 'w'))
print(out, json.dumps({k: (round(v, 1) if isinstance(v, float) else v) for k, v in res.items()}), flush=True)
