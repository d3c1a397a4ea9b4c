using TorchSharp;
using MarginFace.Mnist;

namespace MarginFace.Tests.Mnist;

[Trait("Category", "Integration")]
public class FeatureNetworkFactoryTests : TorchTest
{
    [Theory]
    [InlineData("clsnet", typeof(ClsNet))]
    [InlineData("lenetpp", typeof(LeNetPlusPlus))]
    [InlineData("LeNetPP", typeof(LeNetPlusPlus))]
    public void CreatesTheNamedNetworkWithTheRequestedFeatureSize(string name, Type expected)
    {
        using var net = FeatureNetworkFactory.Create(name, 3);
        Assert.IsType(expected, net);
        net.eval();
        using var input = torch.zeros(2, 1, 28, 28);
        using var output = net.forward(input);
        Assert.Equal(new long[] { 2, 3 }, output.shape);
    }

    [Fact]
    public void UnknownNameThrowsListingTheKnownNames()
    {
        var error = Assert.Throws<ArgumentException>(() => FeatureNetworkFactory.Create("resnet", 2));
        Assert.Contains("resnet", error.Message);
        Assert.Contains("clsnet", error.Message);
        Assert.Contains("lenetpp", error.Message);
    }
}
