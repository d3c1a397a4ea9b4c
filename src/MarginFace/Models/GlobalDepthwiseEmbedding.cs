using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// MobileFaceNet's global depthwise convolution head (arcface_torch's <c>GDC</c>): k×k depthwise LinearBlock on the k×k map
/// (k = 7 at 112×112 input; a learned per-channel spatial weighting instead of global average pooling), flatten, dropout
/// (Srivastava et al. 2014; none at p = 0, as in arcface_torch), Linear (no bias) to the embedding, BatchNorm1d. Keys
/// <c>layers.0</c>, <c>layers.2</c>, <c>layers.3</c> (the dropout sits outside <c>layers</c>, so the keys match arcface_torch's).
/// </summary>
internal sealed class GlobalDepthwiseEmbedding : Module<Tensor, Tensor>, ILayerChain
{
    private readonly Sequential layers;
    private readonly Dropout dropout;
    private readonly Module<Tensor, Tensor>[] chain;

    public GlobalDepthwiseEmbedding(long channels, int embeddingSize, int mapSize = 7, double dropout = 0) : base(nameof(GlobalDepthwiseEmbedding))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mapSize, 1);
        if (!(dropout is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "the dropout probability must be in [0, 1)");
        this.dropout = Dropout(dropout);
        layers = Sequential(
            new LinearBlock(channels, channels, kernel: mapSize, groups: channels),
            Flatten(),
            Linear(channels, embeddingSize, hasBias: false),
            BatchNorm1d(embeddingSize));
        var children = layers.children().Cast<Module<Tensor, Tensor>>().ToArray();
        chain = [children[0], children[1], this.dropout, children[2], children[3]];
        RegisterComponents();
    }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => chain;

    public override Tensor forward(Tensor input) => LayerChain.Forward(((ILayerChain)this).Chain, input);
}
