using System.Diagnostics;
using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Distributed;
using MarginFace.Runtime;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Trains a backbone (images → embeddings) against a <see cref="TrainingObjective"/> over batches from an
/// <see cref="IBatchSource"/>, with the hygiene every run needs: a learning-rate plan applied every step, an atomic
/// checkpoint after every epoch (and every <see cref="TrainerOptions.SaveEverySteps"/> steps), resume to the same numbers
/// as an uninterrupted run (weights, optimiser state, the objective's extra state, progress), stop-after-this-step on
/// cancellation (with a checkpoint), and a NaN/Inf guard that stops before the bad step touches the weights.
/// </summary>
public sealed class Trainer
{
    private readonly nn.Module<Tensor, Tensor> backbone;
    private readonly TrainingObjective objective;
    private readonly OptimizerHelper optimizer;
    private readonly Device device;
    private readonly TrainerOptions options;
    private readonly DataParallelBackbone? parallel;
    private readonly MixedPrecision? precision;
    private readonly DistributedDataParallel? distributed;
    private readonly List<EpochResult> history = [];
    private TrainingCheckpointState? resumeFrom;

    /// <param name="backbone">The network whose output is the embedding.</param>
    /// <param name="objective">The loss on top of the embedding.</param>
    /// <param name="optimizer">Optimiser over the backbone's and the objective's parameters.</param>
    /// <param name="device">Where batches are computed.</param>
    /// <param name="options">Epochs, learning-rate plan, checkpoint path.</param>
    /// <param name="parallel">
    /// Replicas of <paramref name="backbone"/> (its <see cref="DataParallelBackbone.Master"/>) that split each batch across
    /// devices, the first being <paramref name="device"/>; null: the backbone alone on <paramref name="device"/>.
    /// </param>
    /// <param name="precision">A bf16 or fp16 working copy of <paramref name="backbone"/> that computes its forward and backward; null: float32.</param>
    /// <param name="distributed">
    /// The ranks of a multi-process run, each training on its part of every batch (the source gives this rank's part); rank 0
    /// alone writes checkpoints. Null: one process.
    /// </param>
    public Trainer(nn.Module<Tensor, Tensor> backbone, TrainingObjective objective, OptimizerHelper optimizer, Device device, TrainerOptions options,
        DataParallelBackbone? parallel = null, MixedPrecision? precision = null, DistributedDataParallel? distributed = null)
    {
        this.distributed = distributed;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1, nameof(options.Epochs));
        options.LearningRate.Validate();
        if (parallel is not null && (!ReferenceEquals(parallel.Master, backbone) || parallel.Devices[0].type != device.type || parallel.Devices[0].index != device.index))
            throw new ArgumentException("the data-parallel replicas must have this backbone as master and this device first.", nameof(parallel));
        if (parallel is not null && precision is not null)
            throw new ArgumentException("mixed precision runs on one device, not with data-parallel replicas.", nameof(precision));
        if (precision is not null && !ReferenceEquals(precision.Master, backbone))
            throw new ArgumentException("the mixed-precision working copy must have this backbone as master.", nameof(precision));
        this.parallel = parallel;
        this.precision = precision;
        this.backbone = backbone;
        this.objective = objective;
        this.optimizer = optimizer;
        this.device = device;
        this.options = options;
    }

    /// <summary>Finished epochs, including those restored from a checkpoint.</summary>
    public IReadOnlyList<EpochResult> History => history;

    /// <summary>True when the last <see cref="Fit(IBatchSource, ITrainingCallback?, CancellationToken)"/> stopped early because of cancellation.</summary>
    public bool Interrupted { get; private set; }

    private IEnumerable<nn.Module> CheckpointModules => objective.Modules.Prepend(backbone);

    private IEnumerable<OptimizerHelper> CheckpointOptimizers => objective.OwnOptimizers.Prepend(optimizer);

    /// <summary>Restores weights, optimiser state and progress from <paramref name="path"/>; <see cref="Fit(IBatchSource, ITrainingCallback?, CancellationToken)"/> then continues from there.</summary>
    public void Resume(string path)
    {
        var state = Checkpoint.ReadState(path);
        if (state.Fingerprint != options.Fingerprint)
            throw new MarginFaceException($"{path}: checkpoint was written by a run with a different configuration; resume with the same settings (see config.json next to it)");
        resumeFrom = Checkpoint.Load(path, CheckpointModules, CheckpointOptimizers);
        objective.AfterLoad();
        try
        {
            objective.LoadExtraState(resumeFrom.ObjectiveState ?? new Dictionary<string, double>());
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"{path}: checkpoint does not match this objective ({e.Message})");
        }
        var saved = resumeFrom.MixedPrecision?.Precision ?? TrainingPrecision.Fp32;
        var current = precision?.Precision ?? TrainingPrecision.Fp32;
        if (saved != current)
            throw new MarginFaceException($"{path}: checkpoint was trained in {saved.ToString().ToLowerInvariant()}, this run is {current.ToString().ToLowerInvariant()}; resume with the same precision");
        try
        {
            precision?.Restore(resumeFrom.MixedPrecision!);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"{path}: checkpoint's loss scaler is damaged ({e.Message.Split(" (Parameter")[0]})");
        }
        history.Clear();
        history.AddRange(resumeFrom.History);
    }

    /// <summary>Trains until <see cref="TrainerOptions.Epochs"/> are done or <paramref name="cancellation"/> fires.</summary>
    public IReadOnlyList<EpochResult> Fit(IBatchSource source, ITrainingCallback? callback = null, CancellationToken cancellation = default)
    {
        Interrupted = false;
        parallel?.Broadcast();
        distributed?.BroadcastState();
        var start = resumeFrom ?? State(history.Count + 1, 0, 0, 0, 0, 0);
        resumeFrom = null;
        for (int epoch = start.Epoch; epoch <= options.Epochs; epoch++)
        {
            var carried = epoch == start.Epoch ? start : null;
            var result = RunEpoch(source, epoch, carried, callback, cancellation);
            if (result is null)
            {
                Interrupted = true;
                return history;
            }
            history.Add(result);
            SaveCheckpoint(State(epoch + 1, 0, 0, 0, 0, 0), callback);
            callback?.OnEpochEnd(result);
        }
        return history;
    }

    /// <summary>Trains on tensors held in memory, shuffled per epoch by <see cref="TrainerOptions.Seed"/>.</summary>
    public IReadOnlyList<EpochResult> Fit(Tensor images, Tensor labels, int batchSize, ITrainingCallback? callback = null, CancellationToken cancellation = default) =>
        Fit(new TensorBatchSource(images, labels, batchSize, options.Seed), callback, cancellation);

    private TrainingCheckpointState State(int epoch, int step, double lossSum, long correct, long seen, double seconds) =>
        new(options.Fingerprint, epoch, step, lossSum, correct, seen, seconds, history.ToList(), objective.ExtraState(), precision?.State());

    /// <summary>One epoch; null when cancelled (after saving a mid-epoch checkpoint).</summary>
    private EpochResult? RunEpoch(IBatchSource source, int epoch, TrainingCheckpointState? carried, ITrainingCallback? callback, CancellationToken cancellation)
    {
        backbone.train();
        objective.Train(true);
        objective.BeginEpoch(epoch, options.Epochs);
        var steps = source.Steps(epoch);
        int step = carried?.Step ?? 0;
        double lossSum = carried?.LossSum ?? 0;
        long correct = carried?.Correct ?? 0, seen = carried?.Seen ?? 0;
        var classifies = true;
        var previous = TimeSpan.FromSeconds(carried?.ElapsedSeconds ?? 0);
        var clock = Stopwatch.StartNew();
        double Seconds() => (previous + clock.Elapsed).TotalSeconds;
        using var batches = source.Read(epoch, step).GetEnumerator();
        for (; step < steps; step++)
        {
            var stop = cancellation.IsCancellationRequested;
            if (distributed is not null) stop = distributed.AnyStop(stop);
            if (stop)
            {
                SaveCheckpoint(State(epoch, step, lossSum, correct, seen, Seconds()), callback);
                return null;
            }
            if (!batches.MoveNext())
                throw new InvalidOperationException($"the batch source ended after {step} of {steps} steps of epoch {epoch}.");
            var factor = options.LearningRate.Factor(epoch, step, steps, options.Epochs);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = group.InitialLearningRate * factor;
            using var quiet = NoCollectionSpan.Begin();
            using var scope = torch.NewDisposeScope();
            using var batch = batches.Current;
            var y = batch.Labels.to(device);
            objective.BeginStep(epoch, step + 1);
            distributed?.BroadcastBuffers();
            var embeddings = precision is not null ? precision.Forward(batch.Images.to(device))
                : parallel is null ? backbone.forward(batch.Images.to(device)) : parallel.Forward(batch.Images);
            var loss = objective.Compute(embeddings, y);
            long? right;
            using (torch.no_grad())
                right = objective.CountCorrect(embeddings.detach(), y);
            var lossValue = loss.to(float64).item<double>();
            if (distributed is not null) (lossValue, right) = distributed.ReduceStep(lossValue, right);
            if (right is long r) correct += r;
            else classifies = false;
            if (!double.IsFinite(lossValue)) throw new TrainingDivergedException(epoch, step + 1, lossValue);
            optimizer.zero_grad();
            objective.BeforeBackward();
            if (precision is null) objective.Backward(loss);
            else precision.Backward(loss);
            parallel?.ReduceGradients();
            distributed?.AverageGradients();
            var finite = precision?.Unscale(backbone.parameters().Concat(objective.Modules.SelectMany(m => m.parameters()))) ?? true;
            if (finite)
            {
                if (options.GradientClipNorm is double maxNorm)
                    objective.ClipGradients(backbone.parameters(), maxNorm);
                optimizer.step();
                objective.AfterStep();
            }
            precision?.Update(finite);
            parallel?.Broadcast();
            lossSum += lossValue;
            seen += batch.Count * (distributed?.Collective.Size ?? 1);
            callback?.OnStep(new TrainingProgress(epoch, options.Epochs, step + 1, steps, seen, lossValue, previous + clock.Elapsed));
            if (options.SaveEverySteps is int every && (step + 1) % every == 0 && step + 1 < steps)
                SaveCheckpoint(State(epoch, step + 1, lossSum, correct, seen, Seconds()), callback);
        }
        return new EpochResult(epoch, step == 0 ? double.NaN : lossSum / step, seen == 0 || !classifies ? double.NaN : (double)correct / seen, seen, previous + clock.Elapsed);
    }

    private void SaveCheckpoint(TrainingCheckpointState state, ITrainingCallback? callback)
    {
        if (options.CheckpointPath is null) return;
        objective.BeforeCheckpoint();
        try
        {
            if (distributed is { WritesFiles: false }) return;
            Checkpoint.Save(options.CheckpointPath, state, CheckpointModules, CheckpointOptimizers);
        }
        finally
        {
            objective.AfterCheckpoint();
        }
        callback?.OnCheckpoint(options.CheckpointPath);
    }
}
