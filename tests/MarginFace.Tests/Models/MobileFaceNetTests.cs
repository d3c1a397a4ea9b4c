using MarginFace.Models;
using TorchSharp;

namespace MarginFace.Tests.Models;

public class MobileFaceNetTests : TorchTest
{
    [Theory]
    [InlineData(64, 4)]
    [InlineData(112, 7)]
    [InlineData(128, 8)]
    public void GlobalDepthwiseKernelIsTheLastMapOfASixteenthOfTheInput(int inputSize, long kernel)
    {
        using var network = new MobileFaceNet(embeddingSize: 16, inputSize: inputSize);
        var depthwise = network.named_parameters().Single(p => p.name == "features.layers.0.layers.0.weight").parameter;
        Assert.Equal(new long[] { 512, 1, kernel, kernel }, depthwise.shape);
        network.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.randn(2, 3, inputSize, inputSize);
        using var output = network.forward(input);
        Assert.Equal(new long[] { 2, 16 }, output.shape);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(100)]
    public void InputSizeThatIsNotAMultipleOfSixteenIsRefused(int inputSize)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MobileFaceNet(inputSize: inputSize));
        Assert.Contains("multiple of 16", error.Message);
    }
}
