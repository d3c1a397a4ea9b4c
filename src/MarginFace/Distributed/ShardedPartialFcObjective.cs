using MarginFace.Losses;
using MarginFace.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>
/// Partial FC with the class centres sharded over the ranks of a multi-process run, as arcface_torch's PartialFC_V2: this
/// rank holds and trains only the rows [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>) of the one-process
/// matrix (<see cref="ShardedPartialFc.ShardRange"/>; the classifier was built with <see cref="PartialFcClassifier.HeldRows"/>,
/// so the matrix is never whole here), with their own gradient and momentum: 3·C·D/N values. Each step all-gathers the
/// embeddings (as a leaf) and the labels, samples the shard (<see cref="ShardedPartialFc.SampleShard"/>, keyed by (seed, epoch,
/// step, rank)), applies the margin to the target where it lives, and computes the distributed cross-entropy;
/// <see cref="Backward"/> backpropagates it into the shard and the gathered embeddings, then
/// <see cref="ShardedPartialFc.OwnRowsGradient"/> × N into the backbone (whose gradients the ranks then average). The shard's
/// gradient is not averaged; gradient clipping adds the shards' squared norms (all-reduced). Checkpoints keep the one-process
/// layout: the shards and their momentum are gathered to rank 0 alone (MPI_Gather) in blocks of rows, which it writes at
/// their rows of the file as they come; on resume each rank reads only its rows of both (<see cref="ShardRows"/>).
/// Margins whose non-target logits are the scaled cosine (ArcFace, CosFace, combined, NormFace) only; cross-entropy only.
/// </summary>
internal sealed class ShardedPartialFcObjective : HeadObjective
{
    private readonly ICollective collective;
    private readonly Parameter shard;
    private FlatSgd? optimizer;
    private Tensor? gathered;
    private Tensor? ownEmbeddings;

    public ShardedPartialFcObjective(PartialFcClassifier classifier, ICollective collective, int marginWarmupEpochs)
        : base(classifier.Margin, null, marginWarmupEpochs)
    {
        var expected = ShardedPartialFc.ShardRange(classifier.Classes, collective.Rank, collective.Size);
        if (classifier.HeldRows != expected)
            throw new ArgumentException($"rank {collective.Rank} of {collective.Size} holds rows [{expected.Start}, {expected.Start + expected.Count}) of {classifier.Classes}; the classifier holds {classifier.HeldRows?.ToString() ?? "all"}.", nameof(classifier));
        Classifier = classifier;
        this.collective = collective;
        (Start, Count) = expected;
        shard = classifier.Weight;
    }

    /// <summary>Whether a Partial FC with this margin and these settings can shard its centres by rank (otherwise they stay replicated).</summary>
    public static bool Shardable(MarginHead margin, LossSettings settings) =>
        margin is ScaledMarginHead { NonTargetIsScaledCosine: true } and not MagFaceHead
        && settings.FocalGamma is null
        && settings.ShardDevices is null;

    /// <summary>Whether <paramref name="objective"/> is a Partial FC whose classifier holds only this rank's rows (built with <see cref="LossSettings.Ranks"/>).</summary>
    public static bool Supports(TrainingObjective objective) =>
        objective is PartialFcObjective { Classifier.HeldRows: not null };

    /// <summary>The classifier: this rank's rows as its "weight", the margin head; saved in the one-process layout.</summary>
    public PartialFcClassifier Classifier { get; }

    /// <summary>The optimiser that holds the shard: its momentum is gathered for checkpoints, and read back row by row.</summary>
    public FlatSgd? Optimizer
    {
        get => optimizer;
        set
        {
            optimizer = value;
            if (value?.StateOf(shard) is { } state) value.StateReaders[state] = ReadMomentum;
        }
    }

    public long Start { get; }

    public long Count { get; }

    /// <summary>The most bytes one gather of a checkpoint moves (all ranks' blocks together), which rank 0 holds at a time: 16 MiB.</summary>
    internal long GatherBlockBytes { get; set; } = 16L << 20;

    /// <summary>This rank's centres [Count, D].</summary>
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

    /// <summary>
    /// Ranks other than 0 send their shard, then its momentum, to rank 0 in blocks of rows (collective); rank 0 receives
    /// them while it writes the checkpoint, each block written at its rows of the whole matrix (the classifier's
    /// <see cref="PartialFcClassifier.WeightWriter"/>, the shard's SGD state writer), so no rank holds the whole matrix.
    /// </summary>
    public override void BeforeCheckpoint()
    {
        var state = optimizer?.StateOf(shard);
        if (collective.Rank != 0)
        {
            GatherBlocks(shard, null);
            if (state?.momentum_buffer is { } momentum) GatherBlocks(momentum, null);
            return;
        }
        Classifier.WeightWriter = writer => WriteGathered(writer, shard);
        if (state is not null)
            optimizer!.StateWriters[state] = (writer, own) =>
            {
                writer.Write(own.momentum_buffer is not null);
                if (own.momentum_buffer is { } momentum) WriteGathered(writer, momentum);
            };
    }

    /// <summary>Rank 0 stops writing the shard's rows as the whole matrix's.</summary>
    public override void AfterCheckpoint()
    {
        Classifier.WeightWriter = null;
        if (optimizer?.StateOf(shard) is { } state) optimizer.StateWriters.Remove(state);
    }

    /// <summary>The shard's momentum from a checkpoint: only this rank's rows of the saved [C, D] (SGD's state: a flag, then the tensor).</summary>
    private void ReadMomentum(BinaryReader reader, SGD.State state)
    {
        if (!reader.ReadBoolean())
        {
            state.momentum_buffer?.Dispose();
            state.momentum_buffer = null!;
            return;
        }
        var rows = zeros(Count, shard.shape[1], dtype: shard.dtype, device: shard.device).DetachFromDisposeScope();
        ShardRows.Read(reader, rows, Start, Classifier.Classes, "the centres' momentum");
        state.momentum_buffer?.Dispose();
        state.momentum_buffer = rows;
    }

    /// <summary>
    /// Writes the ranks' shards of <paramref name="part"/> as one tensor [C, D] in <c>Tensor.Save</c>'s layout (element type,
    /// rank and dimensions as LEB128, then the elements row after row): the header, then each gathered block at its rows
    /// (the stream seeks), then the stream is left after the last row. Rank 0 only; the others send (<see cref="GatherBlocks"/>).
    /// </summary>
    private void WriteGathered(BinaryWriter writer, Tensor part)
    {
        var classes = Classifier.Classes;
        var columns = part.shape[1];
        foreach (var value in new[] { (long)part.dtype, 2, classes, columns }) Runtime.TorchSaveCount.Write(writer, value);
        writer.Flush();
        var stream = writer.BaseStream;
        var data = stream.Position;
        var rowBytes = columns * part.element_size();
        GatherBlocks(part, (first, rows, stacked) =>
        {
            for (var r = 0; r < collective.Size; r++)
            {
                var (start, count) = ShardedPartialFc.ShardRange(classes, r, collective.Size);
                var take = Math.Clamp(count - first, 0, rows);
                if (take == 0) continue;
                using var block = stacked[r].narrow(0, 0, take).contiguous().clone();
                stream.Position = data + (start + first) * rowBytes;
                stream.Write(block.bytes);
            }
        });
        stream.Position = data + classes * rowBytes;
    }

    /// <summary>
    /// Gathers every rank's rows of <paramref name="part"/> [Count, D] to rank 0 in blocks of rows (at most
    /// <see cref="GatherBlockBytes"/> per gather, MPI's counts being 32-bit; padded where the shards are unequal):
    /// <paramref name="receive"/>(first row, rows, the block [N, rows, D]) on rank 0, once per block. Collective.
    /// </summary>
    private void GatherBlocks(Tensor part, Action<long, long, Tensor>? receive)
    {
        var size = collective.Size;
        var columns = part.shape[1];
        var most = ShardedPartialFc.ShardRange(Classifier.Classes, 0, size).Count;
        var block = Math.Max(1, GatherBlockBytes / Math.Max(1, size * columns * part.element_size()));
        using var mine = part.detach().cpu();
        for (long first = 0; first < most; first += block)
        {
            using var scope = NewDisposeScope();
            var rows = Math.Min(block, most - first);
            var padded = zeros(rows, columns, dtype: part.dtype);
            var held = Math.Clamp(Count - first, 0, rows);
            if (held > 0) padded.narrow(0, 0, held).copy_(mine.narrow(0, first, held));
            var all = collective.Gather(padded, root: 0);
            if (all is not null) receive?.Invoke(first, rows, all.view(size, rows, columns));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            gathered?.Dispose();
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
}
