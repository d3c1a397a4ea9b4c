using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MarginFace.Models;

/// <summary>
/// MobileFaceNet's global depthwise convolution head (arcface_torch's <c>GDC</c>): 7×7 depthwise LinearBlock on the 7×7 map
/// (a learned per-channel spatial weighting instead of global average pooling), flatten, Linear (no bias) to the embedding,
/// BatchNorm1d. Keys <c>layers.0</c>, <c>layers.2</c>, <c>layers.3</c>.
/// </summary>
public sealed class GlobalDepthwiseEmbedding : Module<Tensor, Tensor>, ILayerChain
{
    private readonly Sequential layers;

    public GlobalDepthwiseEmbedding(long channels, int embeddingSize) : base(nameof(GlobalDepthwiseEmbedding))
    {
        layers = Sequential(
            new LinearBlock(channels, channels, kernel: 7, groups: channels),
            Flatten(),
            Linear(channels, embeddingSize, hasBias: false),
            BatchNorm1d(embeddingSize));
        RegisterComponents();
    }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => [layers];

    public override Tensor forward(Tensor input) => layers.forward(input);
}
