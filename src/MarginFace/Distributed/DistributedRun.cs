using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>What a multi-process <c>marginface train</c> accepts (checked on every rank before anything is read or written), and how a run joins its ranks.</summary>
internal static class DistributedRun
{
    /// <summary>One device per process, a batch that splits into equal parts, no P×K batches (pair and triplet losses mine within the whole batch).</summary>
    public static void Validate(FaceTrainingOptions options, int devices, int ranks)
    {
        if (ranks == 1) return;
        if (devices != 1)
            throw new MarginFaceException($"{devices} devices in each of {ranks} processes: a multi-process run takes one device per process (start one process per device)");
        if (options.Pk is not null)
            throw new MarginFaceException($"FaceTrainingOptions.Pk: P×K batches (pair and triplet losses) are not split over {ranks} processes; train them in one process");
        if (options.EffectiveBatchSize % ranks != 0)
            throw new MarginFaceException($"FaceTrainingOptions.BatchSize = {options.EffectiveBatchSize} does not split into {ranks} equal parts; choose a multiple of the number of processes");
    }

    /// <summary>
    /// The data-parallel group of a run over <paramref name="ranks"/>: the backbone's and the objective's parameters are
    /// replicated on every rank (their gradients averaged), and <paramref name="source"/> becomes this rank's part of each
    /// batch. A <see cref="ShardedPartialFcObjective"/>'s shard is left out of the replicated parameters (each rank owns its
    /// rows); a replicated Partial FC draws its sample from the whole batch's labels (all-gathered), so every rank uses the
    /// classes one process would use.
    /// </summary>
    public static DistributedDataParallel Join(ICollective ranks, nn.Module backbone, TrainingObjective objective, ref IBatchSource source, IProgress<string>? log)
    {
        var replicated = backbone.parameters().Concat(objective is ShardedPartialFcObjective shards ? shards.Replicated : objective.Modules.SelectMany(m => m.parameters()));
        var buffers = backbone.buffers().Concat(objective is ShardedPartialFcObjective heads ? heads.Classifier.Margin.buffers() : objective.Modules.SelectMany(m => m.buffers()));
        if (objective is ShardedPartialFcObjective sharded)
            log?.Report($"Partial FC: class centres sharded over {ranks.Size} processes, rank {ranks.Rank} holds [{sharded.Start}, {sharded.Start + sharded.Count})");
        else if (objective is PartialFcObjective partialFc)
            partialFc.Classifier.SampleLabels = labels => ranks.AllGather(labels.cpu().contiguous());
        source = new RankBatchSource(source, ranks.Rank, ranks.Size);
        log?.Report($"data parallel over {ranks.Size} processes (MPI); each trains on 1/{ranks.Size} of every batch");
        return new DistributedDataParallel(ranks, replicated, buffers);
    }
}
