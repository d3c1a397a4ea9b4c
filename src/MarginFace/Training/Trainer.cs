using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Trains a backbone (images → embeddings) against a <see cref="TrainingObjective"/> over in-memory tensors, with the
/// hygiene every run needs: a deterministic batch order per epoch, a learning-rate schedule, an atomic checkpoint after
/// every epoch, resume to the same numbers as an uninterrupted run, stop-after-this-step on cancellation (with a
/// checkpoint), and a NaN/Inf guard that stops before the bad step touches the weights and leaves the last good checkpoint.
/// </summary>
public sealed class Trainer
{
    private readonly nn.Module<Tensor, Tensor> backbone;
    private readonly TrainingObjective objective;
    private readonly OptimizerHelper optimizer;
    private readonly Device device;
    private readonly TrainerOptions options;
    private readonly Func<int, IEnumerable<long[]>>? batchOrder;
    private readonly List<EpochResult> history = [];
    private TrainingCheckpointState? resumeFrom;

    /// <param name="backbone">The network whose output is the embedding.</param>
    /// <param name="objective">The loss on top of the embedding.</param>
    /// <param name="optimizer">Optimiser over the backbone's and the objective's parameters.</param>
    /// <param name="device">Where batches are computed.</param>
    /// <param name="options">Epochs, batch size, schedule, seed, checkpoint path.</param>
    /// <param name="batchOrder">Index batches for a 1-based epoch (e.g. P×K sampling); by default a shuffle seeded by (seed, epoch).</param>
    public Trainer(nn.Module<Tensor, Tensor> backbone, TrainingObjective objective, OptimizerHelper optimizer, Device device,
        TrainerOptions options, Func<int, IEnumerable<long[]>>? batchOrder = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1, nameof(options.Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options.BatchSize));
        this.backbone = backbone;
        this.objective = objective;
        this.optimizer = optimizer;
        this.device = device;
        this.options = options;
        this.batchOrder = batchOrder;
    }

    /// <summary>Finished epochs, including those restored from a checkpoint.</summary>
    public IReadOnlyList<EpochResult> History => history;

    /// <summary>True when the last <see cref="Fit"/> stopped early because of cancellation.</summary>
    public bool Interrupted { get; private set; }

    private IEnumerable<nn.Module> CheckpointModules => objective.Modules.Prepend(backbone);

    private IEnumerable<OptimizerHelper> CheckpointOptimizers => objective.OwnOptimizers.Prepend(optimizer);

    /// <summary>Restores weights, optimiser state and progress from <paramref name="path"/>; <see cref="Fit"/> then continues from there.</summary>
    public void Resume(string path)
    {
        var state = Checkpoint.ReadState(path);
        if (state.Fingerprint != options.Fingerprint)
            throw new MarginFaceException($"{path}: checkpoint was written by a run with a different configuration; resume with the same settings (see config.json next to it)");
        resumeFrom = Checkpoint.Load(path, CheckpointModules, CheckpointOptimizers);
        history.Clear();
        history.AddRange(resumeFrom.History);
    }

    /// <summary>Trains until <see cref="TrainerOptions.Epochs"/> are done or <paramref name="cancellation"/> fires.</summary>
    public IReadOnlyList<EpochResult> Fit(Tensor images, Tensor labels, ITrainingCallback? callback = null, CancellationToken cancellation = default)
    {
        Interrupted = false;
        var start = resumeFrom ?? new TrainingCheckpointState(options.Fingerprint, history.Count + 1, 0, 0, 0, 0, 0, history.ToList());
        resumeFrom = null;
        for (int epoch = start.Epoch; epoch <= options.Epochs; epoch++)
        {
            var carried = epoch == start.Epoch ? start : null;
            var result = RunEpoch(images, labels, epoch, carried, callback, cancellation);
            if (result is null)
            {
                Interrupted = true;
                return history;
            }
            history.Add(result);
            SaveCheckpoint(new TrainingCheckpointState(options.Fingerprint, epoch + 1, 0, 0, 0, 0, 0, history.ToList()), callback);
            callback?.OnEpochEnd(result);
        }
        return history;
    }

    /// <summary>One epoch; null when cancelled (after saving a mid-epoch checkpoint).</summary>
    private EpochResult? RunEpoch(Tensor images, Tensor labels, int epoch, TrainingCheckpointState? carried, ITrainingCallback? callback, CancellationToken cancellation)
    {
        backbone.train();
        objective.Train(true);
        objective.BeginEpoch(epoch, options.Epochs);
        var factor = LearningRateSchedules.Factor(options.Schedule, epoch, options.Epochs);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = group.InitialLearningRate * factor;

        var batches = (batchOrder ?? DefaultOrder(images.shape[0]))(epoch).ToList();
        int step = carried?.Step ?? 0;
        double lossSum = carried?.LossSum ?? 0;
        long correct = carried?.Correct ?? 0, seen = carried?.Seen ?? 0;
        var classifies = true;
        var previous = TimeSpan.FromSeconds(carried?.ElapsedSeconds ?? 0);
        var clock = Stopwatch.StartNew();
        for (; step < batches.Count; step++)
        {
            if (cancellation.IsCancellationRequested)
            {
                SaveCheckpoint(new TrainingCheckpointState(options.Fingerprint, epoch, step, lossSum, correct, seen, (previous + clock.Elapsed).TotalSeconds, history.ToList()), callback);
                return null;
            }
            using var scope = torch.NewDisposeScope();
            using var index = torch.tensor(batches[step]);
            var x = images.index_select(0, index).to(device);
            if (options.Augmentation is { } augmentation)
            {
                using var generator = new Generator(StepSeed(options.Seed, epoch, step + 1));
                x = augmentation.Apply(x, generator);
            }
            var y = labels.index_select(0, index).to(device);
            objective.BeginStep(epoch, step + 1);
            var embeddings = backbone.forward(x);
            var loss = objective.Compute(embeddings, y);
            using (torch.no_grad())
            {
                var scores = objective.Scores(embeddings.detach());
                if (scores is not null) correct += scores.argmax(1).eq(y).sum().item<long>();
                else classifies = false;
            }
            var lossValue = loss.to(float64).item<double>();
            if (!double.IsFinite(lossValue)) throw new TrainingDivergedException(epoch, step + 1, lossValue);
            optimizer.zero_grad();
            objective.BeforeBackward();
            loss.backward();
            if (options.GradientClipNorm is double maxNorm)
                nn.utils.clip_grad_norm_(backbone.parameters().Concat(objective.Parameters), maxNorm);
            optimizer.step();
            objective.AfterStep();
            lossSum += lossValue;
            seen += batches[step].Length;
            callback?.OnStep(new TrainingProgress(epoch, options.Epochs, step + 1, batches.Count, seen, lossValue, previous + clock.Elapsed));
        }
        return new EpochResult(epoch, step == 0 ? double.NaN : lossSum / step, seen == 0 || !classifies ? double.NaN : (double)correct / seen, seen, previous + clock.Elapsed);
    }

    private Func<int, IEnumerable<long[]>> DefaultOrder(long count) => epoch =>
    {
        using var generator = new Generator((ulong)(options.Seed * 100_003L + epoch));
        using var permutation = torch.randperm(count, generator: generator);
        var order = permutation.data<long>().ToArray();
        return order.Chunk(options.BatchSize);
    };

    private static ulong StepSeed(int seed, int epoch, int step) =>
        unchecked((ulong)(seed * 1_000_003L + epoch * 100_003L + step) ^ 0x9E3779B97F4A7C15UL);

    private void SaveCheckpoint(TrainingCheckpointState state, ITrainingCallback? callback)
    {
        if (options.CheckpointPath is null) return;
        Checkpoint.Save(options.CheckpointPath, state, CheckpointModules, CheckpointOptimizers);
        callback?.OnCheckpoint(options.CheckpointPath);
    }
}
