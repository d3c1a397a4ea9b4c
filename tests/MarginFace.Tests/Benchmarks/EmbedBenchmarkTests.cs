using MarginFace.Benchmarks;

namespace MarginFace.Tests.Benchmarks;

public class EmbedBenchmarkTests : TorchTest
{
    [Fact]
    public void InterleavedRunTimesEveryRuntimeRoundRobinAndMarksTheGroupsMemory()
    {
        var results = EmbedBenchmark.Run(new EmbedBenchmarkOptions { Networks = ["lenetpp"], Batches = [3], Repeats = 2, Interleave = true });
        Assert.Equal([EmbedBenchmark.TorchSharp, EmbedBenchmark.OnnxRuntime], results.Select(r => r.Runtime));
        foreach (var r in results)
        {
            Assert.Equal(("embed", "lenetpp", 3, 2, true, false), (r.Suite, r.Network, r.Batch, r.Dim, r.Interleaved, r.PeakIsPerCase));
            Assert.True(r.MinMs > 0 && r.MinMs <= r.MedianMs && r.MedianMs <= r.MaxMs);
            Assert.Equal(3 / (r.MedianMs / 1000), r.ImagesPerSecond!.Value, 6);
        }
        Assert.Equal(results[0].PeakRssMb, results[1].PeakRssMb);
        Assert.Contains("× torchsharp", EmbedBenchmark.Table(results));
    }

    [Fact]
    public void AnUnknownRuntimeIsRefused() =>
        Assert.Throws<ArgumentException>(() => EmbedBenchmark.Run(new EmbedBenchmarkOptions { Networks = ["lenetpp"], Runtimes = ["tensorflow"] }));
}
