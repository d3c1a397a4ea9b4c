using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Models;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Benchmarks;

/// <summary>
/// A network, its margin head and SGD (momentum 0.9, weight decay 5e-4) on one synthetic batch (normal images, uniform
/// labels) held on the CPU, trained through the library's <see cref="Trainer"/>: each step copies the batch to the device,
/// runs forward, loss, backward and the optimiser step exactly as a real run does.
/// </summary>
internal sealed class BenchTrainingRun : IDisposable
{
    private readonly Backbone backbone;
    private readonly TrainingObjective objective;
    private readonly OptimizerHelper optimizer;
    private readonly Tensor images;
    private readonly Tensor labels;
    private readonly Device device;
    private readonly MixedPrecision? precision;

    public BenchTrainingRun(TrainBenchmarkCase c, double learningRate, int seed, Device device, TrainingPrecision precision = TrainingPrecision.Fp32)
    {
        this.device = device;
        manual_seed(seed);
        backbone = BackboneFactory.Create(c.Network);
        var spec = backbone.Spec;
        objective = LossRegistry.Create(c.Head, spec.EmbeddingSize, c.Classes, new LossSettings { Parameters = c.HeadParameters });
        backbone.Module.to(device);
        foreach (var module in objective.Modules) module.to(device);
        optimizer = new FlatSgd([
            new SGD.ParamGroup(backbone.Module.parameters(), lr: learningRate, momentum: 0.9, weight_decay: 5e-4),
            new SGD.ParamGroup(objective.Parameters, lr: learningRate, momentum: 0.9, weight_decay: 5e-4)], learningRate);
        images = randn(c.Batch, spec.Channels, spec.InputHeight, spec.InputWidth);
        labels = randint(0, c.Classes, [c.Batch], dtype: ScalarType.Int64);
        if (precision != TrainingPrecision.Fp32)
            this.precision = new MixedPrecision(backbone.Module, () => BackboneFactory.Create(c.Network).Module, precision, device);
    }

    /// <summary>Runs <paramref name="steps"/> training steps (one epoch of a fresh <see cref="Trainer"/>); the callback sees each.</summary>
    public void Fit(int steps, ITrainingCallback? callback, CancellationToken cancellation = default)
    {
        var trainer = new Trainer(backbone.Module, objective, optimizer, device, new TrainerOptions { Epochs = 1 }, precision: precision);
        trainer.Fit(new SyntheticBatchSource(images, labels, steps), callback, cancellation);
    }

    public void Dispose()
    {
        precision?.Dispose();
        optimizer.Dispose();
        objective.Dispose();
        backbone.Dispose();
        images.Dispose();
        labels.Dispose();
    }
}
