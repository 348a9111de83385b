"""How much a co-runner slows the ResNet-50 service, by channel: the service's CUDA-graph requests in a closed loop
(one at a time, as colocate.py's service replays them) beside a synthetic co-runner that launches back to back,
either as another MPS client (blocks of both share SMs when they fit) or in a complementary green context of the
same process (disjoint SMs: only L2, DRAM and power are shared). The co-runners are a tensor-core GEMM (compute) and
a large device copy (DRAM). Used to calibrate the simulator's interference terms; the co-location runs of
shared/calibration/h200/colocation are not used for that. Run by tools/measure/interference.sh.
usage: python3 interference.py svc <seconds> <out.json>
       python3 interference.py hog <gemm|copy> <seconds> <out.json> [<kineto trace out>]
       python3 interference.py gc <none|gemm|copy> <service SMs> <seconds> <out.json>"""
import os, sys, time, json, gzip, threading
sys.path.insert(0, os.environ.get('LAB', os.path.join(os.path.dirname(__file__), '../../../shared/lab')))
import torch
from colocate import build_infer, wait_go

PER_ITER = 8  # co-runner launches per iteration (one host sync per iteration, like a training step)

def build_hog(kind, stream):
    with torch.cuda.stream(stream):
        if kind == 'gemm':
            a = torch.randn(4096, 4096, device='cuda', dtype=torch.half); b = torch.randn(4096, 4096, device='cuda', dtype=torch.half)
            c = torch.empty(4096, 4096, device='cuda', dtype=torch.half)
            op = lambda: torch.matmul(a, b, out=c)
        else:
            x = torch.empty(256 * 2**20, device='cuda', dtype=torch.float32); y = torch.empty_like(x)  # 1 GiB each
            op = lambda: y.copy_(x)
    def it():
        with torch.cuda.stream(stream):
            for _ in range(PER_ITER): op()
        stream.synchronize()
    for _ in range(5): it()
    return it

def loop(fn, dur, t0=None):
    if t0 is not None:
        while time.time() < t0: time.sleep(0.0005)
    times = []; st = time.perf_counter()
    while time.perf_counter() - st < dur:
        a = time.perf_counter(); fn(); times.append(time.perf_counter() - a)
    return times, time.perf_counter() - st

def stats(times):
    s = sorted(times); return {'n': len(s), 'p50_us': s[len(s) // 2] * 1e6, 'mean_us': sum(s) / len(s) * 1e6, 'p99_us': s[int(len(s) * 0.99)] * 1e6}

mode = sys.argv[1]
if mode == 'svc':
    dur, out = float(sys.argv[2]), sys.argv[3]
    req = build_infer('resnet50', 0)
    for _ in range(50): req()
    t0 = wait_go('svc'); times, secs = loop(req, dur, t0)
    res = {'role': 'svc', **stats(times)}
elif mode == 'hog':
    kind, dur, out = sys.argv[2], float(sys.argv[3]), sys.argv[4]
    s = torch.cuda.Stream(); it = build_hog(kind, s)
    if len(sys.argv) > 5:  # a Kineto trace of the co-runner alone, for the replay
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            for _ in range(12): it(); prof.step()
        tmp = sys.argv[5] + '.tmp.json'; prof.export_chrome_trace(tmp)
        with open(tmp, 'rb') as f, gzip.open(sys.argv[5], 'wb', compresslevel=9) as g: g.write(f.read())
        os.remove(tmp)
    t0 = wait_go('hog'); times, secs = loop(it, dur, t0)
    res = {'role': 'hog', 'kind': kind, 'its': len(times) / secs, **stats(times)}
elif mode == 'gc':
    from torch.cuda.green_contexts import GreenContext
    kind, n, dur, out = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    full = torch.cuda.get_device_properties(0).multi_processor_count
    g_svc = GreenContext.create(num_sms=n, device_id=0); g_hog = GreenContext.create(num_sms=full - n, device_id=0)
    g_svc.set_context(); s_svc = g_svc.Stream()
    # build_infer captures on its own stream; replay it on the green context's stream instead.
    import torchvision
    m = torchvision.models.resnet50(weights=None).cuda().half().eval(); x = torch.randn(1, 3, 224, 224, device='cuda', dtype=torch.half)
    with torch.no_grad(), torch.cuda.stream(s_svc):
        for _ in range(3): m(x)
        torch.cuda.synchronize(); g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g, stream=s_svc): m(x)
    def req():
        with torch.cuda.stream(s_svc): g.replay()
        s_svc.synchronize()
    hog_res = {}
    stop = threading.Event()
    if kind != 'none':
        g_hog.set_context(); s_hog = g_hog.Stream(); it = build_hog(kind, s_hog)
        def run_hog():
            g_hog.set_context(); n_it = 0; st = time.perf_counter()
            while not stop.is_set(): it(); n_it += 1
            hog_res['its'] = n_it / (time.perf_counter() - st)
        th = threading.Thread(target=run_hog); th.start(); time.sleep(0.5)
    g_svc.set_context()
    for _ in range(50): req()
    times, secs = loop(req, dur)
    stop.set()
    if kind != 'none': th.join()
    res = {'role': 'gc', 'kind': kind, 'svc_sms': n, 'hog_sms': full - n, 'hog_its': hog_res.get('its'), **stats(times)}
json.dump(res, open(out, 'w'))
print(out, json.dumps({k: (round(v, 1) if isinstance(v, float) else v) for k, v in res.items()}), flush=True)
