"""How much a request slows when another tenant's blocks sit on the same SMs: the service's CUDA-graph requests in a
closed loop (one at a time), alone and beside a co-runner whose blocks are small enough to leave room on every SM,
so the service's blocks share SMs with them rather than wait for them. One process, two streams of equal priority
(the block dispatcher treats them as it treats two MPS clients: hardware.md §3.2, §5.1).

Co-runners (Triton kernels, grid = blocks-per-SM × SMs, each launch ~1 ms, 8 launches as one CUDA graph, then a sync):
  fma_w<W>_b<B>:   W warps per block, B blocks per SM, each thread two independent FMA chains (issue-bound);
  chase_w<W>_b<B>: each thread a chain of dependent loads through a 32 MiB random permutation (L2-resident on
                   H100/H200: many loads in flight, bound by L2);
  sleep_w<W>_b<B>: each thread a loop of nanosleep: blocks that hold their slots and issue almost nothing.
Writes one JSON: the service's p50 alone (before and after) and beside each co-runner, each co-runner's
launches/s alone and beside the service; and a Kineto trace of each co-runner alone for the replay.
usage: LAB=<folder with colocate.py> [CHASE_MIB=32] [VARIANTS=kind:warps:blocks_per_sm,...] python3 coresidency.py
       <resnet50|bert> <seconds> <out.json> <trace dir>
CHASE_MIB sets the chaser's working set (2 MiB stays in L2; 512 MiB goes to DRAM); VARIANTS runs only the co-runners
named (e.g. chase:8:4). SVC_TRACE=<requests>: also a Kineto trace of that many of the service's requests alone
(<model>_svc_alone.pt.trace.json.gz) and beside each co-runner (<model>_svc_<co-runner>.pt.trace.json.gz), after the
timed loops, so that a request's extra time can be split into its kernels and the gaps between them."""
import os, sys, time, json, gzip, threading
sys.path.insert(0, os.path.dirname(__file__))
import torch, triton, triton.language as tl
from keepalive import build_infer

@triton.jit
def fma_spin(out, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = tl.arange(0, BLOCK)
    a = offs.to(tl.float32) * 1e-6 + pid.to(tl.float32)
    b = a + 0.5
    for _ in range(n):
        a = a * 0.999999 + 1e-7
        b = b * 0.999998 + 2e-7
    tl.store(out + pid * BLOCK + offs, a + b)

@triton.jit
def chase_spin(out, buf, n, mask, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = tl.arange(0, BLOCK)
    idx = (offs * 97 + pid * 1031) & mask
    for _ in range(n):
        idx = tl.load(buf + idx, volatile=True)
    tl.store(out + pid * BLOCK + offs, idx)

@triton.jit
def sleep_spin(out, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    x = tl.arange(0, BLOCK) + pid
    for _ in range(n):
        x = tl.inline_asm_elementwise("nanosleep.u32 200; add.s32 $0, $1, 1;", "=r,r", [x], dtype=tl.int32, is_pure=False, pack=1)
    tl.store(out + pid * BLOCK + tl.arange(0, BLOCK), x)

PER_ITER = 8
SVC_TRACE = int(os.environ.get('SVC_TRACE', '0'))

def kineto_trace(fn, n, path):
    """A gzipped Kineto trace of n calls of fn, one profiler step each (CUDA graph replays: CUPTI records each of the
    graph's kernels)."""
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for _ in range(n): fn(); prof.step()
    tmp = path + '.tmp.json'; prof.export_chrome_trace(tmp)
    with open(tmp, 'rb') as f, gzip.open(path, 'wb', compresslevel=9) as g: g.write(f.read())
    os.remove(tmp)
SMS = torch.cuda.get_device_properties(0).multi_processor_count
CHASE_MIB = int(os.environ.get('CHASE_MIB', '32'))  # 32 MiB: under the H100's 50 MB and the H200's 60 MB of L2
CHASE_LEN = CHASE_MIB * 2**20 // 4  # int32 entries; a power of two (the index is masked)
assert CHASE_LEN & (CHASE_LEN - 1) == 0, 'CHASE_MIB must be a power of two'
chase_buf = torch.randperm(CHASE_LEN, device='cuda', dtype=torch.int32)

def co_runner(kind, warps, per_sm, stream, target_us=1000.0):
    block = 32 * warps; grid = per_sm * SMS
    out = torch.empty(grid * block, device='cuda', dtype=torch.float32 if kind == 'fma' else torch.int32)
    def launch(n):
        if kind == 'fma': fma_spin[(grid,)](out, n, BLOCK=block, num_warps=warps)
        elif kind == 'chase': chase_spin[(grid,)](out, chase_buf, n, CHASE_LEN - 1, BLOCK=block, num_warps=warps)
        else: sleep_spin[(grid,)](out, n, BLOCK=block, num_warps=warps)
    def per_launch_us(n):  # n a multiple of 16, so every n shares one compiled specialisation
        with torch.cuda.stream(stream):
            launch(n); stream.synchronize()
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            e0.record(stream)
            for _ in range(5): launch(n)
            e1.record(stream); e1.synchronize()
        return e0.elapsed_time(e1) * 1e3 / 5
    n = 2048
    for _ in range(3): n = max(16, int(n * target_us / per_launch_us(n)) // 16 * 16)
    # The co-runner's launches as one CUDA graph: one short Python call per iteration, so the service's thread is
    # not kept waiting for the GIL while the co-runner launches (an eager Triton launch holds it ~20-40 us).
    g = torch.cuda.CUDAGraph()
    with torch.cuda.stream(stream):
        with torch.cuda.graph(g, stream=stream):
            for _ in range(PER_ITER): launch(n)
    def it():
        with torch.cuda.stream(stream): g.replay()
        stream.synchronize()
    it.keep = (out, g)
    it(); it()
    return it, n, per_launch_us(n)

def loop(fn, dur):
    times = []; st = time.perf_counter()
    while time.perf_counter() - st < dur:
        a = time.perf_counter(); fn(); times.append(time.perf_counter() - a)
    return times, time.perf_counter() - st

def stats(times):
    s = sorted(times); return {'n': len(s), 'p50_us': s[len(s) // 2] * 1e6, 'mean_us': sum(s) / len(s) * 1e6, 'p90_us': s[int(len(s) * 0.9)] * 1e6}

VARIANTS = [('fma', 4, 1), ('fma', 4, 4), ('fma', 8, 4), ('fma', 16, 2), ('chase', 8, 4), ('sleep', 8, 4)]
if os.environ.get('VARIANTS'):
    VARIANTS = [(k, int(w), int(b)) for k, w, b in (v.split(':') for v in os.environ['VARIANTS'].split(','))]

if __name__ == '__main__':
    model, dur, out, tdir = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
    req = build_infer(model, 0)
    for _ in range(50): req()
    res = {'role': 'coresidency', 'gpu': torch.cuda.get_device_name(0), 'sms': SMS, 'model': model, 'per_iter': PER_ITER, 'chase_mib': CHASE_MIB}
    res['svc_alone'] = stats(loop(req, dur)[0])
    if SVC_TRACE: kineto_trace(req, SVC_TRACE, os.path.join(tdir, f'{model}_svc_alone.pt.trace.json.gz'))
    rows = []
    for kind, warps, per_sm in VARIANTS:
        name = f'{kind}_w{warps}_b{per_sm}'
        s_co = torch.cuda.Stream()
        try: it, n, launch_us = co_runner(kind, warps, per_sm, s_co)
        except Exception as e:  # a variant that does not build on this GPU's Triton is left out, said so
            print(name, 'not run:', repr(e)[:300], flush=True); continue
        its_alone, secs = loop(it, 1.0)
        trace = os.path.join(tdir, f'{model}_{name}.pt.trace.json.gz')
        kineto_trace(it, 4, trace)  # the co-runner alone as this run built it (its loop length), for the replay
        stop = threading.Event(); box = {}
        def run_co():
            k = 0; st = time.perf_counter()
            while not stop.is_set(): it(); k += 1
            box['its'] = k / (time.perf_counter() - st)
        th = threading.Thread(target=run_co); th.start(); time.sleep(0.2)
        times, _ = loop(req, dur); stop.set(); th.join()
        if SVC_TRACE:  # after the timed loop, with the co-runner running again, so that the profiler touches no number above
            stop2 = threading.Event()
            def co_again():
                while not stop2.is_set(): it()
            th2 = threading.Thread(target=co_again); th2.start(); time.sleep(0.2)
            kineto_trace(req, SVC_TRACE, os.path.join(tdir, f'{model}_svc_{name}.pt.trace.json.gz'))
            stop2.set(); th2.join()
        row = {'co_runner': name, 'kind': kind, 'warps': warps, 'blocks_per_sm': per_sm, 'loop_n': n, 'launch_us': launch_us,
               'co_alone_its': len(its_alone) / secs, 'co_with_its': box['its'], 'svc_with': stats(times)}
        rows.append(row); print(json.dumps(row), flush=True)
        res['rows'] = rows
        json.dump(res, open(out, 'w'))
    res['svc_alone_after'] = stats(loop(req, dur)[0])
    json.dump(res, open(out, 'w'))
    print(out, 'alone p50', round(res['svc_alone']['p50_us'], 1), 'after', round(res['svc_alone_after']['p50_us'], 1), flush=True)
