using System.Text.Json;
using System.Text;
using TorchSharp;
using MarginFace.Mnist;
using MarginFace.Training;

namespace MarginFace.Tests.Mnist;

[Collection(SequentialTorchCollection.Name)]
public class MnistResumeTests : TorchTest
{
    public static TheoryData<string> Losses => new(LossRegistry.Names);

    /// <summary>Cancels the run when epoch <paramref name="epoch"/> ends, so the trainer saves and stops before the next step.</summary>
    private sealed class StopAfterEpoch(int epoch, CancellationTokenSource source) : ITrainingCallback
    {
        public void OnEpochEnd(EpochResult result)
        {
            if (result.Epoch == epoch) source.Cancel();
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void OneEpochThenResumeEndsWithTheSameWeightsAndMetricsAsTwoStraightEpochs(string loss)
    {
        using var work = new TempDirectory();
        var data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 120, testCount: 40);
        MnistExperimentOptions Options(string output) => new()
        {
            Loss = loss, DataDirectory = data, OutputDirectory = work.Combine(output), Epochs = 2, BatchSize = 30, Seed = 4,
        };

        var straight = MnistExperiment.Run(Options("straight"), torch.CPU);

        using (var cancel = new CancellationTokenSource())
        {
            var first = MnistExperiment.Run(Options("resumed"), torch.CPU, new StopAfterEpoch(1, cancel), cancellation: cancel.Token);
            Assert.True(first.Interrupted);
            Assert.Single(first.Epochs);
        }
        var resumed = MnistExperiment.Run(Options("resumed"), torch.CPU, resume: true);

        Assert.False(resumed.Interrupted);
        Assert.Equal(Summary(straight.Epochs), Summary(resumed.Epochs));
        Assert.Equal(straight.TestAccuracy, resumed.TestAccuracy);
        var (expectedState, expectedTensors) = ReadCheckpoint(work.Combine("straight", "model.bin"));
        var (actualState, actualTensors) = ReadCheckpoint(work.Combine("resumed", "model.bin"));
        Assert.Equal(expectedState.ObjectiveState ?? new Dictionary<string, double>(), actualState.ObjectiveState ?? new Dictionary<string, double>());
        Assert.True(expectedTensors.AsSpan().SequenceEqual(actualTensors), $"{loss}: weights and optimiser state differ after resume");
    }

    [Fact]
    public void SphereFaceAndAdaCosCarryTheirStateThroughTheCheckpoint()
    {
        using var work = new TempDirectory();
        var data = SyntheticMnist.WriteSeparable(work.Combine("data"), trainCount: 200, testCount: 60);
        foreach (var (loss, key) in new[] { ("sphereface", "iteration"), ("adacos", "s") })
        {
            var options = new MnistExperimentOptions
            {
                Loss = loss, DataDirectory = data, OutputDirectory = work.Combine(loss), Epochs = 1, BatchSize = 40, FeatureDim = 8,
                LossParameters = loss == "adacos" ? new() { ["dynamic"] = 1 } : new(),
            };
            MnistExperiment.Run(options, torch.CPU);
            var (state, _) = ReadCheckpoint(work.Combine(loss, "model.bin"));
            var value = Assert.Contains(key, state.ObjectiveState!);
            if (loss == "sphereface") Assert.Equal(5, value);
            else Assert.NotEqual(AdaCosFixedScale, value);
        }
    }

    private static readonly double AdaCosFixedScale = MarginFace.Losses.AdaCosHead.FixedScale(10);

    private static List<(int, double, double, long)> Summary(IEnumerable<EpochResult> epochs) =>
        epochs.Select(e => (e.Epoch, e.MeanLoss, e.TrainAccuracy, e.Samples)).ToList();

    /// <summary>The state JSON of a checkpoint, and every byte after it (module tensors and optimiser state).</summary>
    internal static (TrainingCheckpointState State, byte[] Tensors) ReadCheckpoint(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        reader.ReadString();
        reader.ReadInt32();
        var state = JsonSerializer.Deserialize<TrainingCheckpointState>(reader.ReadString(),
            new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals })!;
        using var rest = new MemoryStream();
        stream.CopyTo(rest);
        return (state, rest.ToArray());
    }
}
