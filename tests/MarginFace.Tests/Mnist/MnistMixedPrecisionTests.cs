using System.Text.Json;
using TorchSharp;
using MarginFace.Mnist;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Mnist;

/// <summary><c>mnist --precision</c>: the experiment trains through <see cref="MixedPrecision"/> and records it.</summary>
[Collection(SequentialTorchCollection.Name)]
public class MnistMixedPrecisionTests : TorchTest
{
    /// <summary>Cancels the run when epoch <paramref name="epoch"/> ends, so the trainer saves and stops before the next step.</summary>
    private sealed class StopAfterEpoch(int epoch, CancellationTokenSource source) : ITrainingCallback
    {
        public void OnEpochEnd(EpochResult result)
        {
            if (result.Epoch == epoch) source.Cancel();
        }
    }

    private static MnistExperimentOptions Options(string data, string output, TrainingPrecision precision) => new()
    {
        Loss = "arcface", DataDirectory = data, OutputDirectory = output, Epochs = 2, BatchSize = 30, Seed = 4, Precision = precision,
    };

    [Theory]
    [InlineData(TrainingPrecision.Bf16)]
    [InlineData(TrainingPrecision.Fp16)]
    public void AHalfPrecisionRunRecordsItsPrecisionAndSavesFloat32Weights(TrainingPrecision precision)
    {
        using var work = new TempDirectory();
        var data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 120, testCount: 40);
        var name = precision.ToString().ToLowerInvariant();

        var full = MnistExperiment.Run(Options(data, work.Combine("fp32"), TrainingPrecision.Fp32), torch.CPU);
        var half = MnistExperiment.Run(Options(data, work.Combine(name), precision), torch.CPU);

        Assert.Equal(2, half.Epochs.Count);
        Assert.All(half.Epochs, e => Assert.True(double.IsFinite(e.MeanLoss), $"epoch {e.Epoch}: loss {e.MeanLoss}"));
        Assert.InRange(half.TestAccuracy, 0, 1);
        var (fullState, fullTensors) = MnistResumeTests.ReadCheckpoint(work.Combine("fp32", "model.bin"));
        var (halfState, halfTensors) = MnistResumeTests.ReadCheckpoint(work.Combine(name, "model.bin"));
        Assert.Null(fullState.MixedPrecision);
        Assert.Equal(precision, halfState.MixedPrecision!.Precision);
        Assert.Equal(precision == TrainingPrecision.Fp16, halfState.MixedPrecision.LossScale is not null);
        // The same float32 tensors (master weights, optimiser state) in the same layout, but other numbers: the half-precision path ran.
        Assert.Equal(fullTensors.Length, halfTensors.Length);
        Assert.False(fullTensors.AsSpan().SequenceEqual(halfTensors), $"{name}: the weights equal the fp32 run's");
        Assert.DoesNotContain("Precision", File.ReadAllText(work.Combine("fp32", "config.json")));
        Assert.Contains($"\"Precision\": \"{name}\"", File.ReadAllText(work.Combine(name, "config.json")));
        using var metrics = JsonDocument.Parse(File.ReadAllText(half.Metrics));
        Assert.Equal(name, metrics.RootElement.GetProperty("precision").GetString());
        Assert.Equal("fp32", JsonDocument.Parse(File.ReadAllText(full.Metrics)).RootElement.GetProperty("precision").GetString());
    }

    [Fact]
    public void ABf16RunStoppedAfterOneEpochAndResumedEndsWhereAStraightRunEnds()
    {
        using var work = new TempDirectory();
        var data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 120, testCount: 40);

        var straight = MnistExperiment.Run(Options(data, work.Combine("straight"), TrainingPrecision.Bf16), torch.CPU);
        using (var cancel = new CancellationTokenSource())
        {
            var first = MnistExperiment.Run(Options(data, work.Combine("resumed"), TrainingPrecision.Bf16), torch.CPU,
                new StopAfterEpoch(1, cancel), cancellation: cancel.Token);
            Assert.True(first.Interrupted);
        }
        var error = Assert.Throws<MarginFaceException>(() =>
            MnistExperiment.Run(Options(data, work.Combine("resumed"), TrainingPrecision.Fp32), torch.CPU, resume: true));
        Assert.Contains("different configuration", error.Message);
        var resumed = MnistExperiment.Run(Options(data, work.Combine("resumed"), TrainingPrecision.Bf16), torch.CPU, resume: true);

        Assert.Equal(straight.Epochs.Select(e => e.MeanLoss), resumed.Epochs.Select(e => e.MeanLoss));
        Assert.Equal(straight.TestAccuracy, resumed.TestAccuracy);
        var (_, expected) = MnistResumeTests.ReadCheckpoint(work.Combine("straight", "model.bin"));
        var (_, actual) = MnistResumeTests.ReadCheckpoint(work.Combine("resumed", "model.bin"));
        Assert.True(expected.AsSpan().SequenceEqual(actual), "bf16: weights and optimiser state differ after resume");
    }

    /// <summary>
    /// clsnet (1 → 32 → 64 channels) and LeNet++ (1 → 32 → … → 128) have no dense convolution under
    /// <see cref="MixedPrecision.MinimumCpuChannels"/> channels after the first, so the CPU rule takes them in both precisions.
    /// </summary>
    [Theory]
    [InlineData("clsnet", false)]
    [InlineData("clsnet", true)]
    [InlineData("lenetpp", false)]
    [InlineData("lenetpp", true)]
    public void EveryFeatureNetworkPassesTheCpuChannelRule(string network, bool featureBatchNorm)
    {
        foreach (var precision in new[] { TrainingPrecision.Bf16, TrainingPrecision.Fp16 })
        {
            using var master = FeatureNetworkFactory.Create(network, 2, featureBatchNorm);
            using var mixed = new MixedPrecision(master, () => FeatureNetworkFactory.Create(network, 2, featureBatchNorm), precision, torch.CPU);
            Assert.Contains(mixed.WorkingParameters, p => p.dtype == mixed.ComputeType);
            using var images = torch.randn(4, 1, 28, 28);
            using var features = mixed.Forward(images);
            Assert.Equal(ScalarType.Float32, features.dtype);
            Assert.Equal(new long[] { 4, 2 }, features.shape);
        }
    }
}
