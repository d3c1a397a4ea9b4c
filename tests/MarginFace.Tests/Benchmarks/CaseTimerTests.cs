using MarginFace.Benchmarks;

namespace MarginFace.Tests.Benchmarks;

public class CaseTimerTests : TorchTest
{
    [Fact]
    public void QuantilesInterpolateBetweenOrderStatistics()
    {
        double[] values = [4, 1, 3, 2, 5];
        Assert.Equal(3, CaseTimer.Quantile(values, 0.5));
        Assert.Equal(2, CaseTimer.Quantile(values, 0.25));
        Assert.Equal(1, CaseTimer.Quantile(values, 0));
        Assert.Equal(5, CaseTimer.Quantile(values, 1));
        Assert.Equal(2.5, CaseTimer.Quantile([1.0, 2, 3, 4], 0.5));
    }

    [Fact]
    public void WarmupRunsAreNotTimedAndEachRepeatIsTimedOnce()
    {
        var calls = 0;
        var times = CaseTimer.Time(() => calls++, warmup: 2, repeats: 3, TorchSharp.torch.CPU);
        Assert.Equal(5, calls);
        Assert.Equal(3, times.Length);
        Assert.All(times, t => Assert.True(t >= 0));
    }
}
