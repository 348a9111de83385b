"""The region Nsight Compute profiles for tools/measure/ncu_issue.sh: one ResNet-50 training step (batch 64), one
request of a service (ResNet-50 or BERT-base, fp16, batch 1, its CUDA graph), or one launch of each co-runner of
coresidency.py. Everything else (warm-up, building) runs outside cudaProfilerStart/Stop, so `ncu --profile-from-start
off` sees only that region.
usage: LAB=<folder with colocate.py> python3 issue_probe.py <train|resnet50|bert|spin>"""
import os, sys
sys.path.insert(0, os.path.dirname(__file__))
import torch

what = sys.argv[1]
if what == 'train':
    sys.path.insert(0, os.environ['LAB']); import colocate
    step = colocate.build_train(0)
    for _ in range(5): step()
    torch.cuda.synchronize()
    torch.cuda.profiler.start(); step(); torch.cuda.synchronize(); torch.cuda.profiler.stop()
elif what in ('resnet50', 'bert'):
    from keepalive import build_infer
    req = build_infer(what, 0)
    for _ in range(20): req()
    torch.cuda.profiler.start(); req(); torch.cuda.profiler.stop()
else:
    import coresidency as c
    s = torch.cuda.Stream()
    for kind, warps, per_sm in c.VARIANTS:
        block = 32 * warps; grid = per_sm * c.SMS
        out = torch.empty(grid * block, device='cuda', dtype=torch.float32 if kind == 'fma' else torch.int32)
        def launch(n):
            if kind == 'fma': c.fma_spin[(grid,)](out, n, BLOCK=block, num_warps=warps)
            elif kind == 'chase': c.chase_spin[(grid,)](out, c.chase_buf, n, c.CHASE_LEN - 1, BLOCK=block, num_warps=warps)
            else: c.sleep_spin[(grid,)](out, n, BLOCK=block, num_warps=warps)
        with torch.cuda.stream(s):
            launch(256); s.synchronize()  # compiled outside the profiled region
            torch.cuda.profiler.start(); launch(256); s.synchronize(); torch.cuda.profiler.stop()
