"""MarginFace's factory backbones written in plain PyTorch, layer for layer (same convolutions, batch norms, PReLUs, widths,
strides and embedding heads as src/MarginFace/Models), for timing the same networks in PyTorch.

  facemobilenet  the seeds' FaceMobileNet: 128x128 grey, 512-D (FaceMobileNet.cs)
  mobilefacenet  MobileFaceNet (Chen et al. 2018): 112x112 RGB, 128-D (MobileFaceNet.cs, width 1)
  mbf            arcface_torch's MobileFaceNet, twice as wide: 112x112 RGB, 512-D
  iresnet18/34/50/100  arcface_torch's IResNet: 112x112 RGB, 512-D (IResNet.cs, IBasicBlock.cs)

NAMES maps a name to (constructor, channels, input size, embedding size).
"""
import torch
from torch import nn


class ConvBlock(nn.Module):
    """Conv (no bias), BatchNorm2d, PReLU; without PReLU: MarginFace's LinearBlock."""

    def __init__(self, in_c, out_c, kernel=1, stride=1, padding=0, groups=1, prelu=True):
        super().__init__()
        layers = [nn.Conv2d(in_c, out_c, kernel, stride, padding, groups=groups, bias=False), nn.BatchNorm2d(out_c)]
        if prelu:
            layers.append(nn.PReLU(out_c))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class DepthWise(nn.Module):
    """1x1 expansion, depthwise 3x3 (stride), linear 1x1 projection; residual when asked (DepthWiseBlock.cs)."""

    def __init__(self, in_c, out_c, expansion, residual, stride):
        super().__init__()
        self.residual = residual
        self.layers = nn.Sequential(
            ConvBlock(in_c, expansion),
            ConvBlock(expansion, expansion, 3, stride, 1, groups=expansion),
            ConvBlock(expansion, out_c, prelu=False))

    def forward(self, x):
        return x + self.layers(x) if self.residual else self.layers(x)


def residual_stack(channels, count, expansion):
    return nn.Sequential(*[DepthWise(channels, channels, expansion, True, 1) for _ in range(count)])


class FaceMobileNet(nn.Module):
    def __init__(self, embedding=512, in_c=1):
        super().__init__()
        self.body = nn.Sequential(
            ConvBlock(in_c, 64, 3, 2, 1),
            ConvBlock(64, 64, 3, 1, 1, groups=64, prelu=False),
            DepthWise(64, 64, 128, False, 2),
            residual_stack(64, 4, 128),
            DepthWise(64, 128, 256, False, 2),
            residual_stack(128, 6, 256),
            DepthWise(128, 128, 512, False, 2),
            residual_stack(128, 2, 256),
            ConvBlock(128, 512),
            ConvBlock(512, 512, 7, groups=512, prelu=False),
            nn.Flatten(),
            nn.Linear(512 * 2 * 2, embedding, bias=False),
            nn.BatchNorm1d(embedding))

    def forward(self, x):
        return self.body(x)


class MobileFaceNet(nn.Module):
    def __init__(self, embedding=128, scale=1):
        super().__init__()
        c64, c128 = 64 * scale, 128 * scale
        self.body = nn.Sequential(
            ConvBlock(3, c64, 3, 2, 1),
            ConvBlock(c64, c64, 3, 1, 1, groups=64),
            DepthWise(c64, c64, 128, False, 2),
            residual_stack(c64, 4, 128),
            DepthWise(c64, c128, 256, False, 2),
            residual_stack(c128, 6, 256),
            DepthWise(c128, c128, 512, False, 2),
            residual_stack(c128, 2, 256),
            ConvBlock(c128, 512),
            ConvBlock(512, 512, 7, groups=512, prelu=False),
            nn.Flatten(),
            nn.Linear(512, embedding, bias=False),
            nn.BatchNorm1d(embedding))

    def forward(self, x):
        return self.body(x)


class IBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes, eps=1e-05)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, eps=1e-05)
        self.prelu = nn.PReLU(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes, eps=1e-05)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes, eps=1e-05))

    def forward(self, x):
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return out + (x if self.downsample is None else self.downsample(x))


class IResNet(nn.Module):
    def __init__(self, blocks, embedding=512):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64, eps=1e-05)
        self.prelu = nn.PReLU(64)
        stages, inplanes = [], 64
        for count, planes in zip(blocks, [64, 128, 256, 512]):
            stages.append(nn.Sequential(*[IBasicBlock(inplanes if j == 0 else planes, planes, 2 if j == 0 else 1) for j in range(count)]))
            inplanes = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.bn2 = nn.BatchNorm2d(512, eps=1e-05)
        self.dropout = nn.Dropout(p=0)
        self.fc = nn.Linear(512 * 7 * 7, embedding)
        self.features = nn.BatchNorm1d(embedding, eps=1e-05)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.bn2(self.layer4(self.layer3(self.layer2(self.layer1(x)))))
        return self.features(self.fc(self.dropout(torch.flatten(x, 1))))


NAMES = {
    "facemobilenet": (lambda: FaceMobileNet(512), 1, 128, 512),
    "mobilefacenet": (lambda: MobileFaceNet(128, 1), 3, 112, 128),
    "mbf": (lambda: MobileFaceNet(512, 2), 3, 112, 512),
    "iresnet18": (lambda: IResNet([2, 2, 2, 2]), 3, 112, 512),
    "iresnet34": (lambda: IResNet([3, 4, 6, 3]), 3, 112, 512),
    "iresnet50": (lambda: IResNet([3, 4, 14, 3]), 3, 112, 512),
    "iresnet100": (lambda: IResNet([3, 13, 30, 3]), 3, 112, 512),
}
