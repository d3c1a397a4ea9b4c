using MarginFace.Runtime;
using static TorchSharp.torch;

namespace MarginFace.Tests.Runtime;

[Collection(SequentialTorchCollection.Name)]
public class MemoryLayoutTests : TorchTest
{
    [Fact]
    public void ChannelsLastKeepsTheShapeAndValuesAndStoresThePixelsChannelByChannel()
    {
        using var batch = arange(2 * 3 * 4 * 5, dtype: float32).reshape(2, 3, 4, 5);
        using var nhwc = MemoryLayout.ToChannelsLast(batch);
        Assert.Equal(batch.shape, nhwc.shape);
        Assert.True(nhwc.eq(batch).all().item<bool>());
        // N×C×H×W = 2×3×4×5 stored as N×H×W×C: strides (H·W·C, 1, W·C, C).
        Assert.Equal([60L, 1, 15, 3], nhwc.stride());
        Assert.True(MemoryLayout.IsChannelsLast(nhwc));
        Assert.False(MemoryLayout.IsChannelsLast(batch));
        // Element (n=1, c=2, h=3, w=4) sits at 1·60 + 2 + 3·15 + 4·3 = 119 in storage.
        using var flat = nhwc.permute(0, 2, 3, 1).reshape(-1);
        Assert.Equal(batch[1, 2, 3, 4].item<float>(), flat[119].item<float>());
    }

    [Fact]
    public void ABatchAlreadyChannelsLastIsSharedNotCopiedAndOtherRanksAreRefused()
    {
        using var batch = randn(2, 3, 4, 4);
        using var once = MemoryLayout.ToChannelsLast(batch);
        using var twice = MemoryLayout.ToChannelsLast(once);
        Assert.True(MemoryLayout.IsChannelsLast(twice));
        twice[1, 2, 3, 0].fill_(42f);
        Assert.Equal(42f, once[1, 2, 3, 0].item<float>());
        using var vectors = randn(2, 3);
        Assert.False(MemoryLayout.IsChannelsLast(vectors));
        var error = Assert.Throws<ArgumentException>(() => MemoryLayout.ToChannelsLast(vectors));
        Assert.Contains("got 2 dimensions", error.Message);
    }

    [Fact]
    public void AConvolutionFedChannelsLastReturnsChannelsLastWithTheSameValues()
    {
        using var generator = new Generator(3);
        using var input = randn([4, 8, 10, 10], generator: generator);
        using var weight = randn([8, 1, 3, 3], generator: generator);
        using var nchw = nn.functional.conv2d(input, weight, padding: [1, 1], groups: 8);
        using var nhwcInput = MemoryLayout.ToChannelsLast(input);
        using var nhwc = nn.functional.conv2d(nhwcInput, weight, padding: [1, 1], groups: 8);
        Assert.True(MemoryLayout.IsChannelsLast(nhwc));
        Assert.True(nchw.allclose(nhwc, rtol: 1e-5, atol: 1e-5));
    }
}
