"""Kineto (CUPTI) traces of co-location workloads on the GPU machine: eager ResNet-50 training steps at any batch,
BERT-base CUDA-graph inference requests, and one decode step of the small Llama-style decoder per request.

Origin: shared/lab/capture_graph.py (the script that made shared/fixtures/h200/*_graph_* and
resnet50_colo_train_bs64), with build_infer/build_train copied from shared/lab/colocate.py and llama_small() from
shared/lab/workloads.py (copied beside this file as workloads.py). Changes:
  * build_train takes the batch size (colocate.py fixes it at 64); the model, optimiser, bf16 autocast and the
    stream are unchanged.
  * the profiler records CPU and CUDA activity with a schedule (wait 0, warm-up 1, active N) and prof.step() after
    every step/request, so the trace holds `ProfilerStep#N` user annotations (one per step or request);
    capture_graph.py recorded CUDA activity only, without steps. CUDA_ONLY=1 gives the old way (CUDA activity only,
    no steps, no schedule) for comparison.
  * no 2 ms sleep between training steps (capture_graph.py slept after every step, requests and steps alike);
    requests of the services still sleep 2 ms after each one.
  * new case llama_graph / llama_eager: batch-8 decode of the workloads.py decoder after a 256-token prefill, one
    decode step (forward + argmax) per request; llama_graph keeps a transformers StaticCache and replays one CUDA
    graph of the step (the same cache slot each time), llama_eager uses the default dynamic cache (grows one
    token per request).
  * each case is also timed without the profiler (median wall time per step/request, printed).

Usage on the GPU machine: OUT=<dir> [STEPS=n] [CUDA_ONLY=1] python3 tools/capture/capture_graph.py CASE...
CASE: train<batch> (e.g. train16), bert, resnet50, llama_graph, llama_eager. Writes <OUT>/<tag>.pt.trace.json.gz.
"""
import gc, gzip, inspect, json, os, shutil, statistics, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch, torchvision
from torch.profiler import profile, ProfilerActivity, schedule

OUT = os.environ['OUT']
CUDA_ONLY = os.environ.get('CUDA_ONLY') == '1'


def build_infer(model, prio):  # colocate.py, unchanged
    s = torch.cuda.Stream(priority=prio)
    if model == 'resnet50':
        m = torchvision.models.resnet50(weights=None).cuda().half().eval(); x = torch.randn(1, 3, 224, 224, device='cuda', dtype=torch.half)
    else:
        from transformers import BertConfig, BertModel
        m = BertModel(BertConfig()).cuda().half().eval(); x = torch.randint(0, 30000, (1, 128), device='cuda')
    with torch.no_grad(), torch.cuda.stream(s):
        for _ in range(3): m(x)
        torch.cuda.synchronize()
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g, stream=s): m(x)
    def req():
        with torch.cuda.stream(s): g.replay()
        s.synchronize()
    return req


def build_train(prio, batch=64):  # colocate.py, batch made a parameter
    s = torch.cuda.Stream(priority=prio)
    m = torchvision.models.resnet50(weights=None).cuda(); opt = torch.optim.SGD(m.parameters(), lr=0.01)
    x = torch.randn(batch, 3, 224, 224, device='cuda'); y = torch.randint(0, 1000, (batch,), device='cuda'); lf = torch.nn.CrossEntropyLoss()
    def step():
        with torch.cuda.stream(s):
            opt.zero_grad(set_to_none=True)
            with torch.autocast('cuda', dtype=torch.bfloat16): loss = lf(m(x), y)
            loss.backward(); opt.step()
        s.synchronize()
    return step


def static_cache(cfg, batch, max_len, dtype):
    """A transformers StaticCache, whatever the installed version's constructor takes."""
    from transformers import StaticCache
    params = inspect.signature(StaticCache.__init__).parameters
    kw = {'config': cfg, 'max_cache_len': max_len, 'max_batch_size': batch, 'batch_size': batch, 'device': 'cuda', 'dtype': dtype}
    return StaticCache(**{k: v for k, v in kw.items() if k in params})


def build_llama(batch, graph, prompt=256):
    from workloads import llama_small
    m = llama_small().cuda().half().eval()
    s = torch.cuda.Stream()
    ids = torch.randint(0, 32000, (batch, prompt), device='cuda')
    with torch.no_grad(), torch.cuda.stream(s):
        if graph:
            cache = static_cache(m.config, batch, prompt + 64, torch.float16)
            out = m(input_ids=ids, past_key_values=cache, cache_position=torch.arange(prompt, device='cuda'), use_cache=True)
            nxt = out.logits[:, -1:].argmax(-1).clone()
            pos = torch.tensor([prompt], device='cuda')
            def dec():
                o = m(input_ids=nxt, past_key_values=cache, cache_position=pos, use_cache=True)
                nxt.copy_(o.logits[:, -1:].argmax(-1))
            for _ in range(3): dec()
            s.synchronize()
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g, stream=s): dec()
            def req():
                with torch.cuda.stream(s): g.replay()
                s.synchronize()
            return req
        out = m(input_ids=ids, use_cache=True)
        box = [out.past_key_values, out.logits[:, -1:].argmax(-1)]
        s.synchronize()
    def req():
        with torch.no_grad(), torch.cuda.stream(s):
            o = m(input_ids=box[1], past_key_values=box[0], use_cache=True)
            box[0] = o.past_key_values; box[1] = o.logits[:, -1:].argmax(-1)
        s.synchronize()
    return req


def case(name):
    """(tag, builder, profiled steps/requests, sleep after each, unprofiled timing iterations)."""
    steps = int(os.environ.get('STEPS', '0'))
    if name.startswith('train'):
        b = int(name[5:])
        return f'resnet50_colo_train_bs{b}', lambda: build_train(0, b), steps or 4, 0.0, 6
    if name in ('bert', 'resnet50'):
        return f'{name}_graph_infer_bs1', lambda: build_infer(name, 0), steps or 20, 0.002, 50
    if name in ('llama_graph', 'llama_eager'):
        kind = name.split('_')[1]
        return f'llama_decode_{kind}_bs8', lambda: build_llama(8, kind == 'graph'), steps or 20, 0.002, 20
    raise ValueError(name)


def kernels_in(path):
    with open(path) as f: ev = json.load(f).get('traceEvents', [])
    return sum(1 for e in ev if e.get('cat') == 'kernel'), sum(1 for e in ev if e.get('cat') == 'user_annotation' and str(e.get('name', '')).startswith('ProfilerStep#'))


def capture(name):
    tag, mk, n, pause, n_time = case(name)
    if CUDA_ONLY: tag += '_cudaonly'
    fn = mk()
    for _ in range(3): fn()
    torch.cuda.synchronize()
    t = []
    for _ in range(n_time):
        a = time.perf_counter(); fn(); t.append(time.perf_counter() - a)
        if pause: time.sleep(pause)
    raw = f'/tmp/{tag}.json'
    wall = []
    if CUDA_ONLY:  # capture_graph.py's way
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(n):
                a = time.perf_counter(); fn(); wall.append(time.perf_counter() - a)
                if pause: time.sleep(pause)
            torch.cuda.synchronize()
        prof.export_chrome_trace(raw)
    else:
        done = []
        def ready(p): p.export_chrome_trace(raw); done.append(1)
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], schedule=schedule(wait=0, warmup=1, active=n, repeat=1), on_trace_ready=ready) as prof:
            for i in range(n + 1):
                a = time.perf_counter(); fn(); dt = time.perf_counter() - a
                if i: wall.append(dt)
                if pause: time.sleep(pause)
                prof.step()
        if not done: prof.export_chrome_trace(raw)
    k, steps = kernels_in(raw)
    dst = f'{OUT}/{tag}.pt.trace.json.gz'
    with open(raw, 'rb') as f, gzip.open(dst, 'wb') as g: shutil.copyfileobj(f, g)
    ms = lambda v: round(statistics.median(v) * 1e3, 3)
    print(f'RESULT {tag} kernels={k} profiler_steps={steps} units={n} gz_bytes={os.path.getsize(dst)} raw_bytes={os.path.getsize(raw)} '
          f'median_ms_unprofiled={ms(t)} median_ms_profiled={ms(wall)}', flush=True)
    os.remove(raw)


if __name__ == '__main__':
    import transformers
    print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version(), 'transformers', transformers.__version__,
          'gpu', torch.cuda.get_device_name(), 'CUDA_ONLY', CUDA_ONLY, flush=True)
    os.makedirs(OUT, exist_ok=True)
    failed = []
    for name in sys.argv[1:]:
        try:
            capture(name)
        except Exception as e:  # keep going with the other cases
            import traceback; traceback.print_exc()
            print(f'FAILED {name}: {type(e).__name__}: {e}', flush=True); failed.append(name)
        gc.collect(); torch.cuda.empty_cache()
    sys.exit(1 if failed else 0)
