using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// The improved residual unit of ArcFace (Deng et al., CVPR 2019, Fig. 7e), arcface_torch's <c>IBasicBlock</c>:
/// out = BN₃(conv₂(PReLU(BN₂(conv₁(BN₁(x)))))) + shortcut(x), both convolutions 3×3 without bias, the second one with the
/// stride; the shortcut is <c>downsample</c> (1×1 conv with the stride, then BN) when the shape changes, else x.
/// </summary>
internal sealed class IBasicBlock : Module<Tensor, Tensor>
{
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn2;
    private readonly PReLU prelu;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    public IBasicBlock(long inChannels, long channels, long stride) : base(nameof(IBasicBlock))
    {
        bn1 = BatchNorm2d(inChannels, eps: 1e-5);
        conv1 = Conv2d(inChannels, channels, 3, stride: 1, padding: 1, bias: false);
        bn2 = BatchNorm2d(channels, eps: 1e-5);
        prelu = PReLU(channels);
        conv2 = Conv2d(channels, channels, 3, stride: stride, padding: 1, bias: false);
        bn3 = BatchNorm2d(channels, eps: 1e-5);
        if (stride != 1 || inChannels != channels)
            downsample = Sequential(Conv2d(inChannels, channels, 1, stride: stride, bias: false), BatchNorm2d(channels, eps: 1e-5));
        RegisterComponents();
    }

    /// <summary>The residual branch, in order: bn1, conv1, bn2, prelu, conv2, bn3.</summary>
    internal IReadOnlyList<Module<Tensor, Tensor>> Branch => [bn1, conv1, bn2, prelu, conv2, bn3];

    /// <summary>The projection shortcut, or null for the identity.</summary>
    internal Sequential? Downsample => downsample;

    public override Tensor forward(Tensor input)
    {
        using var branch = LayerChain.Forward(Branch, input);
        if (downsample is null) return branch.add(input);
        using var shortcut = LayerChain.Apply(downsample, input);
        return branch.add(shortcut);
    }
}
