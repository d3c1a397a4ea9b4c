using TorchSharp.Modules;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// The improved ResNet of ArcFace (Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face Recognition", CVPR 2019)
/// as in InsightFace's arcface_torch, with its attribute names so that a state_dict maps key for key: conv 3×3 (stride 1)
/// → bn1 → prelu; four stages <c>layer1..4</c> of <see cref="IBasicBlock"/>s with 64, 128, 256, 512 channels, each starting
/// with stride 2 (112 → 56 → 28 → 14 → 7); then bn2 → flatten → dropout → fc (512·7·7 → D) → <c>features</c> (BatchNorm1d,
/// its scale frozen at 1 as arcface_torch does). Input 112×112.
/// </summary>
public sealed class IResNet : Module<Tensor, Tensor>
{
    /// <summary>Input side in pixels.</summary>
    public const int InputSize = 112;

    private const int FinalMapSize = 7;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly PReLU prelu;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly BatchNorm2d bn2;
    private readonly Dropout dropout;
    private readonly Linear fc;
    private readonly BatchNorm1d features;

    /// <param name="stageBlocks">Blocks per stage, e.g. [3, 4, 14, 3] for IResNet-50.</param>
    /// <param name="embeddingSize">D.</param>
    /// <param name="dropout">Dropout probability before fc (arcface_torch trains with 0).</param>
    /// <param name="inputChannels">3 for RGB, 1 for grey.</param>
    public IResNet(IReadOnlyList<int> stageBlocks, int embeddingSize = 512, double dropout = 0, int inputChannels = 3)
        : base(nameof(IResNet))
    {
        ArgumentNullException.ThrowIfNull(stageBlocks);
        if (stageBlocks.Count != 4 || stageBlocks.Any(n => n < 1))
            throw new ArgumentException("IResNet needs four stages of at least one block each", nameof(stageBlocks));
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 1);
        StageBlocks = stageBlocks.ToArray();
        conv1 = Conv2d(inputChannels, 64, 3, stride: 1, padding: 1, bias: false);
        bn1 = BatchNorm2d(64, eps: 1e-5);
        prelu = PReLU(64);
        layer1 = Stage(64, 64, stageBlocks[0]);
        layer2 = Stage(64, 128, stageBlocks[1]);
        layer3 = Stage(128, 256, stageBlocks[2]);
        layer4 = Stage(256, 512, stageBlocks[3]);
        bn2 = BatchNorm2d(512, eps: 1e-5);
        this.dropout = Dropout(dropout);
        fc = Linear(512 * FinalMapSize * FinalMapSize, embeddingSize);
        features = BatchNorm1d(embeddingSize, eps: 1e-5);
        RegisterComponents();
        InitializeWeights();
    }

    /// <summary>Blocks per stage.</summary>
    public IReadOnlyList<int> StageBlocks { get; }

    /// <summary>Convolutional part up to and including bn2, in order.</summary>
    internal IReadOnlyList<Module<Tensor, Tensor>> Body => [conv1, bn1, prelu, layer1, layer2, layer3, layer4, bn2];

    /// <summary>After flattening: dropout, fc, features.</summary>
    internal IReadOnlyList<Module<Tensor, Tensor>> Head => [dropout, fc, features];

    /// <summary>
    /// Embeddings [B, D] (before normalisation) of images [B, C, 112, 112]. The input is made contiguous first: libtorch
    /// 2.10's CPU 1×1 stride-2 convolution in layer4 is wrong by about 1 % on a channels-last strided input (an NHWC tensor
    /// permuted to NCHW), and a contiguous input costs nothing.
    /// </summary>
    public override Tensor forward(Tensor input)
    {
        using var dense = input.contiguous();
        using var map = LayerChain.Forward(Body, dense);
        using var flat = map.flatten(1);
        return LayerChain.Forward(Head, flat);
    }

    private static Sequential Stage(long inChannels, long channels, int blocks) =>
        Sequential(Enumerable.Range(0, blocks)
            .Select(i => (Module<Tensor, Tensor>)new IBasicBlock(i == 0 ? inChannels : channels, channels, i == 0 ? 2 : 1))
            .ToArray());

    /// <summary>arcface_torch's initialisation: convolutions N(0, 0.1²), batch norms γ = 1, β = 0, features' γ frozen.</summary>
    private void InitializeWeights()
    {
        using var noGrad = no_grad();
        foreach (var (_, child) in named_modules())
            if (child is Conv2d conv) init.normal_(conv.weight, 0, 0.1);
        features.weight.requires_grad = false;
    }
}
