using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Losses;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

[Collection(SequentialTorchCollection.Name)]
public class MixedPrecisionTests : TorchTest
{
    private const int Classes = 3;
    private const int Embedding = 8;

    /// <summary>Conv, batch norm, PReLU, linear and a feature batch norm: every kind of layer the face backbones have.</summary>
    private static nn.Module<Tensor, Tensor> Tiny() => nn.Sequential(
        ("conv", nn.Conv2d(3, 16, 3, padding: 1)), ("bn", nn.BatchNorm2d(16)), ("act", nn.PReLU(16)),
        ("flatten", nn.Flatten()), ("fc", nn.Linear(16 * 6 * 6, Embedding)), ("features", nn.BatchNorm1d(Embedding)));

    private static (Tensor X, Tensor Y) Data(int count = 48)
    {
        using var generator = new Generator(5);
        var y = arange(count, dtype: int64) % Classes;
        var prototypes = randn(Classes, 3, 6, 6, generator: generator);
        var x = prototypes.index_select(0, y) + randn(count, 3, 6, 6, generator: generator) * 0.5;
        return (x, y);
    }

    private static nn.Module<Tensor, Tensor> CopyOf(nn.Module<Tensor, Tensor> source)
    {
        var copy = Tiny();
        using (no_grad())
        {
            var target = copy.state_dict();
            foreach (var (name, tensor) in source.state_dict()) target[name].copy_(tensor);
        }
        return copy;
    }

    private static double RelativeDifference(Tensor actual, Tensor expected) =>
        (actual.to(float64) - expected.to(float64)).norm().item<double>() / expected.to(float64).norm().item<double>();

    [Fact]
    public void ABf16StepAgreesWithAFp32StepAndKeepsHeadLossStatisticsAndMasterWeightsInFloat32()
    {
        manual_seed(3);
        var (x, y) = Data(16);
        var reference = Tiny();
        var master = CopyOf(reference);
        var head = new ArcFaceHead(Embedding, Classes, s: 8, m: 0.2);
        var headCopy = new ArcFaceHead(Embedding, Classes, s: 8, m: 0.2);
        using (no_grad()) headCopy.Weight.copy_(head.Weight);
        using var mixed = new MixedPrecision(master, Tiny, TrainingPrecision.Bf16, CPU);

        var expectedLoss = nn.functional.cross_entropy(head.forward(reference.forward(x), y), y);
        expectedLoss.backward();
        var embeddings = mixed.Forward(x);
        var logits = headCopy.forward(embeddings, y);
        var loss = nn.functional.cross_entropy(logits, y);
        mixed.Backward(loss);

        Assert.Equal(ScalarType.Float32, embeddings.dtype);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        Assert.Equal(ScalarType.Float32, headCopy.Weight.grad!.dtype);
        // The working copy computes in bf16 except batch norm; the master stays float32, its gradients too.
        foreach (var (name, p) in master.named_parameters()) Assert.True(p.dtype == ScalarType.Float32 && p.grad!.dtype == ScalarType.Float32, name);
        Assert.Equal(["BFloat16", "BFloat16", "Float32", "Float32", "BFloat16", "BFloat16", "BFloat16", "Float32", "Float32"],
            mixed.WorkingParameters.Select(p => p.dtype.ToString()));
        Assert.All(mixed.WorkingParameters, p => Assert.Null(p.grad));

        // bf16 keeps 8 significant bits (relative rounding 2^-9 ≈ 0.002 per operation): a step agrees to a few per cent.
        Assert.InRange(Math.Abs(loss.item<float>() - expectedLoss.item<float>()) / expectedLoss.item<float>(), 0, 0.01);
        // Measured over the whole gradient: a conv bias before batch norm has a zero gradient in exact arithmetic, so its own
        // relative error is rounding over rounding.
        var gradient = cat(master.parameters().Select(p => p.grad!.flatten()).ToArray());
        var expectedGradient = cat(reference.parameters().Select(p => p.grad!.flatten()).ToArray());
        Assert.True(RelativeDifference(gradient, expectedGradient) < 0.05, $"the backbone's gradient differs by {RelativeDifference(gradient, expectedGradient):0.0000}");
        Assert.True(RelativeDifference(headCopy.Weight.grad, head.Weight.grad!) < 0.05);
        // The running statistics land in the master, float32, as the float32 forward leaves them.
        var expectedBuffers = reference.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, buffer) in master.named_buffers())
        {
            if (buffer.dtype == ScalarType.Int64) { Assert.Equal(1, buffer.item<long>()); continue; }
            Assert.Equal(ScalarType.Float32, buffer.dtype);
            Assert.True(RelativeDifference(buffer, expectedBuffers[name]) < 0.01, $"{name}: {RelativeDifference(buffer, expectedBuffers[name])}");
        }

        // The update happens on the float32 master: w − η·g in float32, not rounded to bf16.
        using var optimizer = new FlatSgd([new SGD.ParamGroup(master.parameters(), lr: 0.01)], 0.01);
        var before = master.parameters().Select(p => p.detach().clone()).ToArray();
        var gradients = master.parameters().Select(p => p.grad!.clone()).ToArray();
        optimizer.step();
        foreach (var (p, i) in master.parameters().Select((p, i) => (p, i)))
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.True(p.eq(before[i].add(gradients[i], alpha: -0.01)).all().item<bool>());
        }
        Assert.False(master.parameters().All(p => p.eq(p.to(bfloat16).to(float32)).all().item<bool>()), "the master weights were rounded to bf16");
    }

    /// <summary>A Trainer over <see cref="Tiny"/> with SGD (momentum and weight decay) and a bf16 or fp16 working copy.</summary>
    private sealed class Setup : IDisposable
    {
        public Setup(TrainingPrecision precision, Dictionary<string, Tensor> initial, string? checkpoint = null, int epochs = 2, GradientScaler? scaler = null,
            double? clip = null, double momentum = 0.9, double weightDecay = 5e-4, double lr = 0.05)
        {
            Backbone = Tiny();
            Objective = new HeadObjective(new ArcFaceHead(Embedding, Classes, s: 8, m: 0.2));
            using (no_grad())
            {
                foreach (var (name, tensor) in Backbone.state_dict()) tensor.copy_(initial["backbone." + name]);
                foreach (var (name, tensor) in Objective.Head.state_dict()) tensor.copy_(initial["head." + name]);
            }
            Optimizer = new FlatSgd([new SGD.ParamGroup(Backbone.parameters().Concat(Objective.Parameters), lr: lr, momentum: momentum, weight_decay: weightDecay)], lr);
            Precision = precision == TrainingPrecision.Fp32 ? null : new MixedPrecision(Backbone, Tiny, precision, CPU, scaler);
            Trainer = new Trainer(Backbone, Objective, Optimizer, CPU,
                new TrainerOptions { Epochs = epochs, Seed = 3, CheckpointPath = checkpoint, Fingerprint = "test", GradientClipNorm = clip }, precision: Precision);
        }

        public nn.Module<Tensor, Tensor> Backbone { get; }
        public HeadObjective Objective { get; }
        public FlatSgd Optimizer { get; }
        public MixedPrecision? Precision { get; }
        public Trainer Trainer { get; }

        public IReadOnlyList<EpochResult> Fit(Tensor x, Tensor y, int batch = 8, ITrainingCallback? callback = null, CancellationToken cancellation = default) =>
            Trainer.Fit(new TensorBatchSource(x, y, batch, 3), callback, cancellation);

        public Dictionary<string, Tensor> State() =>
            Backbone.state_dict().Select(p => ("backbone." + p.Key, p.Value))
                .Concat(Objective.Head.state_dict().Select(p => ("head." + p.Key, p.Value)))
                .ToDictionary(p => p.Item1, p => p.Item2.detach().clone());

        public void Dispose()
        {
            Precision?.Dispose();
            Optimizer.Dispose();
            Objective.Dispose();
            Backbone.Dispose();
        }
    }

    private static Dictionary<string, Tensor> Initial()
    {
        manual_seed(7);
        using var backbone = Tiny();
        using var head = new ArcFaceHead(Embedding, Classes, s: 8, m: 0.2);
        return backbone.state_dict().Select(p => ("backbone." + p.Key, p.Value)).Concat(head.state_dict().Select(p => ("head." + p.Key, p.Value)))
            .ToDictionary(p => p.Item1, p => p.Item2.detach().clone());
    }

    private sealed class CancelAt(int epoch, int step, CancellationTokenSource source) : ITrainingCallback
    {
        public void OnStep(TrainingProgress progress)
        {
            if (progress.Epoch == epoch && progress.Step == step) source.Cancel();
        }
    }

    [Theory]
    [InlineData(TrainingPrecision.Bf16)]
    [InlineData(TrainingPrecision.Fp16)]
    public void AResumedMixedPrecisionRunEndsBitForBitWhereAStraightRunEnds(TrainingPrecision precision)
    {
        // fp16: a scale of 2^20 overflows the half-precision gradients and a growth interval of 2 brings it back, so the
        // run skips steps, backs off and grows, and the resume must carry the scale and tracker.
        GradientScaler? Scaler() => precision == TrainingPrecision.Fp16 ? new GradientScaler(initScale: Math.Pow(2, 20), growthInterval: 2) : null;
        using var directory = new TempDirectory();
        var (x, y) = Data();
        var initial = Initial();
        using var straight = new Setup(precision, initial, scaler: Scaler());
        var expected = straight.Fit(x, y);

        var checkpoint = directory.Combine("model.bin");
        using (var interrupted = new Setup(precision, initial, checkpoint, scaler: Scaler()))
        {
            using var cancel = new CancellationTokenSource();
            interrupted.Fit(x, y, callback: new CancelAt(2, 3, cancel), cancellation: cancel.Token);
            Assert.True(interrupted.Trainer.Interrupted);
        }
        using var resumed = new Setup(precision, initial, checkpoint, scaler: Scaler());
        resumed.Trainer.Resume(checkpoint);
        var actual = resumed.Fit(x, y);

        Assert.Equal(expected.Select(e => e.MeanLoss), actual.Select(e => e.MeanLoss));
        var a = straight.State();
        var b = resumed.State();
        foreach (var (name, tensor) in a)
        {
            if (tensor.is_floating_point()) Assert.Equal(ScalarType.Float32, tensor.dtype);
            Assert.True(tensor.eq(b[name]).all().item<bool>(), $"{name} differs after resume");
        }
        Assert.False(a["backbone.conv.weight"].eq(initial["backbone.conv.weight"]).all().item<bool>(), "the run did not train");
        if (precision == TrainingPrecision.Fp16)
        {
            Assert.InRange(straight.Precision!.SkippedSteps, 1, 11);
            Assert.Equal((straight.Precision.Scaler!.Scale, straight.Precision.Scaler.GrowthTracker), (resumed.Precision!.Scaler!.Scale, resumed.Precision.Scaler.GrowthTracker));
        }
    }

    [Fact]
    public void AnFp16StepWhoseGradientsOverflowIsSkippedAndTheScaleBacksOff()
    {
        var (x, y) = Data(8);
        var initial = Initial();
        using var setup = new Setup(TrainingPrecision.Fp16, initial, epochs: 1, scaler: new GradientScaler(initScale: Math.Pow(2, 60)));
        setup.Fit(x, y);
        Assert.Equal(1, setup.Precision!.SkippedSteps);
        Assert.Equal(MathF.Pow(2, 59), setup.Precision.Scaler!.Scale);
        foreach (var (name, tensor) in setup.State())
            if (!name.EndsWith("running_mean", StringComparison.Ordinal) && !name.EndsWith("running_var", StringComparison.Ordinal) && !name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                Assert.True(tensor.eq(initial[name]).all().item<bool>(), $"{name} changed in a skipped step");
    }

    [Fact]
    public void ClippingActsOnUnscaledGradients()
    {
        // One plain SGD step with learning rate 1: every parameter moves by −g·c/‖g‖, a step of norm c exactly when the
        // clipping saw the unscaled ‖g‖ (it would be c/S had it clipped the scaled gradients and unscaled them after).
        const double clip = 1e-3;
        var (x, y) = Data(8);
        var initial = Initial();
        using var setup = new Setup(TrainingPrecision.Fp16, initial, epochs: 1, scaler: new GradientScaler(initScale: 1024), clip: clip, momentum: 0, weightDecay: 0, lr: 1);
        setup.Fit(x, y);
        Assert.Equal(0, setup.Precision!.SkippedSteps);
        var state = setup.State();
        var moved = Math.Sqrt(setup.Backbone.named_parameters().Select(p => "backbone." + p.name).Concat(setup.Objective.Head.named_parameters().Select(p => "head." + p.name))
            .Sum(name => (state[name].to(float64) - initial[name].to(float64)).pow(2).sum().item<double>()));
        Assert.InRange(moved, clip * 0.99, clip * 1.01);
    }

    [Fact]
    public void ResumeRefusesACheckpointOfAnotherPrecision()
    {
        using var directory = new TempDirectory();
        var (x, y) = Data(8);
        var initial = Initial();
        var checkpoint = directory.Combine("model.bin");
        using (var bf16 = new Setup(TrainingPrecision.Bf16, initial, checkpoint, epochs: 1)) bf16.Fit(x, y);
        using var fp32 = new Setup(TrainingPrecision.Fp32, initial, checkpoint, epochs: 1);
        var error = Assert.Throws<MarginFaceException>(() => fp32.Trainer.Resume(checkpoint));
        Assert.Equal($"{checkpoint}: checkpoint was trained in bf16, this run is fp32; resume with the same precision", error.Message);
    }

    [Fact]
    public void OnTheCpuAConvolutionWithFewChannelsIsRefused()
    {
        static nn.Module<Tensor, Tensor> Narrow() => nn.Sequential(("stem", nn.Conv2d(3, 16, 3)), ("narrow", nn.Conv2d(16, 8, 3)));
        static nn.Module<Tensor, Tensor> NarrowInput() => nn.Sequential(("stem", nn.Conv2d(3, 16, 3)), ("pointwise", nn.Conv2d(16, 8, 1)), ("wide", nn.Conv2d(8, 16, 3)));
        static nn.Module<Tensor, Tensor> Fine() => nn.Sequential(("stem", nn.Conv2d(3, 16, 3)), ("pointwise", nn.Conv2d(16, 8, 1)), ("depthwise", nn.Conv2d(8, 8, 3, groups: 8)));
        using var narrow = Narrow();
        Assert.Contains("convolution narrow (16 → 8 channels)", Assert.Throws<ArgumentException>(() => new MixedPrecision(narrow, Narrow, TrainingPrecision.Bf16, CPU)).Message);
        using var narrowInput = NarrowInput();
        Assert.Contains("convolution wide (8 → 16 channels)", Assert.Throws<ArgumentException>(() => new MixedPrecision(narrowInput, NarrowInput, TrainingPrecision.Fp16, CPU)).Message);
        using var fine = Fine();
        using var mixed = new MixedPrecision(fine, Fine, TrainingPrecision.Bf16, CPU);
    }

    [Fact]
    public void TheMasterMustBeFloat32AndThePrecisionHalf()
    {
        using var master = Tiny();
        Assert.Throws<ArgumentException>(() => new MixedPrecision(master, Tiny, TrainingPrecision.Fp32, CPU));
        Assert.Throws<ArgumentException>(() => new MixedPrecision(master, Tiny, TrainingPrecision.Bf16, CPU, new GradientScaler()));
        master.to(float64);
        Assert.Throws<ArgumentException>(() => new MixedPrecision(master, Tiny, TrainingPrecision.Bf16, CPU));
    }
}
