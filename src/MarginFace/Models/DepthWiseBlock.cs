using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// MobileNetV2's inverted bottleneck as arcface_torch's <c>DepthWise</c>: 1×1 ConvBlock expanding to <c>expansion</c> channels,
/// k×k depthwise ConvBlock (stride s), 1×1 LinearBlock projecting to <c>outChannels</c>; plus the input when
/// <see cref="Residual"/> (Sandler et al., "MobileNetV2", CVPR 2018).
/// </summary>
internal sealed class DepthWiseBlock : Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public DepthWiseBlock(long inChannels, long outChannels, long expansion, bool residual, long stride, long kernel = 3, long padding = 1)
        : base(nameof(DepthWiseBlock))
    {
        if (residual && (inChannels != outChannels || stride != 1))
            throw new ArgumentException("a residual bottleneck needs equal input and output channels and stride 1");
        Residual = residual;
        layers = Sequential(
            new ConvBlock(inChannels, expansion),
            new ConvBlock(expansion, expansion, kernel, stride, padding, groups: expansion),
            new LinearBlock(expansion, outChannels));
        RegisterComponents();
    }

    /// <summary>Whether the block's input is added to its output.</summary>
    public bool Residual { get; }

    internal Sequential Layers => layers;

    public override Tensor forward(Tensor input)
    {
        if (!Residual) return LayerChain.Apply(layers, input);
        using var branch = LayerChain.Apply(layers, input);
        return branch.add(input);
    }
}
