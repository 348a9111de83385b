"""The lab's colocate.py with one fix: its build_infer lets the model and the input of the captured CUDA graph go out
of scope when it returns. A CUDA graph does not own the memory it reads that was allocated outside its capture, so
the caching allocator hands those blocks to the next allocation. In colocate.py's one-process `prio` scenario the
training thread allocates next, so the graph reads the training's tensors as weights and token ids: BERT's embedding
then indexes out of range (a device-side assert), and ResNet-50 runs on whatever those bytes hold. Here the graph's
request keeps its model and input alive.
usage: LAB=<folder with colocate.py> python3 keepalive.py prio <seconds> <out.json> <resnet50|bert> <rate>"""
import os, sys, json, threading
sys.path.insert(0, os.environ.get('LAB', os.path.join(os.path.dirname(__file__), '../../../shared/lab')))
import torch, torchvision
import colocate

def build_infer(model, prio):
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
    req.keep = (m, x, g)  # what the graph reads stays allocated as long as the request can run
    return req

colocate.build_infer = build_infer

if __name__ == '__main__':
    mode, dur, out, model, rate = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
    assert mode == 'prio', 'only the one-process scenario needs the fix'
    req = build_infer(model, -1)
    box = {}
    th = threading.Thread(target=lambda: box.setdefault('t', colocate.train(dur, prio=0, tag='trn')))
    th.start()
    res = colocate.infer(model, rate, dur, prio=-1, tag='inf', req=req); th.join()
    json.dump([res, box['t']], open(out, 'w'))
    print(out, 'requests', len(res['lat_us']), 'steps', box['t']['steps'], flush=True)
