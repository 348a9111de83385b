"""Where a shared service's request time goes. The CUDA-graph service of colocate.py (ResNet-50 or BERT-base,
open-loop Poisson arrivals from random.Random(1)) stamps the GPU's global timer just before and just after each request's graph
replay, on its own stream, so each request splits into: host launch → first stamp (waiting for the GPU: under time
slicing, the other context's turn and the switches), first → second stamp (its kernels, preemptions included) and
second stamp → the host seeing completion. The global timer is tied to the host clock before the run (the stamp of
an idle GPU against the host times around it; the tightest of 200 tries).
usage: LAB=<folder with colocate.py> python3 timeslice_stamps.py <seconds> <rate> <out.json> [resnet50|bert] [prio]
Run alone, and beside `colocate.py train` (time slicing without an MPS daemon, or as MPS clients). With `prio`, one
process as colocate.py's `prio` scenario: the service's graph and stamps on a high-priority stream, the training in a
thread on a low-priority one (its steps go to <out> with .1.json replaced by .2.json); start it alone, it waits at the
start line for both."""
import os, sys, json, time, random, threading
sys.path.insert(0, os.path.dirname(__file__))
import keepalive  # puts LAB on the path; its build_infer keeps the graph's memory
import colocate
import numpy as np, cupy, torch

STAMP = r'''extern "C" __global__ void stamp(unsigned long long* out) {
  unsigned long long t; asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t)); *out = t; }'''

def main(dur, rate, out, model='resnet50', mode=''):
    prio = mode == 'prio'
    s = torch.cuda.Stream(priority=-1 if prio else 0)
    keep = keepalive.build_infer(model, -1 if prio else 0).keep  # (model, input, graph): the graph replays on `s`
    g = keep[2]
    kern = cupy.RawKernel(STAMP, 'stamp')
    cs = cupy.cuda.ExternalStream(s.cuda_stream)
    rnd = random.Random(1); arr = []; a = 0.0
    while a < dur: a += rnd.expovariate(rate); arr.append(a)
    buf = cupy.zeros(2 * len(arr) + 2, dtype=cupy.uint64)
    def stamp(i):
        with cs: kern((1,), (1,), (buf[i:],))
    def req(i):
        stamp(2 * i)
        with torch.cuda.stream(s): g.replay()
        stamp(2 * i + 1); s.synchronize()
    for _ in range(20): req(len(arr))  # warm-up into the spare slots
    best = None
    for _ in range(200):  # global timer against the host clock
        h0 = time.time_ns(); stamp(0); s.synchronize(); h1 = time.time_ns()
        t = int(buf[0].get())
        if best is None or h1 - h0 < best[0]: best = (h1 - h0, t - (h0 + h1) // 2)
    box = {}
    if prio:  # started after the clock tie, so its warm-up steps do not disturb it
        th = threading.Thread(target=lambda: box.setdefault('t', colocate.train(dur, prio=0, tag='trn'))); th.start()
    t0 = colocate.wait_go('inf'); base = time.perf_counter() + max(0.0, t0 - time.time())
    host0 = time.time_ns() - int(time.perf_counter() * 1e9)  # perf_counter → time_ns
    launch, done = [], []
    for i, a in enumerate(arr):
        target = base + a
        while True:
            now = time.perf_counter()
            if now >= target: break
            if target - now > 0.0003: time.sleep(target - now - 0.0002)
        launch.append(time.perf_counter()); req(i); done.append(time.perf_counter())
    st = buf.get().astype(np.int64) - best[1] - host0  # GPU stamps on the perf_counter clock, ns
    us = lambda v: round(v / 1e3, 1)
    res = {'role': 'infer', 'model': model, 'rate': rate, 'clock_tie_ns': best[0],
           'target_us': [us((base + a) * 1e9) for a in arr], 'launch_us': [us(t * 1e9) for t in launch],
           'start_us': [us(st[2 * i]) for i in range(len(arr))], 'end_us': [us(st[2 * i + 1]) for i in range(len(arr))],
           'done_us': [us(t * 1e9) for t in done], 'lat_us': [round((d - (base + a)) * 1e6, 1) for d, a in zip(done, arr)]}
    json.dump(res, open(out, 'w'))
    print(out, len(arr), 'requests; clock tie within', best[0], 'ns', flush=True)
    if prio:
        th.join(); json.dump(box['t'], open(out.replace('.1.json', '.2.json'), 'w'))
        print('training', box['t']['steps'], 'steps', flush=True)

if __name__ == '__main__':
    main(float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], *sys.argv[4:6])
