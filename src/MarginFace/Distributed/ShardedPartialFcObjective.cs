using MarginFace.Losses;
using MarginFace.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>
/// Partial FC with the class centres sharded over the ranks of a multi-process run, as arcface_torch's PartialFC_V2: this
/// rank trains only the rows [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>) of the one-process matrix
/// (<see cref="ShardedPartialFc.ShardRange"/>), with their own momentum. Each step all-gathers the embeddings (as a leaf)
/// and the labels, samples the shard (<see cref="ShardedPartialFc.SampleShard"/>, keyed by (seed, epoch, step, rank)),
/// applies the margin to the target where it lives, and computes the distributed cross-entropy; <see cref="Backward"/>
/// backpropagates it into the shard and the gathered embeddings, then <see cref="ShardedPartialFc.OwnRowsGradient"/> × N into
/// the backbone (whose gradients the ranks then average). The shard's gradient is not averaged; gradient clipping adds the
/// shards' squared norms (all-reduced). For checkpoints the objective's module is the one-process classifier: before a save
/// the shards and their momentum are gathered into it (rank 0 writes it), after a load each rank takes its rows back.
/// Margins whose non-target logits are the scaled cosine (ArcFace, CosFace, combined, NormFace) only; cross-entropy only.
/// </summary>
internal sealed class ShardedPartialFcObjective : HeadObjective
{
    private readonly ICollective collective;
    private readonly Parameter shard;
    private readonly ShardModule holder;
    private Tensor? gathered;
    private Tensor? ownEmbeddings;
    private Tensor? savedMomentum;

    public ShardedPartialFcObjective(PartialFcClassifier classifier, ICollective collective, int marginWarmupEpochs)
        : base(classifier.Margin, null, marginWarmupEpochs)
    {
        Classifier = classifier;
        this.collective = collective;
        (Start, Count) = ShardedPartialFc.ShardRange(classifier.Classes, collective.Rank, collective.Size);
        using (no_grad())
            shard = new Parameter(classifier.Weight.detach().narrow(0, Start, Count).clone());
        holder = new ShardModule(shard);
    }

    /// <summary>Whether a run over several ranks can shard this objective's centres (otherwise they stay replicated).</summary>
    public static bool Supports(TrainingObjective objective, LossSettings settings) =>
        objective is PartialFcObjective { Classifier: { ShardDevices: null } classifier }
        && classifier.Margin is ScaledMarginHead { NonTargetIsScaledCosine: true } and not MagFaceHead
        && settings.FocalGamma is null;

    /// <summary>The one-process classifier: the checkpoint's vessel and the margin head; its own matrix is not trained.</summary>
    public PartialFcClassifier Classifier { get; }

    /// <summary>The optimiser that holds the shard (its momentum is gathered for checkpoints).</summary>
    public FlatSgd? Optimizer { get; set; }

    public long Start { get; }

    public long Count { get; }

    /// <summary>This rank's centres.</summary>
    public Parameter Shard => shard;

    public override IReadOnlyList<nn.Module> Modules => [Classifier];

    /// <summary>Only the shard is optimised.</summary>
    public override IEnumerable<Parameter> Parameters => [shard];

    /// <summary>Parameters every rank holds a copy of (the margin head's, unused): averaged like the backbone's.</summary>
    public IEnumerable<Parameter> Replicated => Classifier.Margin.parameters();

    public override void BeginStep(int epoch, int step)
    {
        Classifier.Epoch = epoch;
        Classifier.Step = step;
    }

    public override Tensor Compute(Tensor embeddings, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var device = embeddings.device;
        var n = embeddings.shape[0];
        var all = collective.AllGather(embeddings.detach().cpu().contiguous()).to(device).requires_grad_(true);
        var allLabels = collective.AllGather(labels.cpu().contiguous());
        var local = ShardedPartialFc.LocalLabels(allLabels, Start, Count);
        var (index, remapped) = ShardedPartialFc.SampleShard(local, Count, Classifier.SampleRate,
            Mix((ulong)Classifier.Seed, Classifier.Epoch, Classifier.Step, collective.Rank));
        Classifier.Step++;
        remapped = remapped.to(device);
        var centres = index is null ? (Tensor)shard : shard.index_select(0, index.to(device));
        var (product, inverseNorms) = AngularMath.CosineProduct(all, centres);
        var cos = (product * inverseNorms).clamp(-1.0, 1.0);
        var k = cos.shape[1];
        var rows = cos.shape[0];
        var here = remapped.ge(0);
        // Rows whose class lives on another rank get their "target" in a dummy column, dropped after the margin step.
        var extended = cat([cos, zeros(rows, 1, dtype: cos.dtype, device: device)], 1);
        var target = where(here, remapped, full_like(remapped, k));
        var logits = Head.LogitsFromCosine(extended, target, all).narrow(1, 0, k);
        var loss = ShardedPartialFc.CrossEntropy(collective, logits.cpu().contiguous(), remapped.cpu()).to(device);
        using (no_grad())
        {
            // Predictions of this rank's rows: the largest cosine over every rank's sample (ties: the smallest class id).
            var best = k > 0 ? cos.detach().max(1) : (values: full(rows, -2.0, dtype: cos.dtype, device: device), indexes: zeros(rows, dtype: ScalarType.Int64, device: device));
            var ids = (index is null ? best.indexes : index.to(device).index_select(0, best.indexes)) + Start;
            var top = best.values.cpu().contiguous().clone();
            collective.AllReduceMax(top);
            var mine = best.values.cpu().eq(top);
            var negated = where(mine, ids.cpu().neg().to(float64), full(rows, double.NegativeInfinity, dtype: float64)).contiguous();
            collective.AllReduceMax(negated);
            var predicted = negated.neg().to(ScalarType.Int64).narrow(0, collective.Rank * n, n);
            RememberPredictions(predicted.to(device));
        }
        gathered?.Dispose();
        gathered = all.DetachFromDisposeScope();
        ownEmbeddings = embeddings;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>None: each rank holds only its shard of the centres (training accuracy is counted in <see cref="Compute"/>).</summary>
    public override Tensor? Scores(Tensor embeddings) => null;

    /// <summary>Backward into the shard and the gathered embeddings, then this rank's rows' gradient × N into the backbone.</summary>
    public override void Backward(Tensor loss)
    {
        loss.backward();
        using var scope = NewDisposeScope();
        var g = gathered!.grad ?? zeros_like(gathered!);
        var own = ShardedPartialFc.OwnRowsGradient(collective, g.cpu()).mul_(collective.Size).to(ownEmbeddings!.device);
        ownEmbeddings!.backward([own]);
        ownEmbeddings = null;
    }

    /// <summary>clip_grad_norm_ over the backbone, the replicated head and every rank's shard (squared norms all-reduced).</summary>
    public override void ClipGradients(IEnumerable<Parameter> backbone, double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = backbone.Concat(Replicated).Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        var local = grads.Count == 0 ? 0.0 : stack(grads.Select(g => g.norm().to(float64))).pow(2).sum().item<double>();
        var shardGrad = shard.grad;
        var square = tensor(new[] { shardGrad is null ? 0.0 : shardGrad.norm().to(float64).pow(2).item<double>() });
        collective.AllReduceSum(square);
        var total = Math.Sqrt(local + square.item<double>());
        var coefficient = maxNorm / (total + 1e-6);
        if (coefficient >= 1) return;
        foreach (var g in grads) g.mul_(coefficient);
        shardGrad?.mul_(coefficient);
    }

    /// <summary>Gathers the shards into the classifier's matrix and the shards' momentum into the optimiser's state (collective).</summary>
    public override void BeforeCheckpoint()
    {
        using var noGrad = no_grad();
        using (var full = Gather(shard))
            Classifier.Weight.copy_(full);
        if (Optimizer?.StateOf(shard) is { } state && state.momentum_buffer is { } momentum)
        {
            savedMomentum = momentum;
            state.momentum_buffer = Gather(momentum).DetachFromDisposeScope();
        }
    }

    public override void AfterCheckpoint()
    {
        if (savedMomentum is null || Optimizer?.StateOf(shard) is not { } state) return;
        state.momentum_buffer?.Dispose();
        state.momentum_buffer = savedMomentum;
        savedMomentum = null;
    }

    /// <summary>After a checkpoint is loaded: this rank's rows of the matrix and of its momentum.</summary>
    public override void AfterLoad()
    {
        using var noGrad = no_grad();
        shard.copy_(Classifier.Weight.narrow(0, Start, Count));
        if (Optimizer?.StateOf(shard) is { } state && state.momentum_buffer is { } momentum && momentum.shape[0] == Classifier.Classes)
        {
            state.momentum_buffer = momentum.narrow(0, Start, Count).clone().DetachFromDisposeScope();
            momentum.Dispose();
        }
    }

    /// <summary>The ranks' shards [Count, D] of a tensor concatenated in rank order [C, D] (unequal shards padded for the all-gather).</summary>
    private Tensor Gather(Tensor part)
    {
        using var scope = NewDisposeScope();
        var most = ShardedPartialFc.ShardRange(Classifier.Classes, 0, collective.Size).Count;
        var padded = zeros(most, part.shape[1], dtype: part.dtype);
        padded.narrow(0, 0, Count).copy_(part.detach().cpu());
        var all = collective.AllGather(padded).view(collective.Size, most, part.shape[1]);
        var pieces = Enumerable.Range(0, collective.Size).Select(r => all[r].narrow(0, 0, ShardedPartialFc.ShardRange(Classifier.Classes, r, collective.Size).Count)).ToArray();
        return cat(pieces, 0).to(part.device).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            gathered?.Dispose();
            holder.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>SplitMix64 of the parts of the sampling key.</summary>
    private static ulong Mix(ulong seed, long epoch, long step, long rank)
    {
        var z = seed;
        foreach (var part in new[] { epoch, step, rank })
        {
            z += 0x9E3779B97F4A7C15UL + (ulong)part;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
        }
        return z;
    }

    /// <summary>Holds the shard as a module's parameter.</summary>
    private sealed class ShardModule : nn.Module
    {
        public ShardModule(Parameter shard) : base("shard") => register_parameter("weight", shard);
    }
}
