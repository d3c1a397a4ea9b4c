using MarginFace.Runtime;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's residual unit (dlib's ResNet-29 block): out = ReLU(conv2(ReLU(conv1(x))) + shortcut(x)). The plain unit keeps
/// the shape. The down unit has conv1 3×3 with stride 2 (valid padding) and the shortcut 2×2 average pooling with zero
/// channels appended when the width doubles; when the branch comes out one row and column smaller than the pooled input
/// (odd sizes), a zero row and column are appended to it at the bottom and right, as face-api does.
/// </summary>
internal sealed class FaceApiResidual : Module<Tensor, Tensor>
{
    private readonly ScaledConv conv1;
    private readonly ScaledConv conv2;
    private readonly bool _down;

    internal ScaledConv First => conv1;

    internal ScaledConv Second => conv2;

    /// <summary>True for the down unit (stride 2, pooled shortcut).</summary>
    internal bool Down => _down;

    public FaceApiResidual(long inChannels, long outChannels, bool down) : base(nameof(FaceApiResidual))
    {
        if (!down && inChannels != outChannels) throw new ArgumentException("a residual unit without downsampling keeps its channels");
        _down = down;
        conv1 = new ScaledConv(inChannels, outChannels, 3, down ? 2 : 1);
        conv2 = new ScaledConv(outChannels, outChannels, 3, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var branch = conv2.forward(functional.relu(conv1.forward(input)));
        var shortcut = input;
        if (_down)
        {
            shortcut = functional.avg_pool2d(input, 2, 2);
            if (shortcut.shape[2] != branch.shape[2] || shortcut.shape[3] != branch.shape[3])
                branch = functional.pad(branch, [0, 1, 0, 1]);
            if (shortcut.shape[1] != branch.shape[1])
                shortcut = cat([shortcut, zeros_like(shortcut)], 1);
        }
        return functional.relu(branch.add(shortcut, HeldScalars.One)).MoveToOuterDisposeScope();
    }
}
