"""Does a time-sliced context keep the GPU when it runs out of work for a moment?

Two processes, no MPS (default time slicing). The hog loops bf16 GEMMs on every SM so its context always
has work. The probe launches 20 fp16 2048² GEMMs (~0.5 ms), synchronizes, spins on the host
for `gap` µs, and repeats. If the scheduler hands the GPU to the hog as soon as the probe's context is idle,
every probe iteration waits for a hog turn (~2.1 ms + switches); if the probe keeps the GPU for a grace
period after going idle, iterations with a shorter gap run back to back within one turn.
Output: $OUT/timeslice_idle.json with per-gap iteration times (µs). Usage: OUT=dir python3 timeslice_idle.py
"""
import json, os, subprocess, sys, time

OUT = os.environ.get("OUT", "/tmp/out")
GAPS_US = [0, 5, 10, 20, 40, 80, 160, 320, 640]
ITERS = 150


def hog(seconds):
    import torch
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    torch.cuda.synchronize()
    open("/tmp/hog.ready", "w").close()
    end = time.time() + seconds
    while time.time() < end:
        for _ in range(4):
            a @ b
        torch.cuda.synchronize()


def probe():
    import torch
    x = torch.randn(2048, 2048, device="cuda", dtype=torch.half)
    s = torch.cuda.Stream()

    def once():
        t = time.perf_counter()
        with torch.cuda.stream(s):
            y = x
            for _ in range(20):
                y = y @ x
        s.synchronize()
        return (time.perf_counter() - t) * 1e6

    for _ in range(20):
        once()
    alone = sorted(once() for _ in range(200))[100]
    hog_proc = subprocess.Popen([sys.executable, __file__, "hog", "40"])
    while not os.path.exists("/tmp/hog.ready"):
        time.sleep(0.01)
    time.sleep(0.5)
    res = {"alone_us": alone, "gaps": {}}
    for gap in GAPS_US:
        times = []
        for _ in range(ITERS):
            times.append(once())
            t = time.perf_counter() + gap / 1e6
            while time.perf_counter() < t:
                pass
        res["gaps"][str(gap)] = [round(v, 1) for v in times]
    hog_proc.kill()
    return res


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "hog":
        hog(float(sys.argv[2]))
        sys.exit(0)
    if os.path.exists("/tmp/hog.ready"):
        os.remove("/tmp/hog.ready")
    res = probe()
    os.makedirs(OUT, exist_ok=True)
    json.dump(res, open(os.path.join(OUT, "timeslice_idle.json"), "w"))
    print("alone", round(res["alone_us"], 1))
    for gap, ts in res["gaps"].items():
        st = sorted(ts)
        fast = sum(1 for v in ts if v < res["alone_us"] + 1000) / len(ts)
        print(f"gap {gap:>4} us: p10 {st[len(st)//10]:8.1f}  p50 {st[len(st)//2]:8.1f}  p90 {st[len(st)*9//10]:8.1f}  fast {fast:.2f}")
