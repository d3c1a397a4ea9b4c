#!/usr/bin/env python3
"""The heads suite of `marginface bench heads` in plain PyTorch, printing the same JSON fields.
`pytorch_reference.py embed ...` runs the embed suite instead (bench/pytorch_embed.py), `pytorch_reference.py train ...`
the train suite (train_main below).

Cases per class count C (B x D embeddings requiring a gradient, int64 labels, W [C, D]):
  gemm          the three matrix products x.W^T, G.W, G^T.x alone (no autograd): the limit
  seed-arcface  the seed formulation: normalize, linear, clamp, sqrt, one-hot, full-matrix where, cross-entropy
  arcface       ArcFace as a careful PyTorch user writes it: cos = linear(normalize(x), normalize(W)).clamp(-1, 1),
                margin on the target column only (gather, modify, scatter), times s, cross-entropy
  cosface       the same with the CosFace margin
Each case: warm-up runs, then timed runs (synchronised on CUDA); median, quartiles, min/max; peak memory as the
process's resident set (VmHWM restarted through /proc/self/clear_refs) on CPU, the caching allocator's peak on CUDA.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def resident_mb(key):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def quantile(values, q):
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


def time_steps(step, warmup, repeats, cuda, device):
    """Runs step `warmup` times untimed, then `repeats` times timed; milliseconds per run (synchronised on CUDA)."""
    for _ in range(warmup):
        step()
        if cuda:
            torch.cuda.synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        if cuda:
            torch.cuda.synchronize(device)
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def measured(suite, device, warmup, times, before, per_case, cuda):
    """The timing and memory fields of every suite (BenchmarkResult.Measured's twin); the case adds its settings.
    The peak is never below `before`, the resident set read after the high-water mark was restarted."""
    peak = resident_mb("VmHWM:")
    if peak is not None and before is not None:
        peak = max(peak, before)
    result = {
        "suite": suite, "device": str(device), "threads": torch.get_num_threads(), "warmup": warmup, "repeats": len(times),
        "medianMs": statistics.median(times), "minMs": min(times), "maxMs": max(times),
        "q1Ms": quantile(times, 0.25), "q3Ms": quantile(times, 0.75),
        "rssBeforeMb": before, "peakRssMb": peak,
        "rssDeltaMb": None if peak is None or before is None else peak - before, "peakIsPerCase": per_case,
    }
    if cuda:
        result["peakAllocatedMb"] = torch.cuda.max_memory_allocated(device) / 2**20
    return result


def seed_arcface(x, w, labels, s=30.0, m=0.5):
    cosine = F.linear(F.normalize(x), F.normalize(w))
    sine = torch.sqrt((1.0 - torch.pow(cosine, 2)).clamp(0, 1))
    phi = cosine * math.cos(m) - sine * math.sin(m)
    phi = torch.where(cosine > math.cos(math.pi - m), phi, cosine - math.sin(math.pi - m) * m)
    one_hot = torch.zeros_like(cosine)
    one_hot.scatter_(1, labels.view(-1, 1), 1)
    output = (one_hot * phi + (1.0 - one_hot) * cosine) * s
    return F.cross_entropy(output, labels)


def arc_target(c, m=0.5):
    sin = torch.sqrt(((1.0 - c) * (1.0 + c)).clamp_min(0))
    phi = c * math.cos(m) - sin * math.sin(m)
    return torch.where(c > math.cos(math.pi - m), phi, c - m * math.sin(math.pi - m))


def margin_head(x, w, labels, target_fn, s):
    cos = F.linear(F.normalize(x), F.normalize(w)).clamp(-1, 1)
    index = labels.view(-1, 1)
    target = target_fn(cos.gather(1, index))
    logits = (cos * s).scatter(1, index, target * s)
    return F.cross_entropy(logits, labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--classes", default="10575,100000")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--heads", default="arcface,cosface")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="B 8, D 16, C 64 and 1000, one timed run")
    parser.add_argument("--json", default=None, help="write the cases as a JSON list to this file")
    a = parser.parse_args()
    if a.quick:
        a.classes, a.batch, a.dim, a.repeats = "64,1000", 8, 16, 1
    if a.threads:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    cuda = device.type == "cuda"
    heads = [h for h in a.heads.split(",") if h]
    for h in heads:
        if h not in ("arcface", "cosface"):
            sys.exit(f"error: --heads: unknown head '{h}'; known: arcface, cosface")
    print(f"pytorch {torch.__version__}, device: {device}, threads: {torch.get_num_threads()}", file=sys.stderr)

    results = []
    for classes in [int(c) for c in a.classes.split(",")]:
        cases = ["gemm", "seed-arcface"] + heads
        for name in cases:
            before = resident_mb("VmRSS:")
            per_case = reset_peak()
            if cuda:
                torch.cuda.reset_peak_memory_stats(device)
            torch.manual_seed(a.seed)
            x = torch.randn(a.batch, a.dim, device=device, requires_grad=True)
            labels = torch.randint(0, classes, (a.batch,), device=device)
            w = torch.randn(classes, a.dim, device=device, requires_grad=(name != "gemm"))
            if name == "gemm":
                g = torch.randn(a.batch, classes, device=device)
                xd = x.detach()

                def step():
                    with torch.no_grad():
                        xd.mm(w.t()); g.mm(w); g.t().mm(xd)
            else:
                if name == "seed-arcface":
                    loss_fn = lambda: seed_arcface(x, w, labels)
                elif name == "arcface":
                    loss_fn = lambda: margin_head(x, w, labels, arc_target, 30.0)
                else:
                    loss_fn = lambda: margin_head(x, w, labels, lambda c: c - 0.4, 30.0)

                def step():
                    x.grad = None
                    w.grad = None
                    loss_fn().backward()
            times = time_steps(step, a.warmup, a.repeats, cuda, device)
            result = measured("heads", device, a.warmup, times, before, per_case, cuda)
            result.update({"head": name, "batch": a.batch, "classes": classes, "dim": a.dim})
            results.append(result)
            print(f"  {name} C={classes}: median {result['medianMs']:.1f} ms ({min(times):.1f}-{max(times):.1f})", file=sys.stderr)
            del x, w, labels
    write_json(results, a.json)


# ---------------------------------------------------------------------------------------------------------------------
# The train suite of `marginface bench train`: full training steps (copy of the batch to the device, forward, ArcFace
# loss, the accuracy count the trainer makes, loss.item(), zero_grad, backward, SGD step with momentum 0.9 and weight
# decay 5e-4) on one synthetic batch, for the same networks as MarginFace's, layer for layer: ClsNet here
# (src/MarginFace/Mnist/ClsNet.cs), FaceMobileNet and MobileFaceNet from bench/pytorch_networks.py.
# Usage: pytorch_reference.py train [--networks clsnet,facemobilenet,mobilefacenet] [--batch B] [--classes C] ...
# ---------------------------------------------------------------------------------------------------------------------
import torch.nn as nn

TRAIN_NETWORKS = ["clsnet", "facemobilenet", "mobilefacenet"]


def cls_net(features=2):
    """ClsNet: two conv3x3-BN-PReLU-maxpool blocks, then FC 3136 -> 256 -> 128 -> features, PReLU between."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.PReLU(32), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.PReLU(64), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.PReLU(1), nn.Linear(256, 128), nn.PReLU(1), nn.Linear(128, features))


def train_case(network, batch, classes, cuda):
    """(model, input shape [C, H, W], embedding size, batch, classes, s, m) as MarginFace's TrainBenchmark.Case."""
    if network == "clsnet":
        return cls_net(2), (1, 28, 28), 2, batch or 256, classes or 10, 16.0, 0.3
    sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
    import pytorch_networks
    make, channels, size, embedding = pytorch_networks.NAMES[network]
    return make(), (channels, size, size), embedding, batch or (128 if cuda else 32), classes or 10575, 64.0, 0.5


def arcface_logits(embeddings, weight, labels, s, m):
    """Plain ArcFace: cos = linear(normalize(x), normalize(W)), margin cos(theta + m) on the target column only, times s."""
    cos = F.linear(F.normalize(embeddings), F.normalize(weight)).clamp(-1, 1)
    index = labels.view(-1, 1)
    c = cos.gather(1, index)
    sin = torch.sqrt(((1.0 - c) * (1.0 + c)).clamp_min(0))
    phi = torch.where(c > math.cos(math.pi - m), c * math.cos(m) - sin * math.sin(m), c - m * math.sin(math.pi - m))
    return (cos * s).scatter(1, index, phi * s)


def train_main(argv):
    parser = argparse.ArgumentParser(prog="pytorch_reference.py train", description="the train suite in plain PyTorch")
    parser.add_argument("--networks", default=",".join(TRAIN_NETWORKS))
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--classes", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="B 4, C 16, one warm-up step, two timed steps")
    parser.add_argument("--json", default=None, help="write the cases as a JSON list to this file")
    parser.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "fp16"],
                        help="bf16/fp16: the backbone under torch.autocast, the head and loss in float32, fp16 with GradScaler "
                             "(arcface_torch's recipe); cases are named NETWORK/PRECISION as MarginFace's")
    a = parser.parse_args(argv)
    if a.quick:
        a.batch, a.classes, a.warmup, a.repeats = a.batch or 4, a.classes or 16, 1, 2
    if a.threads:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    cuda = device.type == "cuda"
    networks = [n.strip().lower() for n in a.networks.split(",") if n.strip()]
    for n in networks:
        if n not in TRAIN_NETWORKS + ["iresnet50"]:
            sys.exit(f"error: --networks: unknown network '{n}'; known: {', '.join(TRAIN_NETWORKS + ['iresnet50'])}")
    half = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[a.precision]
    scaler = torch.amp.GradScaler(device.type) if a.precision == "fp16" else None
    print(f"pytorch {torch.__version__}, device: {device}, threads: {torch.get_num_threads()}", file=sys.stderr)
    results = []
    for network in networks:
        before = resident_mb("VmRSS:")
        per_case = reset_peak()
        if cuda:
            torch.cuda.reset_peak_memory_stats(device)
        torch.manual_seed(a.seed)
        model, shape, embedding, batch, classes, s, m = train_case(network, a.batch, a.classes, cuda)
        model = model.to(device).train()
        weight = nn.Parameter(torch.randn(classes, embedding, device=device) * 0.01)
        optimizer = torch.optim.SGD([{"params": model.parameters()}, {"params": [weight]}], lr=a.lr, momentum=0.9, weight_decay=5e-4)
        images = torch.randn(batch, *shape)
        labels = torch.randint(0, classes, (batch,))

        def step():
            x = images.to(device)
            y = labels.to(device)
            with torch.autocast(device.type, dtype=half or torch.float32, enabled=half is not None):
                embeddings = model(x)
            logits = arcface_logits(embeddings.float(), weight, y, s, m)
            loss = F.cross_entropy(logits, y)
            with torch.no_grad():
                (logits.argmax(1) == y).sum().item()
            if not math.isfinite(loss.item()):
                raise RuntimeError(f"{network}: the loss is not finite")
            optimizer.zero_grad()
            if scaler is None:
                loss.backward()
                optimizer.step()
            else:
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()

        times = time_steps(step, a.warmup, a.repeats, cuda, device)
        result = measured("train", device, a.warmup, times, before, per_case, cuda)
        median = result["medianMs"]
        result.update({"network": network if a.precision == "fp32" else f"{network}/{a.precision}", "head": "arcface", "batch": batch, "classes": classes,
                       "imagesPerSecond": batch * 1000.0 / median})
        results.append(result)
        print(f"  {network} + arcface B={batch} C={classes}: median {median:.1f} ms ({min(times):.1f}-{max(times):.1f}), "
              f"{result['imagesPerSecond']:.1f} images/s", file=sys.stderr)
        del model, weight, optimizer, images, labels
    write_json(results, a.json)


def write_json(results, path):
    text = json.dumps(results, indent=2)
    if path:
        import os
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    else:
        print(text)


# The loader suite has no PyTorch twin here: a fair one needs torchvision's decoders and transforms (or PIL + a
# DataLoader with worker processes), which a plain `pip install torch` does not bring; hand-written PIL code would time
# this script, not what a PyTorch user runs. `marginface bench loader` is compared against the training rate instead.


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "embed":
        sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
        import pytorch_embed
        pytorch_embed.main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "train":
        train_main(sys.argv[2:])
    else:
        main()
