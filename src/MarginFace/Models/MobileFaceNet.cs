using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// MobileFaceNet (Chen et al., "MobileFaceNets: Efficient CNNs for Accurate Real-Time Face Verification on Mobile Devices", 2018)
/// with arcface_torch's module names, so its <c>mbf</c> state_dict maps key for key: <c>layers.0</c> conv 3×3/2 (64·w);
/// <c>layers.1</c> grouped 3×3 conv (64 groups; depthwise at w = 1); bottlenecks (t, c, n, s) = (2,64,5,2), (4,128,1,2),
/// (2,128,6,1), (4,128,1,2), (2,128,2,1) as <c>layers.2..7</c> (expansions 128, 128, 256, 256, 512, 256 channels);
/// <c>conv_sep</c> 1×1 conv to 512; <c>features</c> global depthwise (input/16)², Linear, BatchNorm1d. Input 112×112 (7×7 GDC)
/// in the paper; any multiple of 16 here (64×64: 4×4 GDC, a third of the multiply-adds).
/// Width w = 1 is the paper's network; arcface_torch's <c>mbf</c> uses w = 2. Dropout before the GDC's Linear: none by default.
/// </summary>
public sealed class MobileFaceNet : Module<Tensor, Tensor>, ILayerChain
{
    private readonly ModuleList<Module<Tensor, Tensor>> layers;

    [ComponentName(Name = "conv_sep")]
    private readonly ConvBlock convSep;

    private readonly GlobalDepthwiseEmbedding features;

    /// <summary>A MobileFaceNet of width <paramref name="widthScale"/> for <paramref name="inputSize"/>×<paramref name="inputSize"/> input (a multiple of 16), embedding <paramref name="embeddingSize"/>-D.</summary>
    public MobileFaceNet(int embeddingSize = 128, int widthScale = 1, int inputChannels = 3, int inputSize = 112, double dropout = 0) : base(nameof(MobileFaceNet))
    {
        if (inputSize < 16 || inputSize % 16 != 0)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "MobileFaceNet's input size must be a positive multiple of 16");
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(widthScale, 1);
        long narrow = 64L * widthScale, wide = 128L * widthScale;
        layers = new ModuleList<Module<Tensor, Tensor>>(
            new ConvBlock(inputChannels, narrow, kernel: 3, stride: 2, padding: 1),
            new ConvBlock(narrow, narrow, kernel: 3, stride: 1, padding: 1, groups: 64),
            new DepthWiseBlock(narrow, narrow, expansion: 128, residual: false, stride: 2),
            new ResidualStack(narrow, 4, expansion: 128),
            new DepthWiseBlock(narrow, wide, expansion: 256, residual: false, stride: 2),
            new ResidualStack(wide, 6, expansion: 256),
            new DepthWiseBlock(wide, wide, expansion: 512, residual: false, stride: 2),
            new ResidualStack(wide, 2, expansion: 256));
        convSep = new ConvBlock(wide, 512);
        features = new GlobalDepthwiseEmbedding(512, embeddingSize, inputSize / 16, dropout);
        RegisterComponents();
        InitializeWeights(this);
    }

    IReadOnlyList<Module<Tensor, Tensor>> ILayerChain.Chain => [.. layers, convSep, features];

    /// <summary>Embeddings [B, D] (before normalisation) of images [B, C, S, S], S the input size.</summary>
    public override Tensor forward(Tensor input) => LayerChain.Forward(((ILayerChain)this).Chain, input);

    /// <summary>arcface_torch's initialisation: Kaiming-normal (fan-out, ReLU gain) for convolutions and linear layers.</summary>
    internal static void InitializeWeights(Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Conv2d conv:
                    init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    break;
                case Linear linear:
                    init.kaiming_normal_(linear.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    break;
            }
        }
    }
}
