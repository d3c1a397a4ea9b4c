using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary><c>count</c> residual <see cref="DepthWiseBlock"/>s of stride 1 on <c>channels</c>, arcface_torch's <c>Residual</c> (keys <c>layers.i</c>).</summary>
internal sealed class ResidualStack : Module<Tensor, Tensor>, ILayerChain
{
    private readonly Sequential layers;

    public ResidualStack(long channels, int count, long expansion) : base(nameof(ResidualStack))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        layers = Sequential(Enumerable.Range(0, count)
            .Select(_ => (Module<Tensor, Tensor>)new DepthWiseBlock(channels, channels, expansion, residual: true, stride: 1))
            .ToArray());
        RegisterComponents();
    }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => [layers];

    public override Tensor forward(Tensor input) => LayerChain.Apply(layers, input);
}
