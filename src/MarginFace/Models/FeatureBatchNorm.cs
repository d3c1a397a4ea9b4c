using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// A feature network followed by BatchNorm1d over its D-dimensional output, the "features" layer InsightFace puts after
/// every IResNet: the feature is centred and its norm bounded. Angular heads, whose gradient in x scales as s/|x|, then
/// cannot blow |x| up: on the 2-D ClsNet with NormFace and SGD 0.05, |x| went 0.1 → 10⁸ in 40 steps without it and stayed
/// near 4 with it. (That alone did not make SGD train the 2-D angular heads: 17–20% after three epochs; see MnistRecipes.)
/// </summary>
internal sealed class FeatureBatchNorm : Module<Tensor, Tensor>, ILayerChain
{
    private readonly Module<Tensor, Tensor> network;
    private readonly BatchNorm1d features;

    /// <param name="network">Images → features [B, D].</param>
    /// <param name="featureDim">D.</param>
    public FeatureBatchNorm(Module<Tensor, Tensor> network, int featureDim) : base(nameof(FeatureBatchNorm))
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        this.network = network;
        features = BatchNorm1d(featureDim);
        RegisterComponents();
    }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => [network, features];

    public override Tensor forward(Tensor input)
    {
        using var raw = network.forward(input);
        return LayerChain.Apply(features, raw);
    }
}
