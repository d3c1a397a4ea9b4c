namespace MarginFace.Training;

/// <summary>Settings of a loss from <see cref="LossRegistry"/> beyond its name.</summary>
public sealed record LossSettings
{
    /// <summary>Loss parameters by name (s, m, lambda, gamma, ...); names the loss lacks are an error.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; init; } = new Dictionary<string, double>();

    /// <summary>Epochs over which an additive margin grows from 0 (see <see cref="HeadObjective"/>).</summary>
    public int MarginWarmupEpochs { get; init; }

    /// <summary>Train as modified softmax during the margin warm-up (see <see cref="HeadObjective"/>).</summary>
    public bool SoftmaxWarmup { get; init; }

    /// <summary>Seeds per-step randomness of the objective (contrastive pairs).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// For cosine margin heads: train through a <see cref="Losses.PartialFcClassifier"/> with this sample rate r in (0, 1]
    /// (1: every class, i.e. the full layer, which can then be sharded); null: the head's own full weight.
    /// </summary>
    public double? PartialFcSampleRate { get; init; }

    /// <summary>With <see cref="PartialFcSampleRate"/>: devices to shard the class centres over, one shard each; null: one shard.</summary>
    public IReadOnlyList<TorchSharp.torch.Device>? ShardDevices { get; init; }

    /// <summary>
    /// With <see cref="PartialFcSampleRate"/> in a run over several processes: this process's rank and the number of ranks, so
    /// that, where the centres can be sharded by rank (<c>ShardedPartialFcObjective</c>: margins whose non-target logits are
    /// the scaled cosine, cross-entropy, one device), the classifier holds only this rank's rows; null: every row.
    /// </summary>
    public (int Rank, int Size)? Ranks { get; init; }

    /// <summary>For margin heads: focal loss with this γ instead of cross-entropy (the seeds' ArcFace + focal); for <c>focal</c>, γ's default.</summary>
    public double? FocalGamma { get; init; }
}
