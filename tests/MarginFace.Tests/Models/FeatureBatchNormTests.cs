using TorchSharp;
using MarginFace.Mnist;
using MarginFace.Models;

namespace MarginFace.Tests.Models;

[Trait("Category", "Integration")]
public class FeatureBatchNormTests : TorchTest
{
    [Fact]
    public void TrainingFeaturesAreCentredWithUnitVariancePerDimension()
    {
        using var generator = new torch.Generator(3);
        using var net = FeatureNetworkFactory.Create("clsnet", 2, featureBatchNorm: true);
        Assert.IsType<FeatureBatchNorm>(net);
        net.train();
        using var images = torch.randn([64, 1, 28, 28], generator: generator);
        using var features = net.forward(images);
        Assert.Equal(new long[] { 64, 2 }, features.shape);
        using var mean = features.mean([0L]);
        using var variance = features.var(0L, unbiased: false);
        Assert.True(mean.abs().max().item<float>() < 1e-4);
        Assert.True((variance - 1).abs().max().item<float>() < 1e-2);
    }

    [Fact]
    public void TheWrappedNetworksParametersAreTrainedAndCheckpointedWithIt()
    {
        using var plain = FeatureNetworkFactory.Create("clsnet", 2);
        using var normed = FeatureNetworkFactory.Create("clsnet", 2, featureBatchNorm: true);
        // BatchNorm1d adds a weight and a bias to the wrapped network's parameters, and its running statistics to the state.
        Assert.Equal(plain.parameters().Count() + 2, normed.parameters().Count());
        Assert.Contains(normed.state_dict().Keys, k => k.Contains("running_mean"));
    }
}
