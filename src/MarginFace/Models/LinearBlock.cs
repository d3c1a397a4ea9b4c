using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>Conv2d (no bias) → BatchNorm2d with no activation, arcface_torch's <c>LinearBlock</c> (keys <c>layers.0</c>, <c>layers.1</c>).</summary>
internal sealed class LinearBlock : Module<Tensor, Tensor>, ILayerChain
{
    private readonly Sequential layers;

    public LinearBlock(long inChannels, long outChannels, long kernel = 1, long stride = 1, long padding = 0, long groups = 1)
        : base(nameof(LinearBlock))
    {
        layers = Sequential(
            Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, groups: groups, bias: false),
            BatchNorm2d(outChannels));
        RegisterComponents();
    }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => [layers];

    public override Tensor forward(Tensor input) => LayerChain.Apply(layers, input);
}
