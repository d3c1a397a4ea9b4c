using TorchSharp;
using MarginFace.Mnist;

namespace MarginFace.Tests.Mnist;

public class LeNetPlusPlusTests : TorchTest
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void MapsMnistSizedImagesToFeatureDimVectors(int featureDim)
    {
        using var net = new LeNetPlusPlus(featureDim);
        using var input = torch.randn(4, 1, 28, 28);
        using var output = net.forward(input);
        Assert.Equal(new long[] { 4, featureDim }, output.shape);
        Assert.Equal(featureDim, net.FeatureDim);
    }

    [Fact]
    public void BackwardPassGivesEveryParameterAGradient()
    {
        torch.manual_seed(1);
        using var net = new LeNetPlusPlus(2);
        using var input = torch.randn(3, 1, 28, 28);
        using var output = net.forward(input);
        using var loss = output.pow(2).sum();
        loss.backward();
        var parameters = net.named_parameters().ToList();
        Assert.NotEmpty(parameters);
        using var scope = torch.NewDisposeScope();
        foreach (var (name, parameter) in parameters)
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name} has no gradient");
            Assert.True(grad!.abs().sum().item<float>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void HasThreeStagesOfTwoFiveByFiveConvolutionsAndOneFeatureLayer()
    {
        using var net = new LeNetPlusPlus(2);
        var convs = net.modules().OfType<TorchSharp.Modules.Conv2d>().ToList();
        Assert.Equal(6, convs.Count);
        Assert.All(convs, conv => Assert.Equal(new long[] { 5, 5 }, conv.weight!.shape[2..]));
        Assert.Equal(new long[] { 32, 32, 64, 64, 128, 128 }, convs.Select(c => c.weight!.shape[0]));
        var linear = Assert.Single(net.modules().OfType<TorchSharp.Modules.Linear>());
        Assert.Equal(new long[] { 2, 128 * 3 * 3 }, linear.weight!.shape);
    }
}
