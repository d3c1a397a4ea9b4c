using MarginFace.Models;

namespace MarginFace.Tests.Models;

/// <summary>The state_dict keys follow arcface_torch's attribute names, so PyTorch checkpoints map onto them key for key.</summary>
public class BackboneStateDictTests : TorchTest
{
    [Fact]
    public void IResNetKeysAreArcfaceTorchs()
    {
        using var backbone = BackboneFactory.Create("iresnet18");
        var keys = backbone.Module.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "prelu.weight",
            "layer1.0.bn1.weight", "layer1.0.conv1.weight", "layer1.0.bn2.running_var", "layer1.0.prelu.weight", "layer1.0.conv2.weight",
            "layer1.0.bn3.bias", "layer1.0.downsample.0.weight", "layer1.0.downsample.1.running_mean", "layer1.1.conv2.weight",
            "layer4.1.bn3.weight", "bn2.weight", "fc.weight", "fc.bias", "features.weight", "features.bias",
            "features.running_mean", "features.running_var", "features.num_batches_tracked",
        ];
        foreach (var key in expected) Assert.Contains(key, keys);
        Assert.DoesNotContain("layer1.1.downsample.0.weight", keys);
        // 4 stages × 2 blocks × (3 BNs × 5 + 2 convs + PReLU) + 4 downsamples × (conv + BN × 5)
        // + conv1, bn1 (5), prelu, bn2 (5), fc (2), features (5).
        Assert.Equal(8 * 18 + 4 * 6 + 1 + 5 + 1 + 5 + 2 + 5, keys.Count);
        Assert.False(backbone.Module.named_parameters().Single(p => p.name == "features.weight").parameter.requires_grad);
    }

    [Fact]
    public void MobileFaceNetKeysAreArcfaceTorchs()
    {
        using var backbone = BackboneFactory.Create("mbf");
        var shapes = backbone.Module.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.Equal(new long[] { 128, 3, 3, 3 }, shapes["layers.0.layers.0.weight"]);
        Assert.Equal(new long[] { 128, 2, 3, 3 }, shapes["layers.1.layers.0.weight"]);
        Assert.Equal(new long[] { 128 }, shapes["layers.1.layers.2.weight"]);
        Assert.Equal(new long[] { 128, 128, 1, 1 }, shapes["layers.2.layers.0.layers.0.weight"]);
        Assert.Equal(new long[] { 128, 1, 3, 3 }, shapes["layers.2.layers.1.layers.0.weight"]);
        Assert.Equal(new long[] { 128, 128, 1, 1 }, shapes["layers.3.layers.3.layers.2.layers.0.weight"]);
        Assert.Equal(new long[] { 256, 256, 1, 1 }, shapes["layers.7.layers.1.layers.2.layers.0.weight"]);
        Assert.Equal(new long[] { 512, 256, 1, 1 }, shapes["conv_sep.layers.0.weight"]);
        Assert.Equal(new long[] { 512, 1, 7, 7 }, shapes["features.layers.0.layers.0.weight"]);
        Assert.Equal(new long[] { 512, 512 }, shapes["features.layers.2.weight"]);
        Assert.Equal(new long[] { 512 }, shapes["features.layers.3.running_var"]);
        Assert.DoesNotContain("layers.8.layers.0.weight", shapes.Keys);
    }

    [Fact]
    public void FaceMobileNetKeysUseTheSeedsStageNames()
    {
        using var backbone = BackboneFactory.Create("facemobilenet");
        var shapes = backbone.Module.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.Equal(new long[] { 64, 1, 3, 3 }, shapes["conv1.layers.0.weight"]);
        Assert.Equal(new long[] { 64, 1, 3, 3 }, shapes["conv2.layers.0.weight"]);
        Assert.Equal(new long[] { 128, 64, 1, 1 }, shapes["conv4.layers.3.layers.0.layers.0.weight"]);
        Assert.Equal(new long[] { 512, 1, 7, 7 }, shapes["conv10.layers.0.weight"]);
        Assert.Equal(new long[] { 512, 2048 }, shapes["linear.weight"]);
        Assert.Equal(new long[] { 512 }, shapes["bn.running_mean"]);
    }
}
