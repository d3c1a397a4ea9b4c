#!/usr/bin/env python3
"""Makes the PyTorch checkpoint fixtures of MarginFace.Tests.Interop (PyTorchCheckpointTests).

Run from anywhere with Debian 12's PyTorch (apt-get install python3-torch):

    python3 tests/MarginFace.Tests/Interop/Fixtures/make_fixtures.py

It writes, next to itself:

  tiny_net.pt / tiny_net.json   state_dict of a tiny conv -> bn -> prelu -> linear -> bn1d network (eval mode),
                                with every tensor's values, a fixed input and the network's output for it
  views.pt / views.json         non-contiguous, offset, shared, stride-0, 0-d and empty tensors; float16, bfloat16,
                                float64, int64, int32, uint8 and bool entries
  legacy.pt                     the same kind of dict in PyTorch's pre-1.6 (non-zip) format
  big_endian.pt                 a float32 tensor [1.5, -2, 3.25] stored big-endian, with byteorder "big"
  hostile_os_system.pt          a torch.save zip whose data.pkl asks for os.system
  hostile_truncated.pt          tiny_net.pt cut in half
  hostile_short_storage.pt      a storage holding fewer bytes than its pickle declares
  hostile_past_storage.pt       a tensor whose shape reaches past the end of its storage
  hostile_huge_storage.pt       a storage whose pickle declares 2^40 float32 elements (the zip holds 40 bytes)

With "import" it writes instead the fixtures of the import tests (ArcfaceTorchImportTests, CliImportTests), small enough to
commit because every convolution and linear weight is a strided view into one shared random storage of 2^16 floats (torch.save writes a
storage once, whatever views it has); the names, shapes and dtypes are arcface_torch's, the values are not degenerate:

  arcface_face_1.png, arcface_face_2.png   two 112x112 RGB test images (smooth synthetic patterns)
  arcface_mbf_model.pt                     mbf as arcface_torch writes model.pt: torch.save(backbone.module.state_dict())
  arcface_mbf_checkpoint_gpu_0.pt          the same network inside arcface_torch's full training checkpoint
                                           (checkpoint_gpu_0.pt: epoch, global_step, state_dict_backbone,
                                           state_dict_softmax_fc, state_optimizer, state_lr_scheduler)
  arcface_iresnet18_model.pt               iresnet18 as model.pt
  arcface_expected.json                    each network's raw output for the two images, (x - 127.5) / 127.5 as arcface_torch
                                           normalises, and the largest |value|

With "iresnet18 DIR" or "mbf DIR" it writes instead DIR/NAME.pt (iresnet18: about 96 MB, too big to commit; for checks
by hand with contiguous weights, no test uses them) and DIR/NAME.json (a fixed input and the network's output): a
random-weight network laid out as InsightFace's arcface_torch iresnet18 or mbf (MobileFaceNet).

Values in the JSON files are Python floats (float16/bfloat16/float32 widened exactly to float64) and ints.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def values(t):
    flat = t.detach().reshape(-1)
    if flat.dtype in (torch.float16, torch.bfloat16, torch.float32):
        flat = flat.to(torch.float64)
    return flat.tolist()


def describe(state):
    return {
        name: {
            "dtype": str(t.dtype).removeprefix("torch."),
            "shape": list(t.shape),
            "values": values(t),
        }
        for name, t in state.items()
    }


def write_json(name, content):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(content, f, indent=1)
        f.write("\n")


class TinyNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.prelu = torch.nn.PReLU(4)
        self.fc = torch.nn.Linear(4 * 3 * 3, 5)
        self.features = torch.nn.BatchNorm1d(5)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        return self.features(self.fc(torch.flatten(x, 1)))


def tiny_net():
    torch.manual_seed(0)
    net = TinyNet()
    with torch.no_grad():
        for bn in (net.bn1, net.features):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
            bn.running_mean.uniform_(-0.2, 0.2)
            bn.running_var.uniform_(0.5, 2.0)
            bn.num_batches_tracked.fill_(17)
        net.prelu.weight.uniform_(0.1, 0.4)
    net.eval()
    x = torch.randn(2, 3, 6, 6)
    with torch.no_grad():
        y = net(x)
    state = net.state_dict()
    torch.save(state, os.path.join(HERE, "tiny_net.pt"))
    write_json("tiny_net.json", {
        "tensors": describe(state),
        "input": {"shape": list(x.shape), "values": values(x)},
        "output": {"shape": list(y.shape), "values": values(y)},
    })


def views():
    torch.manual_seed(1)
    base = torch.randn(6, 4)
    shared = torch.arange(12, dtype=torch.float32)
    state = collections.OrderedDict()
    state["transposed"] = base.t()                              # strides (1, 4)
    state["offset_rows"] = base[2:5]                            # storage offset 8
    state["column"] = base[:, 1]                                # stride 4, offset 1
    state["shared_a"] = shared[:6].view(2, 3)                   # two views of one storage
    state["shared_b"] = shared[6:]
    state["broadcast"] = torch.tensor([1.5, -2.0, 3.25]).expand(2, 3)   # stride 0
    state["scalar"] = torch.tensor(7.5, dtype=torch.float64)
    state["empty"] = torch.zeros(0, 3)
    state["half"] = torch.tensor([[0.5, -1.25], [65504.0, 6.1035e-05]], dtype=torch.float16)
    state["bfloat16"] = torch.tensor([1.0, -3.5, 1e30, 2.0 ** -100], dtype=torch.bfloat16)
    state["double"] = torch.tensor([1.0 / 3.0, -1e300, 5e-324], dtype=torch.float64)
    state["long"] = torch.tensor([[-1, 2 ** 40 + 3], [0, -(2 ** 50)]], dtype=torch.int64)
    state["int"] = torch.tensor([-7, 2 ** 31 - 1, -(2 ** 31)], dtype=torch.int32)
    state["byte"] = torch.tensor([0, 128, 255], dtype=torch.uint8)
    state["bool"] = torch.tensor([True, False, True])
    state["half_transposed"] = torch.arange(6, dtype=torch.float16).view(2, 3).t()
    state._metadata = collections.OrderedDict([("", {"version": 1})])
    torch.save(state, os.path.join(HERE, "views.pt"))
    layout = {name: {"strides": list(t.stride()), "offset": t.storage_offset()} for name, t in state.items()}
    write_json("views.json", {"tensors": describe(state), "layout": layout})


def legacy():
    torch.save({"w": torch.ones(2)}, os.path.join(HERE, "legacy.pt"), _use_new_zipfile_serialization=False)


class _Tensor:
    """A tensor as torch.save pickles it, with any storage key, numel, shape and strides."""

    def __init__(self, key, numel, shape, strides, offset=0):
        self.storage = ("storage", torch.FloatStorage, key, "cpu", numel)
        self.args = (offset, tuple(shape), tuple(strides), False, collections.OrderedDict())

    def __reduce__(self):
        return torch._utils._rebuild_tensor_v2, (_Storage(self.storage),) + self.args


class _Storage:
    def __init__(self, pid):
        self.pid = pid


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _Storage) else None


def write_archive(name, pickle_bytes, storages, byteorder="little"):
    """Writes a zip laid out as torch.save lays it out, with the given data.pkl and storage bytes."""
    with zipfile.ZipFile(os.path.join(HERE, name), "w", zipfile.ZIP_STORED) as z:
        prefix = os.path.splitext(name)[0] + "/"
        z.writestr(prefix + "data.pkl", pickle_bytes)
        z.writestr(prefix + "byteorder", byteorder)
        for key, data in storages.items():
            z.writestr(prefix + "data/" + key, data)
        z.writestr(prefix + "version", "3\n")


def crafted(state):
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=2).dump(state)
    return buffer.getvalue()


def big_endian():
    # As PyTorch 2 on a big-endian machine writes it: byteorder "big", storage bytes big-endian.
    state = collections.OrderedDict([("w", _Tensor("0", 3, [3], [1]))])
    write_archive("big_endian.pt", crafted(state), {"0": struct.pack(">3f", 1.5, -2.0, 3.25)}, byteorder="big")


def hostile():
    # GLOBAL os.system, REDUCE ('touch ...',): what a malicious "checkpoint" does when Python unpickles it.
    text = b"touch /tmp/marginface-pwned"
    payload = b"\x80\x02cos\nsystem\nq\x00X" + len(text).to_bytes(4, "little") + text + b"\x85q\x01Rq\x02."
    write_archive("hostile_os_system.pt", payload, {})

    with open(os.path.join(HERE, "tiny_net.pt"), "rb") as f:
        whole = f.read()
    with open(os.path.join(HERE, "hostile_truncated.pt"), "wb") as f:
        f.write(whole[: len(whole) // 2])

    ten = struct.pack("<10f", *range(10))
    state = collections.OrderedDict([("w", _Tensor("0", 10, [10], [1]))])
    write_archive("hostile_short_storage.pt", crafted(state), {"0": ten[:20]})

    state = collections.OrderedDict([("w", _Tensor("0", 10, [4, 3], [3, 1], offset=1))])
    write_archive("hostile_past_storage.pt", crafted(state), {"0": ten})

    state = collections.OrderedDict([("w", _Tensor("0", 2 ** 40, [2 ** 40], [1]))])
    write_archive("hostile_huge_storage.pt", crafted(state), {"0": ten})


class Block(torch.nn.Module):
    """arcface_torch's IBasicBlock: bn1, conv1 (3x3), bn2, prelu, conv2 (3x3, stride), bn3, plus the shortcut."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.bn1 = torch.nn.BatchNorm2d(inplanes, eps=1e-05)
        self.conv1 = torch.nn.Conv2d(inplanes, planes, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(planes, eps=1e-05)
        self.prelu = torch.nn.PReLU(planes)
        self.conv2 = torch.nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = torch.nn.BatchNorm2d(planes, eps=1e-05)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = torch.nn.Sequential(
                torch.nn.Conv2d(inplanes, planes, 1, stride, bias=False), torch.nn.BatchNorm2d(planes, eps=1e-05))

    def forward(self, x):
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return out + (x if self.downsample is None else self.downsample(x))


class IResNet(torch.nn.Module):
    """The layout (module names and order) of arcface_torch's IResNet, written from its description."""

    def __init__(self, blocks, embedding=512):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(64, eps=1e-05)
        self.prelu = torch.nn.PReLU(64)
        widths = [64, 128, 256, 512]
        inplanes = 64
        for i, (count, planes) in enumerate(zip(blocks, widths)):
            stage = [Block(inplanes if j == 0 else planes, planes, 2 if j == 0 else 1) for j in range(count)]
            setattr(self, f"layer{i + 1}", torch.nn.Sequential(*stage))
            inplanes = planes
        self.bn2 = torch.nn.BatchNorm2d(512, eps=1e-05)
        self.dropout = torch.nn.Dropout(p=0)
        self.fc = torch.nn.Linear(512 * 7 * 7, embedding)
        self.features = torch.nn.BatchNorm1d(embedding, eps=1e-05)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.dropout(torch.flatten(self.bn2(x), 1))
        return self.features(self.fc(x))


class ConvBlock(torch.nn.Module):
    """arcface_torch's mobilefacenet ConvBlock (conv, bn, prelu) or, without PReLU, LinearBlock (conv, bn)."""

    def __init__(self, in_c, out_c, kernel=1, stride=1, padding=0, groups=1, prelu=True):
        super().__init__()
        layers = [torch.nn.Conv2d(in_c, out_c, kernel, stride, padding, groups=groups, bias=False), torch.nn.BatchNorm2d(out_c)]
        if prelu:
            layers.append(torch.nn.PReLU(out_c))
        self.layers = torch.nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class DepthWise(torch.nn.Module):
    """1x1 expansion to `groups` channels, depthwise 3x3 (stride), linear 1x1 projection; optionally residual."""

    def __init__(self, in_c, out_c, residual=False, stride=2, groups=1):
        super().__init__()
        self.residual = residual
        self.layers = torch.nn.Sequential(
            ConvBlock(in_c, groups),
            ConvBlock(groups, groups, 3, stride, 1, groups=groups),
            ConvBlock(groups, out_c, prelu=False))

    def forward(self, x):
        return x + self.layers(x) if self.residual else self.layers(x)


class Residual(torch.nn.Module):
    def __init__(self, c, blocks, groups):
        super().__init__()
        self.layers = torch.nn.Sequential(*[DepthWise(c, c, True, 1, groups) for _ in range(blocks)])

    def forward(self, x):
        return self.layers(x)


class GDC(torch.nn.Module):
    def __init__(self, embedding):
        super().__init__()
        self.layers = torch.nn.Sequential(
            ConvBlock(512, 512, 7, 1, 0, groups=512, prelu=False),
            torch.nn.Flatten(),
            torch.nn.Linear(512, embedding, bias=False),
            torch.nn.BatchNorm1d(embedding))

    def forward(self, x):
        return self.layers(x)


class MobileFaceNet(torch.nn.Module):
    """The layout of arcface_torch's mbf (MobileFaceNet, blocks (1, 4, 6, 2), scale 2), written from its description."""

    def __init__(self, embedding=512, scale=2):
        super().__init__()
        c64, c128 = 64 * scale, 128 * scale
        self.layers = torch.nn.ModuleList([
            ConvBlock(3, c64, 3, 2, 1),
            ConvBlock(c64, c64, 3, 1, 1, groups=64),
            DepthWise(c64, c64, stride=2, groups=128),
            Residual(c64, 4, 128),
            DepthWise(c64, c128, stride=2, groups=256),
            Residual(c128, 6, 256),
            DepthWise(c128, c128, stride=2, groups=512),
            Residual(c128, 2, 256),
        ])
        self.conv_sep = ConvBlock(c128, 512)
        self.features = GDC(embedding)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.features(self.conv_sep(x))


def arcface(name, directory):
    """Random-weight arcface_torch network NAME (iresnet18 or mbf) -> DIR/NAME.pt, DIR/NAME.json.

    Convolutions N(0, 0.1^2) (arcface_torch initialises iresnet so); random BatchNorm scales, shifts and PReLU slopes; the
    BatchNorm statistics are then measured on random images (train-mode passes with cumulative averages), so that in
    eval mode every layer sees normalised activations and the embedding is of order 1, as in a trained network.
    """
    torch.manual_seed(2)
    net = IResNet([2, 2, 2, 2]) if name == "iresnet18" else MobileFaceNet()
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, torch.nn.Conv2d):
                torch.nn.init.normal_(module.weight, 0, 0.1)
            if isinstance(module, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
                module.weight.uniform_(0.8, 1.2)
                module.bias.uniform_(-0.1, 0.1)
                module.momentum = None
            if isinstance(module, torch.nn.PReLU):
                module.weight.uniform_(0.1, 0.3)
        net.train()
        for _ in range(2):
            net(torch.rand(8, 3, 112, 112) * 2 - 1)
    net.eval()
    x = torch.rand(2, 3, 112, 112) * 2 - 1
    with torch.no_grad():
        y = net(x)
    torch.save(net.state_dict(), os.path.join(directory, name + ".pt"))
    with open(os.path.join(directory, name + ".json"), "w") as f:
        json.dump({"input": {"shape": list(x.shape), "values": values(x)},
                   "output": {"shape": list(y.shape), "values": values(y)}}, f)


SHARED_STORAGE = 2 ** 16


def strided_view(shared, shape, salt):
    """A view of `shared` with the given shape: each row (the first dimension) contiguous, rows 2k+1 > 1 elements apart (so
    overlapping, shifted windows of the storage), at an offset that `salt` moves so that two tensors of one shape differ."""
    shape = list(shape)
    row = 1
    for size in shape[1:]:
        row *= size
    strides = []
    inner = 1
    for size in reversed(shape[1:]):
        strides.insert(0, inner)
        inner *= size
    first = max(1, (SHARED_STORAGE - 1 - row) // max(1, shape[0] - 1) - 2) | 1
    strides.insert(0, first)
    extent = (shape[0] - 1) * first + row - 1
    assert extent < SHARED_STORAGE, (shape, strides)
    offset = (salt * 7919) % (SHARED_STORAGE - extent)
    return shared.as_strided(shape, strides, offset)


def test_images():
    """Two 112x112 RGB images of smooth patterns (waves and a disc), 8-bit, written once as PNG."""
    from PIL import Image
    yy, xx = torch.meshgrid(torch.arange(112.0), torch.arange(112.0), indexing="ij")
    images = []
    for k, (fx, fy, cx, cy) in enumerate([(0.07, 0.11, 40, 60), (0.13, 0.05, 70, 50)]):
        r = 127.5 + 120 * torch.sin(fx * xx + 0.3 * k)
        g = 127.5 + 120 * torch.cos(fy * yy + 0.02 * xx)
        disc = ((xx - cx) ** 2 + (yy - cy) ** 2 < 25 ** 2).float()
        b = 40 + 180 * disc + 20 * torch.sin(0.2 * (xx + yy))
        rgb = torch.stack([r, g, b], dim=-1).round().clamp(0, 255).to(torch.uint8)
        name = f"arcface_face_{k + 1}.png"
        Image.fromarray(rgb.numpy(), "RGB").save(os.path.join(HERE, name))
        images.append(name)
    return images


def read_images(names):
    from PIL import Image
    import numpy
    arrays = [numpy.asarray(Image.open(os.path.join(HERE, n)).convert("RGB"), dtype=numpy.float32) for n in names]
    x = torch.from_numpy(numpy.stack(arrays)).permute(0, 3, 1, 2).contiguous()
    return (x - 127.5) / 127.5


def viewed_network(name, shared):
    """A random-weight arcface_torch network whose large weights are views of `shared`, BatchNorm statistics measured as in
    arcface(); returns the network (eval mode) and its state dict with the views in place of the large weights."""
    torch.manual_seed(3)
    net = IResNet([2, 2, 2, 2]) if name == "iresnet18" else MobileFaceNet()
    views = {}
    with torch.no_grad():
        for key, value in net.state_dict().items():
            if value.dim() >= 2:  # convolution and linear weights; BatchNorm and PReLU keep their own values
                views[key] = strided_view(shared, value.shape, len(views) + 1)
        for module in net.modules():
            if isinstance(module, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
                module.weight.uniform_(0.8, 1.2)
                module.bias.uniform_(-0.1, 0.1)
                module.momentum = None
            if isinstance(module, torch.nn.PReLU):
                module.weight.uniform_(0.1, 0.3)
        state = net.state_dict()
        for key, view in views.items():
            state[key].copy_(view)
        net.train()
        for _ in range(2):
            net(torch.rand(8, 3, 112, 112) * 2 - 1)
    net.eval()
    saved = collections.OrderedDict((key, views.get(key, value)) for key, value in net.state_dict().items())
    return net, saved


def import_fixtures():
    torch.manual_seed(4)
    shared = torch.randn(SHARED_STORAGE) * 0.05
    images = test_images()
    x = read_images(images)
    expected = {"images": images, "networks": {}}
    for name in ("mbf", "iresnet18"):
        net, state = viewed_network(name, shared)
        with torch.no_grad():
            y = net(x)
        torch.save(state, os.path.join(HERE, f"arcface_{name}_model.pt"))
        expected["networks"][name] = {"output": {"shape": list(y.shape), "values": values(y)}, "max_abs": y.abs().max().item()}
        if name == "mbf":
            # arcface_torch's train_v2.py with save_all_states: the backbone (module. stripped), Partial FC's centres, SGD's
            # state (momentum buffers: views again) and PolyScheduler's state.
            params = list(net.parameters())
            momentum = {i: {"momentum_buffer": strided_view(shared, p.shape, 1000 + i)}
                        for i, p in enumerate(params)}
            checkpoint = {
                "epoch": 20,
                "global_step": 123456,
                "state_dict_backbone": state,
                "state_dict_softmax_fc": collections.OrderedDict([("weight", torch.randn(10, 512) * 0.01)]),
                "state_optimizer": {
                    "state": momentum,
                    "param_groups": [{"lr": 0.0, "momentum": 0.9, "dampening": 0, "weight_decay": 5e-4, "nesterov": False,
                                      "maximize": False, "foreach": None, "differentiable": False, "initial_lr": 0.1,
                                      "params": list(range(len(params)))}],
                },
                "state_lr_scheduler": {"base_lrs": [0.1], "last_epoch": 123456, "verbose": False, "_step_count": 123457,
                                       "_get_lr_called_within_step": False, "_last_lr": [0.0], "base_lr": 0.1,
                                       "max_steps": 123456, "warmup_lr_init": 0.0001, "warmup_steps": 0, "power": 2},
            }
            torch.save(checkpoint, os.path.join(HERE, "arcface_mbf_checkpoint_gpu_0.pt"))
    write_json("arcface_expected.json", expected)


def main():
    if sys.argv[1:] == ["import"]:
        import_fixtures()
        return
    if len(sys.argv) == 3 and sys.argv[1] in ("iresnet18", "mbf"):
        arcface(sys.argv[1], sys.argv[2])
        return
    if len(sys.argv) > 1:
        sys.exit("usage: make_fixtures.py [iresnet18|mbf DIR]")
    tiny_net()
    views()
    legacy()
    big_endian()
    hostile()


if __name__ == "__main__":
    main()
