"""Three tenants on one GPU, as in the paper's inference-stacking experiment (experiments/paper/inference-stacking.json):
a ResNet-50 service with open-loop Poisson arrivals, a BERT service in a closed loop (one request outstanding: the
next is sent when the last completes) and ResNet-50 training back to back. The lab's colocate.py measures the first
and the third; this adds the closed-loop service and a one-process, three-thread stream-priority scenario. Requests
are the same CUDA-graph replays, with keepalive.py's fix (the graph's model and input stay allocated).
usage: LAB=<folder with colocate.py>
  python3 stacking.py closed <model> <seconds> <out.json>           a closed-loop service, its own process
  python3 stacking.py prio3 <seconds> <out.json> <resnet50 rate>     one process: both services on high-priority
                                                                     streams, the training on a low-priority one"""
import os, sys, json, time, threading
sys.path.insert(0, os.path.dirname(__file__))
import keepalive  # patches colocate.build_infer; puts LAB on the path
import colocate

def closed(model, dur, prio=0, tag='cls', req=None):
    req = req or keepalive.build_infer(model, prio)
    for _ in range(20): req()
    t = time.perf_counter(); [req() for _ in range(50)]; solo = (time.perf_counter() - t) / 50
    t0 = colocate.wait_go(tag)
    while time.time() < t0: time.sleep(0.0005)
    lat = []; st = time.perf_counter()
    while time.perf_counter() - st < dur:
        a = time.perf_counter(); req(); lat.append(time.perf_counter() - a)
    return {'role': 'infer', 'model': model, 'closed_loop': 1, 'secs': time.perf_counter() - st,
            'solo_service_us': solo * 1e6, 'lat_us': [round(l * 1e6, 1) for l in lat]}

if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'closed':
        model, dur, out = sys.argv[2], float(sys.argv[3]), sys.argv[4]
        res = closed(model, dur)
    elif mode == 'prio3':
        dur, out, rate = float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
        # Both graphs are captured before any other thread launches work (as colocate.py's prio does).
        r_req = keepalive.build_infer('resnet50', -1); b_req = keepalive.build_infer('bert', -1)
        box = {}
        ths = [threading.Thread(target=lambda: box.setdefault('b', closed('bert', dur, prio=-1, tag='cls', req=b_req))),
               threading.Thread(target=lambda: box.setdefault('t', colocate.train(dur, prio=0, tag='trn')))]
        for th in ths: th.start()
        r = colocate.infer('resnet50', rate, dur, prio=-1, tag='inf', req=r_req)
        for th in ths: th.join()
        res = [r, box['b'], box['t']]
    else:
        sys.exit(f'unknown mode {mode}')
    json.dump(res, open(out, 'w'))
    print(out, flush=True)
