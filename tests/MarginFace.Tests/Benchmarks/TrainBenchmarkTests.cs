using MarginFace.Benchmarks;
using MarginFace.Data;

namespace MarginFace.Tests.Benchmarks;

[Collection(SequentialTorchCollection.Name)]
public class TrainBenchmarkTests : TorchTest
{
    [Fact]
    public void TrainCasesUseTheIssuesDefaultsUnlessOverridden()
    {
        var cpu = new TrainBenchmarkOptions();
        Assert.Equal((256, 10), (TrainBenchmark.Case("clsnet", cpu, TorchSharp.torch.CPU).Batch, TrainBenchmark.Case("clsnet", cpu, TorchSharp.torch.CPU).Classes));
        var face = TrainBenchmark.Case("MobileFaceNet", cpu, TorchSharp.torch.CPU);
        Assert.Equal(("mobilefacenet", 32, 10_575, 64.0), (face.Network, face.Batch, face.Classes, face.HeadParameters["s"]));
        Assert.Equal(128, TrainBenchmark.Case("facemobilenet", cpu, new TorchSharp.torch.Device("cuda")).Batch);
        Assert.Equal((5, 7), (TrainBenchmark.Case("facemobilenet", cpu with { Batch = 5, Classes = 7 }, TorchSharp.torch.CPU) is var c ? (c.Batch, c.Classes) : default));
        Assert.Throws<ArgumentException>(() => TrainBenchmark.Case("resnet", cpu, TorchSharp.torch.CPU));
    }

    [Fact]
    public void TrainSuiteTimesEveryRepeatAfterTheWarmupAndReportsImagesPerSecondFromTheMedian()
    {
        var results = TrainBenchmark.Run(new TrainBenchmarkOptions { Networks = ["clsnet"], Batch = 8, Warmup = 2, Repeats = 3 });
        var r = Assert.Single(results);
        Assert.Equal(("train", "clsnet", "arcface", 8, 10, 3), (r.Suite, r.Network, r.Head, r.Batch, r.Classes, r.Repeats));
        Assert.True(r.MinMs > 0 && r.MinMs <= r.MedianMs && r.MedianMs <= r.MaxMs);
        Assert.Equal(8 * 1000 / r.MedianMs, r.ImagesPerSecond!.Value, 6);
    }

    [Fact]
    public void LeakCheckOfTheTrainerFindsNoTensorLeftAliveAfterTheWarmup()
    {
        var options = new TrainBenchmarkOptions { Batch = 8 };
        var result = LeakCheck.Run(TrainBenchmark.Case("clsnet", options, TorchSharp.torch.CPU), options, steps: 30, sampleEvery: 10);
        Assert.Equal([0, 10, 20, 30], result.Samples.Select(s => s.Step));
        Assert.True(result.StartLiveTensors > 0, "the model's parameters are live tensors");
        // Every step makes dozens of tensors: one kept per step would show as +30 here.
        Assert.Equal(result.StartLiveTensors, result.EndLiveTensors);
    }

    [Fact]
    public void SlopeIsTheLeastSquaresLine()
    {
        Assert.Equal(2.0, LeakCheck.Slope([0, 1, 2, 3], [1, 3, 5, 7]), 12);
        Assert.Equal(0.5, LeakCheck.Slope([0, 2, 4], [0, 2, 1]) * 2, 12);
        Assert.Equal(0.0, LeakCheck.Slope([1, 2, 3], [4, 4, 4]), 12);
    }

    [Fact]
    public void TheilSenSlopeIgnoresOneHighReadingThatTiltsLeastSquares()
    {
        double[] steps = [0, 50, 100, 150, 200, 250, 300];
        double[] rss = [470, 470, 470, 470, 470, 470, 560];
        Assert.True(LeakCheck.Slope(steps, rss) > 0.15);
        Assert.Equal(0.0, LeakCheck.TheilSenSlope(steps, rss), 12);
        Assert.Equal(0.1, LeakCheck.TheilSenSlope(steps, steps.Select(s => 470 + s / 10).ToArray()), 12);
    }

    [Fact]
    public void LoaderSuiteMeasuresTheLoaderAloneAndBesideARunningTrainingLoop()
    {
        using var temp = new TempDirectory();
        var folder = FaceFolder.Write(temp, identities: 4, images: 4, size: 40);
        var results = LoaderBenchmark.Run(new LoaderBenchmarkOptions
        {
            Images = folder,
            Network = "clsnet",
            Crop = "none",
            Augmentation = new FaceAugmentation(Flip: true, ResizeTo: 32),
            Workers = [1, 2],
            Batch = 4,
            ImagesPerRun = 8,
            Repeats = 1,
            Training = new TrainBenchmarkOptions { Batch = 4, Warmup = 1 },
        });
        Assert.Equal(["alone", "alone", "while-training", "while-training"], results.Select(r => r.Mode));
        Assert.Equal([1, 2, 1, 2], results.Select(r => r.Workers!.Value));
        Assert.All(results, r => Assert.True(r.ImagesPerSecond > 0));
        Assert.All(results.Take(2), r => Assert.Null(r.TrainingImagesPerSecond));
        Assert.All(results.Skip(2), r => Assert.True(r.TrainingImagesPerSecond > 0, "training ran during the loader's window"));
    }
}
