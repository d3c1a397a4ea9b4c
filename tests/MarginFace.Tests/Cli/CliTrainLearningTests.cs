using Xunit.Abstractions;
using MarginFace.Evaluation;
using MarginFace.FaceModels;

namespace MarginFace.Tests.Cli;

/// <summary>
/// <c>marginface train</c> learns: on <see cref="SyntheticIdentities"/> (10 identities told apart only by their layout, 16
/// training images each, 100 + 100 validation pairs of held-out images), a few epochs lift the training accuracy and the
/// validation-pair accuracy far above chance, while the same run on labels dealt at random, or with a learning rate too small
/// to move a float32 weight, stays near chance. The backbone is <c>clsnet</c> (28×28 grey, the MNIST network, through the
/// same face-training path as every backbone): the face backbones learn this too (mobilefacenet64: 98.5 % after 6 epochs) but
/// cost some 20 times more per image on CPU. Each run is its own process on one thread, so the class runs beside the others.
/// </summary>
public class CliTrainLearningTests(ITestOutputHelper output) : TorchTest
{
    private const double Chance = 0.5;

    private static readonly string[] Recipe =
        ["--backbone", "clsnet", "--embedding", "32", "--epochs", "8", "--batch", "20", "--no-flip", "--seed", "1", "--threads", "1"];

    private static readonly string[] ArcFace = ["--loss", "arcface", "--s", "16", "--m", "0.2"];

    private (IReadOnlyList<(int Epoch, double Loss, double TrainAccuracy, double ValidationAccuracy)> Epochs, string Stdout) Train(
        SyntheticIdentities.Layout data, string run, params string[] options)
    {
        var (exitCode, stdout, stderr) = CliProcess.Run(["train", "--data", data.Train, "--val-pairs", data.ValidationPairs,
            "--val-images", data.ValidationImages, "--out", run, .. Recipe, .. options]);
        Assert.True(exitCode == 0, stderr);
        var epochs = SyntheticIdentities.ReadMetrics(Path.Combine(run, "metrics.json"));
        foreach (var e in epochs)
            output.WriteLine($"epoch {e.Epoch}: loss {e.Loss:0.000}, train accuracy {SyntheticIdentities.Format(e.TrainAccuracy)}, validation accuracy {SyntheticIdentities.Format(e.ValidationAccuracy)}");
        return (epochs, stdout);
    }

    [Fact]
    public void TrainingLiftsTrainAndValidationPairAccuracyFarAboveChanceAndKeepsTheBestEpochsModel()
    {
        using var work = new TempDirectory();
        var data = SyntheticIdentities.Write(work.Combine("data"));
        var run = work.Combine("run");
        var (epochs, stdout) = Train(data, run, ArcFace);

        Assert.Equal(8, epochs.Count);
        Assert.All(epochs, e => Assert.False(double.IsNaN(e.ValidationAccuracy), $"epoch {e.Epoch} has no validationAccuracy in metrics.json"));
        var last = epochs[^1];
        Assert.True(last.TrainAccuracy >= 0.9, $"train accuracy {last.TrainAccuracy} (chance {1.0 / data.Identities})");
        Assert.True(last.ValidationAccuracy >= 0.9, $"validation-pair accuracy {last.ValidationAccuracy} (chance {Chance})");
        Assert.True(last.Loss < epochs[0].Loss / 4, $"loss {epochs[0].Loss} → {last.Loss}");

        // best.model is the model of the epoch with the best validation accuracy: scored again here, it gives that accuracy.
        var best = epochs.MaxBy(e => e.ValidationAccuracy);
        Assert.Contains($"best validation accuracy {best.ValidationAccuracy:P2}", stdout);
        using var model = FaceModelFile.Load(Path.Combine(run, "best.model"));
        var pairs = LfwPairs.Read(data.ValidationPairs);
        var scores = CosineScores.ForPairs(pairs, new FaceModelFolderEmbeddings(data.ValidationImages, model));
        var rescored = VerificationProtocol.BestThresholdAccuracy(scores, pairs.SameLabels());
        Assert.Equal(best.ValidationAccuracy, rescored.Accuracy, 6);
        Assert.Equal(rescored.Threshold, model.Info.VerificationThreshold!.Value, 4);
    }

    /// <summary>
    /// Chance is 0.5; an untrained network scores these pairs at about 0.7 (random features see where the bright cells are), so
    /// "near chance" means no better than that: far below the 0.9 the same run reaches on the true labels.
    /// </summary>
    [Fact]
    public void TheSameRunOnShuffledLabelsDoesNotGeneraliseToHeldOutPairs()
    {
        using var work = new TempDirectory();
        var data = SyntheticIdentities.Write(work.Combine("data"), shuffleLabels: true);
        var (epochs, _) = Train(data, work.Combine("run"), ArcFace);

        var last = epochs[^1];
        Assert.True(last.TrainAccuracy < 0.35, $"train accuracy {last.TrainAccuracy} on labels that say nothing");
        Assert.True(epochs.Max(e => e.ValidationAccuracy) < 0.8, $"validation-pair accuracy reached {epochs.Max(e => e.ValidationAccuracy)} (chance {Chance})");
    }

    [Fact]
    public void ARunWhoseOptimiserCannotMoveTheWeightsDoesNotLearn()
    {
        // --lr must be positive; 1e-30 times any gradient here is far below half a float32 ulp of every weight, so no weight
        // moves. Only BatchNorm's running statistics change, which moves the untrained network's pair accuracy by a few points
        // (0.65 to 0.70 here; random features see where the bright cells are): not learning, and far below the run that learns.
        using var work = new TempDirectory();
        var data = SyntheticIdentities.Write(work.Combine("data"));
        var (epochs, _) = Train(data, work.Combine("run"), [.. ArcFace, "--lr", "1e-30"]);

        Assert.All(epochs, e => Assert.True(e.TrainAccuracy < 0.2, $"epoch {e.Epoch}: train accuracy {e.TrainAccuracy} (chance {1.0 / data.Identities})"));
        Assert.True(epochs[^1].Loss > 0.9 * epochs[0].Loss, $"loss {epochs[0].Loss} → {epochs[^1].Loss}");
        Assert.True(epochs.Max(e => e.ValidationAccuracy) < 0.85, $"validation-pair accuracy reached {epochs.Max(e => e.ValidationAccuracy)} (chance {Chance})");
    }

    [Theory]
    [InlineData("triplet")]
    [InlineData("contrastive")]
    public void PairAndTripletLossesWithPkBatchesLiftValidationPairAccuracyFarAboveChance(string loss)
    {
        using var work = new TempDirectory();
        var data = SyntheticIdentities.Write(work.Combine("data"));
        var (epochs, stdout) = Train(data, work.Combine("run"), "--loss", loss, "--pk", "5,4", "--lr", "0.01");

        Assert.Contains("batch: 20 (P×K 5,4)", stdout);
        Assert.All(epochs, e => Assert.True(double.IsNaN(e.TrainAccuracy), $"{loss} has no logits, so no train accuracy"));
        Assert.True(epochs[^1].ValidationAccuracy >= 0.9, $"validation-pair accuracy {epochs[^1].ValidationAccuracy} (chance {Chance})");
        Assert.True(epochs[^1].Loss < epochs[0].Loss / 2, $"loss {epochs[0].Loss} → {epochs[^1].Loss}");
    }
}
