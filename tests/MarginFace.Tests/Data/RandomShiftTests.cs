using TorchSharp;
using MarginFace.Data;
using static TorchSharp.torch;

namespace MarginFace.Tests.Data;

public class RandomShiftTests : TorchTest
{
    private const float Background = -0.5f;

    /// <summary>A batch of 8×8 images, background everywhere except one bright pixel at (row, col).</summary>
    private static Tensor Dots(int count, int row, int col)
    {
        var images = torch.full([count, 1, 8, 8], Background);
        images[.., .., row, col] = torch.tensor(3f);
        return images;
    }

    [Fact]
    public void EveryImageMovesByItsOwnOffsetWithinTheLimit()
    {
        using var generator = new Generator(5);
        using var shifted = new RandomShift(2, Background).Apply(Dots(400, 4, 4), generator);
        var offsets = new HashSet<(long, long)>();
        for (int i = 0; i < 400; i++)
        {
            using var image = shifted[i, 0];
            Assert.Equal(1, image.eq(3f).sum().item<long>());
            Assert.Equal(63, image.eq(Background).sum().item<long>());
            var flat = image.flatten().argmax().item<long>();
            var (dy, dx) = (flat / 8 - 4, flat % 8 - 4);
            Assert.InRange(dy, -2, 2);
            Assert.InRange(dx, -2, 2);
            offsets.Add((dy, dx));
        }
        Assert.Equal(25, offsets.Count);
    }

    [Fact]
    public void UncoveredBorderIsFilledWithTheBackground()
    {
        using var generator = new Generator(1);
        using var ones = torch.ones(200, 2, 6, 6);
        using var shifted = new RandomShift(3, Background).Apply(ones, generator);
        Assert.Equal(new long[] { 200, 2, 6, 6 }, shifted.shape);
        Assert.True((shifted.eq(1f) | shifted.eq(Background)).all().item<bool>());
        Assert.True(shifted.eq(Background).any().item<bool>());
        // Both channels of one image move together.
        Assert.True(shifted[.., 0].eq(shifted[.., 1]).all().item<bool>());
    }

    [Fact]
    public void TheSameGeneratorSeedGivesTheSameBatch()
    {
        using var images = torch.randn(16, 1, 10, 10);
        using var first = new Generator(42);
        using var second = new Generator(42);
        using var a = new RandomShift(2, 0).Apply(images, first);
        using var b = new RandomShift(2, 0).Apply(images, second);
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void ZeroShiftLeavesTheBatchAsItIs()
    {
        using var images = torch.randn(4, 1, 5, 5);
        using var generator = new Generator(0);
        using var same = new RandomShift(0, Background).Apply(images, generator);
        Assert.True(same.eq(images).all().item<bool>());
    }

    [Fact]
    public void RejectsABatchThatIsNotFourDimensional()
    {
        using var generator = new Generator(0);
        Assert.Throws<ArgumentException>(() => new RandomShift(1, 0).Apply(torch.zeros(3, 28, 28), generator));
    }
}
