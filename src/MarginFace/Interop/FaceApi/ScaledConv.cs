using TorchSharp.Modules;
using MarginFace.Runtime;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's conv layer (dlib's con → affine): y = (conv(x) + b) · γ + β per channel, TensorFlow padding
/// <c>same</c> (stride 1) or <c>valid</c> (stride 2). Its parameters are <c>conv.weight</c>, <c>conv.bias</c>,
/// <c>scale_weight</c> and <c>scale_bias</c>.
/// </summary>
internal sealed class ScaledConv : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly Parameter scale_weight;
    private readonly Parameter scale_bias;

    internal Conv2d Conv => conv;

    /// <summary>γ per output channel.</summary>
    internal Parameter Scale => scale_weight;

    /// <summary>β per output channel.</summary>
    internal Parameter Shift => scale_bias;

    public ScaledConv(long inChannels, long outChannels, long kernel, long stride) : base(nameof(ScaledConv))
    {
        var padding = stride == 1 ? kernel / 2 : 0;
        conv = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding);
        scale_weight = Parameter(ones(outChannels));
        scale_bias = Parameter(zeros(outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var convolved = conv.forward(input);
        var scaled = convolved.mul(scale_weight.view(1, -1, 1, 1));
        return scaled.add_(scale_bias.view(1, -1, 1, 1), HeldScalars.One);
    }
}
