using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Data;
using MarginFace.Losses;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

[Collection(SequentialTorchCollection.Name)]
public class TrainerTests : TorchTest
{
    private const int Features = 6;
    private const int Classes = 3;

    private sealed class Setup : IDisposable
    {
        public Setup(Dictionary<string, Tensor>? initial = null, double lr = 0.05, string? checkpoint = null, int epochs = 2, string fingerprint = "test", bool softmax = false,
            IBatchAugmentation? augmentation = null)
        {
            Backbone = nn.Linear(Features, 2);
            Objective = new HeadObjective(softmax ? new SoftmaxHead(2, Classes) : new ArcFaceHead(2, Classes, s: 8, m: 0.2));
            if (initial is not null)
            {
                Backbone.load_state_dict(Slice(initial, "backbone."));
                Objective.Head.load_state_dict(Slice(initial, "head."));
            }
            Optimizer = optim.Adam(Backbone.parameters().Concat(Objective.Parameters), lr: lr);
            Trainer = new Trainer(Backbone, Objective, Optimizer, CPU,
                new TrainerOptions { Epochs = epochs, Seed = 3, CheckpointPath = checkpoint, Fingerprint = fingerprint });
            Augmentation = augmentation;
        }

        public Linear Backbone { get; }
        public HeadObjective Objective { get; }
        public Adam Optimizer { get; }
        public Trainer Trainer { get; }
        public IBatchAugmentation? Augmentation { get; }

        public IReadOnlyList<EpochResult> Fit(Tensor x, Tensor y, ITrainingCallback? callback = null, CancellationToken cancellation = default) =>
            Trainer.Fit(new TensorBatchSource(x, y, 16, 3, Augmentation), callback, cancellation);

        public Dictionary<string, Tensor> State() =>
            Backbone.state_dict().Select(p => ("backbone." + p.Key, p.Value))
                .Concat(Objective.Head.state_dict().Select(p => ("head." + p.Key, p.Value)))
                .ToDictionary(p => p.Item1, p => p.Item2.detach().clone());

        private static Dictionary<string, Tensor> Slice(Dictionary<string, Tensor> all, string prefix) =>
            all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);

        public void Dispose()
        {
            Optimizer.Dispose();
            Objective.Dispose();
            Backbone.Dispose();
        }
    }

    private static (Tensor X, Tensor Y) Data()
    {
        using var generator = new Generator(11);
        var y = torch.arange(100, dtype: int64) % Classes;
        var centres = torch.randn(Classes, Features, generator: generator) * 3;
        var x = centres.index_select(0, y) + torch.randn(100, Features, generator: generator);
        return (x, y);
    }

    private sealed class CancelAt(int epoch, int step, CancellationTokenSource source) : ITrainingCallback
    {
        public void OnStep(TrainingProgress progress)
        {
            if (progress.Epoch == epoch && progress.Step == step) source.Cancel();
        }
    }

    /// <summary>Adds generator noise: any shape, and every draw changes the numbers.</summary>
    private sealed class NoiseAugmentation : IBatchAugmentation
    {
        public Tensor Apply(Tensor images, Generator generator) => images + torch.randn(images.shape, generator: generator) * 0.3;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResumedRunEndsWithTheSameNumbersAsAnUninterruptedRun(bool augmented)
    {
        IBatchAugmentation? augmentation = augmented ? new NoiseAugmentation() : null;
        using var directory = new TempDirectory();
        var (x, y) = Data();
        Dictionary<string, Tensor> initial;
        using (var seedModel = new Setup()) initial = seedModel.State();

        using var uninterrupted = new Setup(initial, augmentation: augmentation);
        var expected = uninterrupted.Fit(x, y);

        var checkpoint = directory.Combine("model.bin");
        using (var interrupted = new Setup(initial, checkpoint: checkpoint, augmentation: augmentation))
        {
            using var cancel = new CancellationTokenSource();
            interrupted.Fit(x, y, new CancelAt(1, 3, cancel), cancel.Token);
            Assert.True(interrupted.Trainer.Interrupted);
            Assert.Empty(interrupted.Trainer.History);
        }
        using var resumed = new Setup(checkpoint: checkpoint, augmentation: augmentation);
        resumed.Trainer.Resume(checkpoint);
        var actual = resumed.Fit(x, y);

        Assert.Equal(expected.Select(e => e.MeanLoss), actual.Select(e => e.MeanLoss));
        Assert.Equal(expected.Select(e => e.TrainAccuracy), actual.Select(e => e.TrainAccuracy));
        var a = uninterrupted.State();
        var b = resumed.State();
        foreach (var (name, tensor) in a) Assert.True(tensor.eq(b[name]).all().item<bool>(), $"{name} differs after resume");
    }

    [Fact]
    public void AugmentationChangesWhatTheModelSees()
    {
        var (x, y) = Data();
        Dictionary<string, Tensor> initial;
        using (var seedModel = new Setup()) initial = seedModel.State();
        using var plain = new Setup(initial);
        using var augmented = new Setup(initial, augmentation: new NoiseAugmentation());
        Assert.NotEqual(plain.Fit(x, y)[0].MeanLoss, augmented.Fit(x, y)[0].MeanLoss);
    }

    [Fact]
    public void TrainingAccuracyIsTheArgmaxOfCosineNotOfTheMarginLogits()
    {
        // Three unit features on their own class directions: cos θ_y = 1 > cos θ_j = −0.5, so every prediction is right,
        // while ArcFace with m = 2.5 puts the target logit at cos(2.5) ≈ −0.8, below the others.
        var angles = new[] { 0.0, 2 * Math.PI / 3, 4 * Math.PI / 3 };
        var directions = torch.tensor(angles.SelectMany(a => new[] { (float)Math.Cos(a), (float)Math.Sin(a) }).ToArray(), [3, 2]);
        var y = torch.arange(48, dtype: int64) % Classes;
        var x = directions.index_select(0, y);
        using var backbone = nn.Identity();
        using var objective = new HeadObjective(new ArcFaceHead(2, Classes, s: 8, m: 2.5));
        using (torch.no_grad()) objective.Head.Weight.copy_(directions);
        using var optimizer = optim.SGD(objective.Parameters, learningRate: 1e-12);
        var trainer = new Trainer(backbone, objective, optimizer, CPU, new TrainerOptions());
        using (torch.no_grad())
            Assert.Equal(0, objective.Head.forward(x, y).argmax(1).eq(y).sum().item<long>());
        Assert.Equal(1.0, trainer.Fit(x, y, 16)[0].TrainAccuracy);
    }

    [Fact]
    public void ResumeRefusesACheckpointOfADifferentConfiguration()
    {
        using var directory = new TempDirectory();
        var (x, y) = Data();
        var checkpoint = directory.Combine("model.bin");
        using (var first = new Setup(checkpoint: checkpoint, epochs: 1, fingerprint: "a")) first.Fit(x, y);
        using var second = new Setup(checkpoint: checkpoint, fingerprint: "b");
        var error = Assert.Throws<MarginFaceException>(() => second.Trainer.Resume(checkpoint));
        Assert.Contains(checkpoint, error.Message);
    }

    [Fact]
    public void HugeLearningRateStopsWithTheStepAndKeepsTheLastGoodCheckpoint()
    {
        using var directory = new TempDirectory();
        var (x, y) = Data();
        var checkpoint = directory.Combine("model.bin");
        using (var good = new Setup(checkpoint: checkpoint, epochs: 1, softmax: true)) good.Fit(x, y);
        var goodBytes = File.ReadAllBytes(checkpoint);

        using var diverging = new Setup(lr: 1e30, checkpoint: checkpoint, epochs: 3, softmax: true);
        var error = Assert.Throws<TrainingDivergedException>(() => diverging.Fit(x, y));

        Assert.Contains("learning rate", error.Message);
        Assert.Contains($"step {error.Step}", error.Message);
        Assert.Equal(goodBytes, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void ACorruptCheckpointGivesAOneLineErrorNamingTheFile()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("model.bin");
        File.WriteAllText(path, "definitely not a checkpoint");
        using var setup = new Setup(checkpoint: path);
        var error = Assert.Throws<MarginFaceException>(() => setup.Trainer.Resume(path));
        Assert.StartsWith(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(LearningRateSchedule.Constant, 1, 10, 1.0)]
    [InlineData(LearningRateSchedule.Cosine, 1, 10, 1.0)]
    [InlineData(LearningRateSchedule.Cosine, 6, 10, 0.5)]
    [InlineData(LearningRateSchedule.Step, 6, 10, 1.0)]
    [InlineData(LearningRateSchedule.Step, 7, 10, 0.1)]
    [InlineData(LearningRateSchedule.Step, 10, 10, 0.01)]
    [InlineData(LearningRateSchedule.Polynomial, 6, 10, 0.25)]
    public void PerEpochScheduleFactorsFollowTheirFormulas(LearningRateSchedule schedule, int epoch, int epochs, double expected)
    {
        var plan = new LearningRatePlan { Schedule = schedule };
        Assert.Equal(expected, plan.Factor(epoch, 0, 7, epochs), 12);
        Assert.Equal(expected, plan.Factor(epoch, 6, 7, epochs), 12);
    }

    [Fact]
    public void PerStepCosineWithWarmupRisesLinearlyThenFollowsTheCurve()
    {
        var plan = new LearningRatePlan { Schedule = LearningRateSchedule.Cosine, PerStep = true, WarmupSteps = 4 };
        // 10 steps per epoch, 2 epochs: global step g (0-based) has progress g/20, and warm-up factor min(1, (g+1)/4).
        Assert.Equal(0.25 * 0.5 * (1 + Math.Cos(0)), plan.Factor(1, 0, 10, 2), 12);
        Assert.Equal(1.0 * 0.5 * (1 + Math.Cos(Math.PI * 5 / 20)), plan.Factor(1, 5, 10, 2), 12);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 15 / 20)), plan.Factor(2, 5, 10, 2), 12);
    }

    [Fact]
    public void StepScheduleUsesGivenMilestonesAndGamma()
    {
        var plan = new LearningRatePlan { Schedule = LearningRateSchedule.Step, Milestones = [3, 5], Gamma = 0.5 };
        Assert.Equal([1.0, 1.0, 0.5, 0.5, 0.25], Enumerable.Range(1, 5).Select(e => plan.Factor(e, 0, 1, 5)));
    }

    [Fact]
    public void PolynomialPerStepReachesZeroAtTheEnd()
    {
        var plan = new LearningRatePlan { Schedule = LearningRateSchedule.Polynomial, PerStep = true, Power = 2 };
        Assert.Equal(Math.Pow(1 - 19 / 20.0, 2), plan.Factor(2, 9, 10, 2), 12);
    }
}
