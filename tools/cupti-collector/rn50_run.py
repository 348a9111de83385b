"""The workload behind traces/cupti-rn50: ResNet-50 fp16 inference, batch 4 (shared/lab/workloads.py), 5 iterations.

Each iteration is preceded by a marker memset of MARKER_BYTES (cuMemsetD8Async through ctypes), and one more follows
the last, so the iterations can be cut out of any trace of the run: the collector's stream holds the whole process
(start-up, weight upload, warm-up), Kineto's only the profiled iterations. Every iteration also does an HtoD and a
DtoH copy, a CUDA-event synchronize and a device synchronize, so memcpy, memset and sync records all appear.

usage: python3 rn50_run.py plain            (run under CUDA_INJECTION64_PATH=liblithos_cupti.so)
       python3 rn50_run.py kineto OUT.json.gz   (torch.profiler over the same iterations)
"""
import ctypes, gzip, os, shutil, sys
import torch
from workloads import make

ITERS = 5
WARMUP = 3
MARKER_BYTES = 123457   # an odd size nothing else in the run uses
MARKER_VALUE = 0x5A

libcuda = ctypes.CDLL("libcuda.so.1")
libcuda.cuMemsetD8Async.argtypes = [ctypes.c_uint64, ctypes.c_ubyte, ctypes.c_size_t, ctypes.c_void_p]

def main():
    mode = sys.argv[1]
    step = make('resnet50', 4, False)
    marker = torch.empty(MARKER_BYTES, dtype=torch.uint8, device='cuda')
    host = torch.randn(1024, 1024).pin_memory()
    dev = torch.empty_like(host, device='cuda')
    def mark():
        rc = libcuda.cuMemsetD8Async(marker.data_ptr(), MARKER_VALUE, MARKER_BYTES,
                                     torch.cuda.current_stream().cuda_stream)
        assert rc == 0, rc
    def iteration():
        mark()
        dev.copy_(host, non_blocking=True)          # HtoD, pinned
        step()
        ev = torch.cuda.Event(); ev.record(); ev.synchronize()
        _ = dev[:16, :16].cpu()                     # DtoH, pageable
        torch.cuda.synchronize()
    for _ in range(WARMUP): step()
    torch.cuda.synchronize()
    if mode == 'kineto':
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            for _ in range(ITERS): iteration()
            mark(); torch.cuda.synchronize()
        raw = '/tmp/rn50_kineto.json'
        prof.export_chrome_trace(raw)
        with open(raw, 'rb') as f, gzip.open(sys.argv[2], 'wb') as g: shutil.copyfileobj(f, g)
    else:
        for _ in range(ITERS): iteration()
        mark(); torch.cuda.synchronize()
    libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'cupti' in l or 'libcuda.so' in l})
    print(mode, 'done; loaded:', libs, flush=True)

if __name__ == '__main__':
    main()
