using TorchSharp.Modules;
using MarginFace.Models;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Mnist;

/// <summary>
/// The small CNN of the classic 2-D feature experiments: two conv(3×3)–BN–PReLU blocks, each followed by 2×2 max-pooling,
/// then fully connected 256 → 128 → <c>featureDim</c> (PReLU between). Input <c>[B,1,28,28]</c>, output the feature <c>[B,featureDim]</c>;
/// the classifier (a margin head) sits on top of it.
/// </summary>
internal sealed class ClsNet : Module<Tensor, Tensor>, ILayerChain
{
    private readonly Sequential body;

    /// <summary>Creates the network with a <paramref name="featureDim"/>-dimensional feature layer.</summary>
    public ClsNet(int featureDim = 2, int inputChannels = 1) : base(nameof(ClsNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        FeatureDim = featureDim;
        body = Sequential(
            ("conv1", Conv2d(inputChannels, 32, 3, padding: 1)),
            ("bn1", BatchNorm2d(32)),
            ("prelu1", PReLU(32)),
            ("pool1", MaxPool2d(2)),
            ("conv2", Conv2d(32, 64, 3, padding: 1)),
            ("bn2", BatchNorm2d(64)),
            ("prelu2", PReLU(64)),
            ("pool2", MaxPool2d(2)),
            ("flatten", Flatten()),
            ("fc1", Linear(64 * 7 * 7, 256)),
            ("prelu3", PReLU(1)),
            ("fc2", Linear(256, 128)),
            ("prelu4", PReLU(1)),
            ("feature", Linear(128, featureDim)));
        RegisterComponents();
    }

    /// <summary>Size of the feature layer.</summary>
    public int FeatureDim { get; }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => [body];

    public override Tensor forward(Tensor input) => LayerChain.Apply(body, input);
}
