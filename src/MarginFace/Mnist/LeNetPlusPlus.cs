using TorchSharp.Modules;
using MarginFace.Models;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Mnist;

/// <summary>
/// LeNet++ of the center-loss paper (Wen et al., "A Discriminative Feature Learning Approach for Deep Face Recognition", ECCV 2016):
/// three stages of two 5×5 convolutions (padding 2, PReLU after each) with 32, 64 and 128 channels, each stage followed by
/// 2×2 max-pooling (28 → 14 → 7 → 3), then one fully connected layer 128·3·3 → <c>featureDim</c>.
/// Input <c>[B,1,28,28]</c>, output the feature <c>[B,featureDim]</c>; the classifier (a margin head) sits on top of it.
/// </summary>
internal sealed class LeNetPlusPlus : Module<Tensor, Tensor>, ILayerChain
{
    private const int FinalSpatialSize = 3;

    private readonly Sequential body;

    /// <summary>Creates the network with a <paramref name="featureDim"/>-dimensional feature layer.</summary>
    public LeNetPlusPlus(int featureDim = 2) : base(nameof(LeNetPlusPlus))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        FeatureDim = featureDim;
        body = Sequential(
            ("conv1_1", Conv2d(1, 32, 5, padding: 2)),
            ("prelu1_1", PReLU(32)),
            ("conv1_2", Conv2d(32, 32, 5, padding: 2)),
            ("prelu1_2", PReLU(32)),
            ("pool1", MaxPool2d(2)),
            ("conv2_1", Conv2d(32, 64, 5, padding: 2)),
            ("prelu2_1", PReLU(64)),
            ("conv2_2", Conv2d(64, 64, 5, padding: 2)),
            ("prelu2_2", PReLU(64)),
            ("pool2", MaxPool2d(2)),
            ("conv3_1", Conv2d(64, 128, 5, padding: 2)),
            ("prelu3_1", PReLU(128)),
            ("conv3_2", Conv2d(128, 128, 5, padding: 2)),
            ("prelu3_2", PReLU(128)),
            ("pool3", MaxPool2d(2)),
            ("flatten", Flatten()),
            ("feature", Linear(128 * FinalSpatialSize * FinalSpatialSize, featureDim)));
        RegisterComponents();
    }

    /// <summary>Size of the feature layer.</summary>
    public int FeatureDim { get; }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => [body];

    public override Tensor forward(Tensor input) => LayerChain.Apply(body, input);
}
