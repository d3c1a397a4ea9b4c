using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MarginFace.Models;

/// <summary>
/// MobileFaceNet's global depthwise convolution head (arcface_torch's <c>GDC</c>): k×k depthwise LinearBlock on the k×k map
/// (k = 7 at 112×112 input; a learned per-channel spatial weighting instead of global average pooling), flatten, Linear (no
/// bias) to the embedding, BatchNorm1d. Keys <c>layers.0</c>, <c>layers.2</c>, <c>layers.3</c>.
/// </summary>
public sealed class GlobalDepthwiseEmbedding : Module<Tensor, Tensor>, ILayerChain
{
    private readonly Sequential layers;

    public GlobalDepthwiseEmbedding(long channels, int embeddingSize, int mapSize = 7) : base(nameof(GlobalDepthwiseEmbedding))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mapSize, 1);
        layers = Sequential(
            new LinearBlock(channels, channels, kernel: mapSize, groups: channels),
            Flatten(),
            Linear(channels, embeddingSize, hasBias: false),
            BatchNorm1d(embeddingSize));
        RegisterComponents();
    }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => [layers];

    public override Tensor forward(Tensor input) => LayerChain.Apply(layers, input);
}
