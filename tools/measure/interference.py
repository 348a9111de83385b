"""How much a co-runner slows the ResNet-50 service, by channel: the service's CUDA-graph requests in a closed loop
(one at a time, as colocate.py's service replays them) beside a synthetic co-runner that launches back to back,
either as another MPS client (blocks of both share SMs when they fit) or in a complementary green context of the
same process (disjoint SMs: only L2, DRAM and power are shared). The co-runners are a tensor-core GEMM (compute) and
a large device copy (DRAM). Used to calibrate the simulator's interference terms; the co-location runs of
shared/calibration/h200/colocation are not used for that. Run by tools/measure/interference.sh.
usage: python3 interference.py sweep <seconds> <out.json> [<kineto trace out dir>]
       python3 interference.py svc <seconds> <out.json>
       python3 interference.py hog <gemm|copy> <seconds> <out.json> [<kineto trace out>]
       python3 interference.py gc <none|gemm|copy> <service SMs> <seconds> <out.json>"""
import os, sys, time, json, gzip, threading
sys.path.insert(0, os.environ.get('LAB', os.path.join(os.path.dirname(__file__), '../../../shared/lab')))
import torch
from colocate import build_infer, wait_go

PER_ITER = 8  # co-runner launches per iteration (one host sync per iteration, like a training step)

def build_hog(kind, stream):
    with torch.cuda.stream(stream):
        if kind == 'stream':  # an elementwise kernel: DRAM-bound on the SMs it runs on (read 1 GiB, write 1 GiB)
            x = torch.ones(256 * 2**20, device='cuda', dtype=torch.float32); y = torch.empty_like(x)
            op = lambda: torch.mul(x, 1.0001, out=y)
        elif kind == 'gemm':
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

BYTES = {'stream': 2 * 2**30 * PER_ITER, 'copy': 2 * 2**30 * PER_ITER, 'gemm': 3 * 4096 * 4096 * 2 * PER_ITER}

def graph_on(stream):
    import torchvision
    m = torchvision.models.resnet50(weights=None).cuda().half().eval(); x = torch.randn(1, 3, 224, 224, device='cuda', dtype=torch.half)
    with torch.no_grad(), torch.cuda.stream(stream):
        for _ in range(3): m(x)
        torch.cuda.synchronize(); g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g, stream=stream): m(x)
    def req():
        with torch.cuda.stream(stream): g.replay()
        stream.synchronize()
    return req

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
if mode == 'sweep':
    # One process: the service in a green context of N SMs, a co-runner in the complementary green context (disjoint
    # SMs: only L2, DRAM, power and the front end shared), or a device-to-device copy on the copy engines. Each
    # co-runner's bandwidth is measured alone on its SMs first.
    from torch.cuda.green_contexts import GreenContext
    dur, out = float(sys.argv[2]), sys.argv[3]
    full = torch.cuda.get_device_properties(0).multi_processor_count
    rows = []; keep = []  # green contexts stay alive to the end: destroying one with streams in use breaks the process
    def condition(kind, hog_sms):
        svc_sms = full - hog_sms if hog_sms else full
        g_svc = GreenContext.create(num_sms=svc_sms, device_id=0) if svc_sms < full else None
        keep.append(g_svc)
        if g_svc: g_svc.set_context()
        s_svc = g_svc.Stream() if g_svc else torch.cuda.Stream()
        req = graph_on(s_svc)
        for _ in range(50): req()
        base, _ = loop(req, dur / 2)
        row = {'kind': kind, 'svc_sms': svc_sms, 'hog_sms': hog_sms, 'svc_alone': stats(base)}
        if kind != 'none':
            g_hog = GreenContext.create(num_sms=hog_sms, device_id=0) if hog_sms and hog_sms < full else None
            keep.append(g_hog)
            if g_hog: g_hog.set_context()
            s_hog = g_hog.Stream() if g_hog else torch.cuda.Stream()
            it = build_hog(kind, s_hog)
            hog_alone, secs = loop(it, 1.0); row['hog_alone_its'] = len(hog_alone) / secs
            stop = threading.Event(); box = {}
            def run_hog():
                if g_hog: g_hog.set_context()
                n_it = 0; st = time.perf_counter()
                while not stop.is_set(): it(); n_it += 1
                box['its'] = n_it / (time.perf_counter() - st)
            th = threading.Thread(target=run_hog); th.start(); time.sleep(0.3)
            if g_svc: g_svc.set_context()
            times, _ = loop(req, dur); stop.set(); th.join()
            row['svc_with'] = stats(times); row['hog_with_its'] = box['its']
            row['hog_alone_gbps'] = row['hog_alone_its'] * BYTES[kind] / 1e9; row['hog_with_gbps'] = box['its'] * BYTES[kind] / 1e9
        print(json.dumps(row), flush=True); rows.append(row)
        torch.cuda.synchronize()
        json.dump({'role': 'sweep', 'gpu': torch.cuda.get_device_name(0), 'sms': full, 'rows': rows}, open(out, 'w'))  # what is done so far
    if len(sys.argv) > 4:  # each co-runner's Kineto trace on the whole GPU, for the replay
        from torch.profiler import profile, ProfilerActivity
        for kind in ('copy', 'stream', 'gemm'):
            s_t = torch.cuda.Stream(); it = build_hog(kind, s_t)
            with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
                for _ in range(6): it(); prof.step()
            tmp = os.path.join(sys.argv[4], f'{kind}.tmp.json'); prof.export_chrome_trace(tmp)
            with open(tmp, 'rb') as f, gzip.open(os.path.join(sys.argv[4], f'{kind}_hog.pt.trace.json.gz'), 'wb', compresslevel=9) as g: g.write(f.read())
            os.remove(tmp)
    for kind, k in [('copy', 0), ('stream', 8), ('stream', 16), ('stream', 32), ('stream', 66), ('gemm', 16), ('gemm', 66)]:
        condition(kind, k)
    res = {'role': 'sweep', 'gpu': torch.cuda.get_device_name(0), 'sms': full, 'rows': rows}
elif mode == 'svc':
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
    req = graph_on(s_svc)  # build_infer captures on its own stream; this one replays on the green context's
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
