using TorchSharp;
using MarginFace.Models;

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

    [Fact]
    public void DropoutAddsNoKeysActsInTrainingOnlyAndLeavesTheEvalOutputUnchanged()
    {
        using var plain = new MobileFaceNet(embeddingSize: 16, inputSize: 32);
        using var dropped = new MobileFaceNet(embeddingSize: 16, inputSize: 32, dropout: 0.5);
        Assert.Equal(plain.state_dict().Keys, dropped.state_dict().Keys);
        dropped.load_state_dict(plain.state_dict());
        using var input = torch.randn(4, 3, 32, 32, generator: new torch.Generator(5));
        using (torch.no_grad())
        {
            plain.eval();
            dropped.eval();
            using var expected = plain.forward(input);
            using var actual = dropped.forward(input);
            Assert.True(expected.allclose(actual, rtol: 0, atol: 0));
            plain.train();
            dropped.train();
            using var trainingPlain = plain.forward(input);
            using var trainingDropped = dropped.forward(input);
            Assert.False(trainingPlain.allclose(trainingDropped, rtol: 1e-3, atol: 1e-3));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new MobileFaceNet(dropout: 1));
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
