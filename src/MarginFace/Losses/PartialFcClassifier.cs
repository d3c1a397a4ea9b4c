using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MarginFace.Losses;

/// <summary>
/// Partial FC (An et al. 2021, "Partial FC: Training 10 Million Identities on a Single Machine"): owns the class centres
/// W [C,D] apart from the margin. Each training step keeps the centres of the batch's classes (positives) plus random
/// other classes up to k = ⌊r·C⌋ in all (k = the positives when they are more), sorted by class id; labels are remapped
/// to positions in that sample, the cosine is computed against the sampled rows only, and the margin head's
/// logits-from-cosine step (<see cref="MarginHead.LogitsFromCosine"/>) is applied. The sample is a function of
/// (<see cref="Seed"/>, <see cref="Epoch"/>, <see cref="Step"/>) and the labels, so a resumed run replays it. With r = 1,
/// or in evaluation mode, every class is used and the result is that of the full head.
/// The centres may be sharded over several devices (model parallelism, as arcface_torch shards them over its ranks): shard i
/// holds the contiguous rows [⌊iC/n⌋, ⌊(i+1)C/n⌋) on device i with their gradient and optimiser state; the embeddings go to
/// each shard, each shard computes the product P = (x/‖x‖)·Wᵀ [B, k_i] of its sampled rows and their 1/‖W_j‖, and these are
/// gathered in class order on the embeddings' device, where the margin and the cross-entropy run. The sample, and so the result, is the same for any
/// number of shards.
/// </summary>
public sealed class PartialFcClassifier : nn.Module<Tensor, Tensor, Tensor>, Training.IStreamedState
{
    private readonly string[] shardNames;
    private readonly long[] shardStarts;
    private readonly MarginHead margin;
    private Tensor? lastCosine;
    private Tensor? placeholder;

    /// <param name="features">Embedding size D.</param>
    /// <param name="classes">Number of classes C.</param>
    /// <param name="margin">
    /// The margin: a cosine head (not softmax, modified softmax, AdaCos or sub-centre ArcFace, which do not use the
    /// logits-from-cosine step). Only its margin step is used; its own Weight is not, so create it with classes: 1.
    /// </param>
    /// <param name="sampleRate">r in (0, 1].</param>
    /// <param name="seed">Seed of the negative sampling.</param>
    /// <param name="shardDevices">
    /// Devices holding the shards of the centres, one shard each (null: one shard, parameter "weight", moved with the module);
    /// with several, the parameters are "weight_0", "weight_1", … and stay where they are put.
    /// </param>
    /// <param name="dtype">The centres' dtype (null: the default dtype); a sharded classifier keeps it.</param>
    /// <param name="rows">
    /// Hold only these rows [Start, Start + Count) of W (a rank's shard under mpirun, trained by the distributed objective),
    /// with the values the whole matrix would start with (<see cref="Distributed.ShardedPartialFc.InitialRows"/>); saved
    /// and loaded in the whole matrix's layout (<see cref="WeightWriter"/>). Null: every row.
    /// </param>
    public PartialFcClassifier(int features, int classes, MarginHead margin, double sampleRate = 0.1, long seed = 0, IReadOnlyList<Device>? shardDevices = null,
        ScalarType? dtype = null, (long Start, long Count)? rows = null)
        : base(nameof(PartialFcClassifier))
    {
        ArgumentNullException.ThrowIfNull(margin);
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "features must be at least 1.");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 1.");
        if (!(sampleRate > 0 && sampleRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sampleRate must be within (0, 1].");
        if (margin is SoftmaxHead or ModifiedSoftmaxHead or AdaCosHead or SubCenterArcFaceHead)
            throw new ArgumentException($"{margin.GetType().Name} has no logits-from-cosine step; use a cosine margin head.", nameof(margin));
        Features = features;
        Classes = classes;
        SampleRate = sampleRate;
        Seed = seed;
        if (shardDevices is { Count: 0 }) throw new ArgumentException("shardDevices must name at least one device.", nameof(shardDevices));
        var count = shardDevices?.Count ?? 1;
        if (count > classes) throw new ArgumentException($"{count} shards need at least as many classes, got {classes}.", nameof(shardDevices));
        if (rows is { } held && (count > 1 || held.Start < 0 || held.Count < 0 || held.Start + held.Count > classes))
            throw new ArgumentException($"rows [{held.Start}, {held.Start + held.Count}) of {classes} classes cannot be held{(count > 1 ? $" by {count} device shards" : "")}.", nameof(rows));
        this.margin = margin;
        shardStarts = [.. Enumerable.Range(0, count + 1).Select(i => (long)i * classes / count)];
        shardNames = count == 1 ? ["weight"] : [.. Enumerable.Range(0, count).Select(i => $"weight_{i}")];
        if (rows is { } part)
        {
            HeldRows = part;
            register_parameter("weight", new Parameter(Distributed.ShardedPartialFc.InitialRows(classes, features, part.Start, part.Count, 0.01, dtype)));
        }
        for (int i = 0; i < count && HeldRows is null; i++)
        {
            var shard = new Parameter(empty(shardStarts[i + 1] - shardStarts[i], features, dtype: dtype, device: shardDevices?[i]));
            using (no_grad())
                nn.init.normal_(shard, 0, 0.01);
            register_parameter(shardNames[i], shard);
        }
        register_module("margin", margin);
        ShardDevices = shardDevices is null ? null : [.. shardDevices];
    }

    /// <summary>A sharded classifier keeps each shard on its device; moving it moves only the margin head.</summary>
    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        if (ShardDevices is null) return base._to(deviceType, deviceIndex, non_blocking);
        margin.to(deviceType, deviceIndex, non_blocking);
        return this;
    }

    /// <summary>As the device-only move for a sharded classifier; a change of dtype is refused there.</summary>
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        if (ShardDevices is null) return base._to(device, dtype, non_blocking);
        if (dtype != Shards[0].dtype) throw new NotSupportedException("a sharded Partial FC classifier keeps its dtype.");
        return _to(device.type, device.index, non_blocking);
    }

    /// <summary>Embedding size D.</summary>
    public int Features { get; }

    /// <summary>Number of classes C over all shards.</summary>
    public int Classes { get; }

    /// <summary>Sample rate r: the fraction of class centres used per training step.</summary>
    public double SampleRate { get; }

    /// <summary>Seed of the negative sampling.</summary>
    public long Seed { get; }

    /// <summary>Epoch part of the sampling key (set by the training loop).</summary>
    public long Epoch { get; set; }

    /// <summary>Step part of the sampling key; each training forward uses it and then adds 1.</summary>
    public long Step { get; set; }

    /// <summary>Class centres W [C,D] of an unsharded classifier, registered as parameter "weight".</summary>
    public Parameter Weight => shardNames.Length == 1 ? Shards[0] : throw new InvalidOperationException($"the centres are in {shardNames.Length} shards; use Shards.");

    /// <summary>The shards of W, in class order: shard i holds classes [<see cref="ShardStart"/>(i), <see cref="ShardStart"/>(i + 1)).</summary>
    public IReadOnlyList<Parameter> Shards => [.. shardNames.Select(name => get_parameter(name)!)];

    /// <summary>The first class of shard <paramref name="shard"/> (the class count for <paramref name="shard"/> = the shard count).</summary>
    internal long ShardStart(int shard) => shardStarts[shard];

    /// <summary>The rows [Start, Start + Count) of W that <see cref="Weight"/> holds when it holds only some (a rank's shard); null: all.</summary>
    public (long Start, long Count)? HeldRows { get; }

    /// <summary>
    /// With <see cref="HeldRows"/>: writes "weight" into a checkpoint as the whole matrix [C, D], its rows gathered from the
    /// ranks as they are written; set on the writing rank while a checkpoint is written, null otherwise.
    /// </summary>
    internal Action<BinaryWriter>? WeightWriter { get; set; }

    /// <summary>The devices of the shards given at construction; null for one unsharded "weight".</summary>
    public IReadOnlyList<Device>? ShardDevices { get; }

    /// <summary>
    /// The (detached) cosine [B,k] against the sampled classes of the last <see cref="Logits"/>; null before any, and for
    /// margins of the fused path, which form none (their <see cref="MarginHead.LastPredictions"/> hold the argmax instead).
    /// </summary>
    public Tensor? LastCosine => lastCosine is { IsInvalid: false } ? lastCosine : null;

    /// <summary>
    /// The labels a training step's positives are taken from, given the step's own labels; null: those labels. A run over
    /// several processes sets it to the all-gather of every rank's labels, so that each rank, holding a part of the batch,
    /// draws the sample one process draws for the whole batch.
    /// </summary>
    internal Func<Tensor, Tensor>? SampleLabels { get; set; }

    /// <summary>The margin head whose logits-from-cosine step is applied.</summary>
    public MarginHead Margin => margin;

    /// <summary>
    /// The sampled class ids [k] (sorted, every label among them) and the labels remapped to positions in it, for the
    /// key (<see cref="Seed"/>, <paramref name="epoch"/>, <paramref name="step"/>); null ids mean every class.
    /// </summary>
    internal (Tensor? Classes, Tensor Labels) Sample(Tensor labels, long epoch, long step)
    {
        var k = (long)Math.Floor(SampleRate * Classes);
        if (SampleRate >= 1 || k >= Classes) return (null, labels.alias());
        using var scope = NewDisposeScope();
        var positives = (SampleLabels is { } all ? all(labels) : labels).unique(sorted: true).Item1.cpu();
        Tensor index;
        if (positives.shape[0] >= k)
        {
            index = positives;
        }
        else
        {
            using var generator = new Generator(Mix(Seed, epoch, step));
            var priority = rand(new long[] { Classes }, generator: generator);
            priority.index_fill_(0, positives, 2.0);
            index = priority.topk((int)k).indexes.sort().Item1;
        }
        index = index.to(labels.device);
        var positions = full(Classes, -1L, dtype: ScalarType.Int64, device: labels.device);
        positions.index_copy_(0, index, arange(index.shape[0], dtype: ScalarType.Int64, device: labels.device));
        var remapped = positions.index_select(0, labels);
        return (index.MoveToOuterDisposeScope(), remapped.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Logits [B,k] over the sampled classes (all C in evaluation mode or at r = 1), the labels remapped to them, and the
    /// sampled class ids (null: all). A training forward advances <see cref="Step"/>.
    /// </summary>
    public (Tensor Logits, Tensor Labels, Tensor? Classes) Logits(Tensor embeddings, Tensor labels)
    {
        RequireAllRows();
        ValidateInputs(embeddings, labels);
        using var scope = NewDisposeScope();
        var (index, remapped) = training ? Sample(labels, Epoch, Step) : (null, labels.alias());
        if (training) Step++;
        var (product, inverseNorms) = ShardedProduct(embeddings, index);
        lastCosine?.Dispose();
        lastCosine = null;
        Tensor logits;
        if (margin is ScaledMarginHead { NonTargetIsScaledCosine: true } scaled)
        {
            logits = scaled.LogitsFromProduct(product, inverseNorms, remapped, embeddings);
        }
        else
        {
            var cos = (product * inverseNorms).clamp(-1.0, 1.0);
            lastCosine = cos.detach();
            lastCosine.DetachFromDisposeScope();
            logits = margin.LogitsFromCosine(cos, remapped, embeddings);
        }
        if (margin.AuxiliaryLoss is { IsInvalid: false } aux) aux.MoveToOuterDisposeScope();
        return (logits.MoveToOuterDisposeScope(), remapped.MoveToOuterDisposeScope(), index?.MoveToOuterDisposeScope());
    }

    /// <summary>Cross-entropy of the sampled logits against the remapped labels, plus the margin's auxiliary loss if any.</summary>
    public override Tensor forward(Tensor embeddings, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var (logits, remapped, _) = Logits(embeddings, labels);
        var loss = F.cross_entropy(logits, remapped);
        if (margin.AuxiliaryLoss is { IsInvalid: false } aux) loss = loss + aux;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Clamped cosine [B,C] against every class centre; its argmax is the predicted class.</summary>
    public Tensor Cosine(Tensor embeddings)
    {
        RequireAllRows();
        ValidateInputs(embeddings, null);
        using var scope = NewDisposeScope();
        var (product, inverseNorms) = ShardedProduct(embeddings, null);
        return (product * inverseNorms).clamp(-1.0, 1.0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The two factors of the cosine [B,k] against the centres of the sorted class ids <paramref name="index"/> (null: all),
    /// on the embeddings' device: P = (x/‖x‖)·Wᵀ and 1/‖W_j‖ (<see cref="AngularMath.CosineProduct"/>), per shard, gathered
    /// in class order; the embeddings are normalised once for all shards.
    /// </summary>
    private (Tensor Product, Tensor InverseNorms) ShardedProduct(Tensor embeddings, Tensor? index)
    {
        var shards = Shards;
        if (shards.Count == 1)
        {
            if (index is null) return AngularMath.CosineProduct(embeddings, shards[0]);
            using var centres = shards[0].index_select(0, index);
            return AngularMath.CosineProduct(embeddings, centres);
        }
        using var scope = NewDisposeScope();
        var products = new List<Tensor>(shards.Count);
        var norms = new List<Tensor>(shards.Count);
        var ids = index?.cpu();
        var unit = AngularMath.Normalize(embeddings, 1);
        for (int i = 0; i < shards.Count; i++)
        {
            var shard = shards[i];
            Tensor centres = shard;
            if (ids is not null)
            {
                var inShard = ids.ge(shardStarts[i]).logical_and_(ids.lt(shardStarts[i + 1]));
                var local = ids.masked_select(inShard).sub_(shardStarts[i]);
                if (local.shape[0] == 0) continue;
                centres = shard.index_select(0, local.to(shard.device));
            }
            var (product, inverseNorms) = AngularMath.UnitCosineProduct(unit.to(shard.device), centres);
            products.Add(product.to(embeddings.device));
            norms.Add(inverseNorms.to(embeddings.device));
        }
        return (cat(products, 1).MoveToOuterDisposeScope(), cat(norms, 0).MoveToOuterDisposeScope());
    }

    private void RequireAllRows()
    {
        if (HeldRows is { } held)
            throw new InvalidOperationException($"this classifier holds rows [{held.Start}, {held.Start + held.Count}) of {Classes}; its rank's objective computes with them.");
    }

    /// <summary>
    /// With <see cref="HeldRows"/>, "weight" is a NaN placeholder of the whole matrix's shape [C, D] (zero strides, one
    /// element), so that a checkpoint's shapes can be checked; its values are written by <see cref="WeightWriter"/>.
    /// </summary>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
    {
        var state = base.state_dict(destination, prefix);
        if (HeldRows is not null)
        {
            placeholder ??= full(1, 1, double.NaN, dtype: Weight.dtype).expand(Classes, Features).DetachFromDisposeScope();
            state[(prefix ?? "") + "weight"] = placeholder;
        }
        return state;
    }

    /// <summary>Module.save's layout; with <see cref="HeldRows"/>, "weight" written by <see cref="WeightWriter"/> as the whole matrix.</summary>
    void Training.IStreamedState.Save(BinaryWriter writer)
    {
        if (HeldRows is null)
        {
            save(writer);
            return;
        }
        var write = WeightWriter ?? throw new InvalidOperationException($"this classifier holds rows [{HeldRows.Value.Start}, {HeldRows.Value.Start + HeldRows.Value.Count}) of {Classes}; the other rows come from the ranks (WeightWriter).");
        var state = base.state_dict();
        Runtime.TorchSaveCount.Write(writer, state.Count);
        foreach (var (name, tensor) in state)
        {
            writer.Write(name);
            if (name == "weight") write(writer);
            else tensor.Save(writer);
        }
    }

    /// <summary>With <see cref="HeldRows"/>, reads only those rows of the saved whole matrix (<see cref="Distributed.ShardRows"/>); the rest as TorchSharp does.</summary>
    public override nn.Module load(BinaryReader reader, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
    {
        if (HeldRows is not { } held) return base.load(reader, strict, skip, loadedParameters);
        using var noGrad = no_grad();
        var state = base.state_dict();
        var entries = Runtime.TorchSaveCount.Read(reader, "the classifier's state");
        if (entries != state.Count) throw new InvalidDataException($"the classifier's state lists {entries} tensors, expected {state.Count}");
        for (long i = 0; i < entries; i++)
        {
            var name = reader.ReadString();
            if (!state.TryGetValue(name, out var target)) throw new InvalidDataException($"the classifier's state holds '{name}', which it does not have");
            if (name == "weight") Distributed.ShardRows.Read(reader, Weight, held.Start, Classes, "the classifier's 'weight'");
            else target.Load(reader, skip: false);
        }
        return this;
    }

    private void ValidateInputs(Tensor embeddings, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.dim() != 2 || embeddings.shape[1] != Features)
            throw new ArgumentException($"embeddings must have shape [B, {Features}], got [{string.Join(", ", embeddings.shape)}].", nameof(embeddings));
        var dtype = Shards[0].dtype;
        if (embeddings.dtype != dtype)
            throw new ArgumentException($"embeddings must have the classifier's dtype {dtype}, got {embeddings.dtype}.", nameof(embeddings));
        if (labels is null) return;
        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != embeddings.shape[0])
            throw new ArgumentException($"labels must be int64 of shape [{embeddings.shape[0]}].", nameof(labels));
        if (labels.shape[0] == 0) return;
        var min = labels.min().item<long>();
        var max = labels.max().item<long>();
        if (min < 0 || max >= Classes)
            throw new ArgumentException($"labels must lie in [0, {Classes}), got values in [{min}, {max}].", nameof(labels));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lastCosine?.Dispose();
            placeholder?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>SplitMix64 of the three parts of the sampling key.</summary>
    private static ulong Mix(long seed, long epoch, long step)
    {
        var z = (ulong)seed;
        foreach (var part in new[] { epoch, step })
        {
            z += 0x9E3779B97F4A7C15UL + (ulong)part;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
        }
        return z;
    }
}
