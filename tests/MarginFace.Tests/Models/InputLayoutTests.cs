using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Tests.Models;

/// <summary>Every backbone gives the same embeddings whatever the memory layout of its input.</summary>
public class InputLayoutTests : TorchTest
{
    /// <summary>
    /// libtorch 2.10's CPU 1×1 stride-2 convolution (layer4's first downsample of iresnet18) computed wrong values for a
    /// channels-last strided input (an NHWC tensor permuted to NCHW), up to 0.49 on outputs of about 5; the backbone makes
    /// its input contiguous first.
    /// </summary>
    [Theory]
    [InlineData("iresnet18")]
    [InlineData("mbf")]
    [InlineData("mobilefacenet")]
    [InlineData("mobilefacenet96")]
    public void APermutedChannelsLastInputGivesTheContiguousInputsEmbeddings(string name)
    {
        manual_seed(7);
        using var backbone = BackboneFactory.Create(name);
        backbone.Module.eval();
        using var noGrad = no_grad();
        var (height, width, channels) = (backbone.Spec.InputHeight, backbone.Spec.InputWidth, backbone.Spec.Channels);
        var nhwc = randn(2, height, width, channels);
        var permuted = nhwc.permute(0, 3, 1, 2);
        Assert.False(permuted.is_contiguous());

        var expected = backbone.Module.forward(permuted.contiguous());
        var actual = backbone.Module.forward(permuted);

        var scale = expected.abs().max().item<float>();
        var difference = (actual - expected).abs().max().item<float>();
        Assert.True(difference <= 1e-4f * scale, $"max difference {difference} on outputs up to {scale}");
    }
}
