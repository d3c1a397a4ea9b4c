"""The embed suite of `marginface bench embed` in plain PyTorch, printing the same JSON fields (runtime "pytorch").

Per network and batch size B: the network of bench/pytorch_networks.py (random weights, seed), eval mode, input random
normal [B, C, H, W] on the device; one step is a forward pass under torch.inference_mode() (synchronised on CUDA).
Warm-up runs, then timed runs; median, quartiles, min/max; imagesPerSecond = B / median; peak memory as the process's
resident set (VmHWM restarted through /proc/self/clear_refs before the network is made) on CPU, the caching allocator's
peak on CUDA.
Usage: pytorch_reference.py embed [--networks facemobilenet,mobilefacenet,iresnet50] [--batches 1,64] [--threads N]
       [--device cpu|cuda] [--warmup 1] [--repeats 5] [--seed 0] [--quick] [--json OUT]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

from pytorch_networks import NAMES
from pytorch_reference import measured, reset_peak, resident_mb, time_steps


def main(argv):
    parser = argparse.ArgumentParser(prog="pytorch_reference.py embed", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", default="facemobilenet,mobilefacenet,iresnet50")
    parser.add_argument("--batches", default="1,64")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="mobilefacenet only, batches 1 and 2, one timed run")
    parser.add_argument("--json", default=None, help="write the cases as a JSON list to this file")
    a = parser.parse_args(argv)
    if a.quick:
        a.networks, a.batches, a.repeats = "mobilefacenet", "1,2", 1
    if a.threads:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    cuda = device.type == "cuda"
    networks = [n for n in a.networks.split(",") if n]
    for n in networks:
        if n not in NAMES:
            sys.exit(f"error: --networks: unknown network '{n}'; known: {', '.join(NAMES)}")
    batches = [int(b) for b in a.batches.split(",") if b]
    print(f"pytorch {torch.__version__}, device: {device}, threads: {torch.get_num_threads()}", file=sys.stderr)

    results = []
    for name in networks:
        make, channels, size, dim = NAMES[name]
        for batch in batches:
            before = resident_mb("VmRSS:")
            per_case = reset_peak()
            if cuda:
                torch.cuda.reset_peak_memory_stats(device)
            torch.manual_seed(a.seed)
            model = make().to(device).eval()
            x = torch.randn(batch, channels, size, size, device=device)

            def step():
                with torch.inference_mode():
                    model(x)

            times = time_steps(step, a.warmup, a.repeats, cuda, device)
            result = measured("embed", device, a.warmup, times, before, per_case, cuda)
            median = result["medianMs"]
            result.update({"network": name, "runtime": "pytorch", "batch": batch, "dim": dim,
                           "imagesPerSecond": batch / (median / 1000.0)})
            results.append(result)
            print(f"  {name} pytorch B={batch}: median {median:.2f} ms ({min(times):.2f}-{max(times):.2f}), "
                  f"{result['imagesPerSecond']:.1f} images/s", file=sys.stderr)
            del model, x
    text = json.dumps(results, indent=2)
    if a.json:
        with open(a.json + ".tmp", "w") as f:
            f.write(text)
        os.replace(a.json + ".tmp", a.json)
    else:
        print(text)
