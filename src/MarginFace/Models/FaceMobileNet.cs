using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// The seeds' FaceMobileNet: a MobileFaceNet body on 128×128 grey input, with a plain 7×7 depthwise conv (no padding) on the
/// 8×8 map instead of a global one, so 512×2×2 = 2048 features go through Linear(2048 → D, no bias) and BatchNorm1d.
/// Layers (attribute names as the seeds' <c>conv1</c>…<c>conv10</c>, <c>linear</c>, <c>bn</c>): ConvBnPReLU(1→64, 3×3, s2);
/// depthwise ConvBn(64); bottleneck(64→64, expand 128, s2); 4 residual(64, expand 128); bottleneck(64→128, expand 256, s2);
/// 6 residual(128, expand 256); bottleneck(128→128, expand 512, s2); 2 residual(128, expand 256); ConvBnPReLU(128→512, 1×1);
/// 7×7 depthwise ConvBn(512).
/// </summary>
public sealed class FaceMobileNet : Module<Tensor, Tensor>, ILayerChain
{
    /// <summary>Input side in pixels.</summary>
    public const int InputSize = 128;

    private readonly ConvBlock conv1;
    private readonly LinearBlock conv2;
    private readonly DepthWiseBlock conv3;
    private readonly ResidualStack conv4;
    private readonly DepthWiseBlock conv5;
    private readonly ResidualStack conv6;
    private readonly DepthWiseBlock conv7;
    private readonly ResidualStack conv8;
    private readonly ConvBlock conv9;
    private readonly LinearBlock conv10;
    private readonly Flatten flatten;
    private readonly Linear linear;
    private readonly BatchNorm1d bn;

    /// <summary>A FaceMobileNet with a <paramref name="embeddingSize"/>-D embedding; one input channel (grey) as in the seeds.</summary>
    public FaceMobileNet(int embeddingSize = 512, int inputChannels = 1) : base(nameof(FaceMobileNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        conv1 = new ConvBlock(inputChannels, 64, kernel: 3, stride: 2, padding: 1);
        conv2 = new LinearBlock(64, 64, kernel: 3, stride: 1, padding: 1, groups: 64);
        conv3 = new DepthWiseBlock(64, 64, expansion: 128, residual: false, stride: 2);
        conv4 = new ResidualStack(64, 4, expansion: 128);
        conv5 = new DepthWiseBlock(64, 128, expansion: 256, residual: false, stride: 2);
        conv6 = new ResidualStack(128, 6, expansion: 256);
        conv7 = new DepthWiseBlock(128, 128, expansion: 512, residual: false, stride: 2);
        conv8 = new ResidualStack(128, 2, expansion: 256);
        conv9 = new ConvBlock(128, 512);
        conv10 = new LinearBlock(512, 512, kernel: 7, groups: 512);
        flatten = Flatten();
        linear = Linear(512 * 2 * 2, embeddingSize, hasBias: false);
        bn = BatchNorm1d(embeddingSize);
        RegisterComponents();
        MobileFaceNet.InitializeWeights(this);
    }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain =>
        [conv1, conv2, conv3, conv4, conv5, conv6, conv7, conv8, conv9, conv10, flatten, linear, bn];

    /// <summary>Embeddings [B, D] (before normalisation) of images [B, C, 128, 128].</summary>
    public override Tensor forward(Tensor input) => LayerChain.Forward(((ILayerChain)this).Chain, input);
}
