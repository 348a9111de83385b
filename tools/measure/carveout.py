"""Is it the shared-memory carveout? coresidency.py found that blocks which issue almost nothing (nanosleep) slow the
service 2.3-2.9x when they sit on its SMs. A kernel's L1/shared-memory split is set per SM while its blocks are
resident, so a co-runner using no shared memory may leave too little for the service's kernels that need some. Here
the same sleeping co-runner (CuPy RawKernel, 4 blocks of 256 threads per SM, ~1 ms a launch, 8 launches then a sync)
asks for 0, 8 or 32 KiB of dynamic shared memory per block, or for no shared memory but the largest carveout.
usage: LAB=<folder with colocate.py> python3 carveout.py <resnet50|bert> <seconds> <out.json>"""
import os, sys, json, threading, time
sys.path.insert(0, os.path.dirname(__file__))
import torch, cupy as cp
from keepalive import build_infer
from coresidency import loop, stats, SMS, PER_ITER

SRC = r'''
extern "C" __global__ void sleeper(int *out, int n) {
  extern __shared__ int s[];
  int x = threadIdx.x + blockIdx.x;
  for (int i = 0; i < n; i++) { __nanosleep(200); x += 1; }
  if (x == -1) s[threadIdx.x] = x;   // never true: keeps the shared array, touches nothing
  out[blockIdx.x * blockDim.x + threadIdx.x] = x;
}'''

def sleeper(smem, carveout, stream, target_us=1000.0):
    k = cp.RawKernel(SRC, 'sleeper')
    if smem > 48 * 1024: k.max_dynamic_shared_size_bytes = smem
    if carveout is not None: k.preferred_shared_memory_carveout = carveout
    grid, block = 4 * SMS, 256
    out = torch.empty(grid * block, device='cuda', dtype=torch.int32)
    cs = cp.cuda.ExternalStream(stream.cuda_stream)
    def launch(n): k((grid,), (block,), (cp.uint64(out.data_ptr()), cp.int32(n)), shared_mem=smem, stream=cs)
    def per_launch_us(n):
        launch(n); stream.synchronize()
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        e0.record(stream)
        for _ in range(5): launch(n)
        e1.record(stream); e1.synchronize()
        return e0.elapsed_time(e1) * 1e3 / 5
    n = 2000
    for _ in range(3): n = max(10, int(n * target_us / per_launch_us(n)))
    def it():
        for _ in range(PER_ITER): launch(n)
        stream.synchronize()
    it.keep = (out, k)
    return it, n, per_launch_us(n)

if __name__ == '__main__':
    model, dur, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    req = build_infer(model, 0)
    for _ in range(50): req()
    res = {'role': 'carveout', 'gpu': torch.cuda.get_device_name(0), 'sms': SMS, 'model': model, 'svc_alone': stats(loop(req, dur)[0]), 'rows': []}
    for smem, carve in [(0, None), (8192, None), (32768, None), (0, 100), (0, 0)]:
        name = f'sleep_smem{smem // 1024}k' + ('' if carve is None else f'_carveout{carve}')
        s_co = torch.cuda.Stream()
        try: it, n, launch_us = sleeper(smem, carve, s_co)
        except Exception as e:
            print(name, 'not run:', repr(e)[:300], flush=True); continue
        its_alone, secs = loop(it, 1.0)
        stop = threading.Event(); box = {}
        def run_co():
            k = 0; st = time.perf_counter()
            while not stop.is_set(): it(); k += 1
            box['its'] = k / (time.perf_counter() - st)
        th = threading.Thread(target=run_co); th.start(); time.sleep(0.2)
        times, _ = loop(req, dur); stop.set(); th.join()
        row = {'co_runner': name, 'smem': smem, 'carveout': carve, 'loop_n': n, 'launch_us': launch_us,
               'co_alone_its': len(its_alone) / secs, 'co_with_its': box['its'], 'svc_with': stats(times)}
        res['rows'].append(row); print(json.dumps(row), flush=True)
        json.dump(res, open(out, 'w'))
    res['svc_alone_after'] = stats(loop(req, dur)[0])
    json.dump(res, open(out, 'w'))
    print(out, 'alone p50', round(res['svc_alone']['p50_us'], 1), 'after', round(res['svc_alone_after']['p50_us'], 1), flush=True)
