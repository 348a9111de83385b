# ResNet-50 inference, batch 4 (the lab's workloads.make), a few steady-state iterations inside an nsys capture range,
# plus explicit copies, a memset and three kinds of synchronisation, so every canonical table gets real rows.
import sys; sys.path.insert(0, sys.argv[1])
from workloads import make
import torch
step = make('resnet50', 4, False)
for _ in range(3): step()            # warm-up (cuDNN/cuBLAS set-up) stays outside the capture range
torch.cuda.synchronize()
host = torch.randn(4, 3, 224, 224).pin_memory()
dev = torch.empty_like(host, device='cuda')
nvtx = torch.cuda.nvtx
torch.cuda.cudart().cudaProfilerStart()
for i in range(3):
    nvtx.range_push(f"iter {i}")
    nvtx.range_push("h2d"); dev.copy_(host, non_blocking=True); nvtx.range_pop()
    nvtx.range_push("forward"); step(); nvtx.range_pop()
    nvtx.range_push("d2h"); back = dev.to('cpu', non_blocking=True); nvtx.range_pop()
    ev = torch.cuda.Event(); ev.record(); ev.synchronize()          # event sync
    nvtx.range_pop()
try:
    import cupy
    buf = cupy.cuda.alloc(1 << 20)
    cupy.cuda.runtime.memset(buf.ptr, 0, 1 << 20)                      # cudaMemset
except Exception as e:
    print("no cupy memset:", e)
torch.cuda.current_stream().synchronize()                              # stream sync
torch.cuda.synchronize()                                               # device sync
torch.cuda.cudart().cudaProfilerStop()
print("done")
