using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>What a multi-process <c>marginface train</c> accepts, checked on every rank before anything is read or written.</summary>
internal static class DistributedRun
{
    /// <summary>One device per process, a batch that splits into equal parts, no P×K batches (pair and triplet losses mine within the whole batch), Partial FC only at r = 1.</summary>
    public static void Validate(FaceTrainingOptions options, int devices, int ranks)
    {
        if (ranks == 1) return;
        if (devices != 1)
            throw new MarginFaceException($"{devices} devices in each of {ranks} processes: a multi-process run takes one device per process (start one process per device)");
        if (options.Pk is not null)
            throw new MarginFaceException($"FaceTrainingOptions.Pk: P×K batches (pair and triplet losses) are not split over {ranks} processes; train them in one process");
        if (options.PartialFc is < 1)
            throw new MarginFaceException($"FaceTrainingOptions.PartialFc = {options.PartialFc.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}: sampled Partial FC over {ranks} processes is not built yet (each rank would sample from its own labels); use 1 (every centre, replicated on every rank) or one process with several devices");
        if (options.EffectiveBatchSize % ranks != 0)
            throw new MarginFaceException($"FaceTrainingOptions.BatchSize = {options.EffectiveBatchSize} does not split into {ranks} equal parts; choose a multiple of the number of processes");
    }

    /// <summary>
    /// The data-parallel group of a run over <paramref name="ranks"/>: the backbone's and the objective's parameters are
    /// replicated (their gradients averaged), except the class centres an objective shards by rank
    /// (<see cref="IRankShardedObjective"/>); <paramref name="source"/> becomes this rank's part of each batch.
    /// </summary>
    public static DistributedDataParallel Join(ICollective ranks, nn.Module backbone, TrainingObjective objective, ref IBatchSource source, IProgress<string>? log)
    {
        var sharded = objective is IRankShardedObjective own ? own.RankShards.Select(p => p.Handle).ToHashSet() : [];
        var replicated = backbone.parameters().Concat(objective.Modules.SelectMany(m => m.parameters())).Where(p => !sharded.Contains(p.Handle));
        var buffers = backbone.buffers().Concat(objective.Modules.SelectMany(m => m.buffers()));
        source = new RankBatchSource(source, ranks.Rank, ranks.Size);
        log?.Report($"data parallel over {ranks.Size} processes (MPI); each trains on 1/{ranks.Size} of every batch{(sharded.Count > 0 ? $"; class centres sharded over the {ranks.Size} processes" : "")}");
        return new DistributedDataParallel(ranks, replicated, buffers);
    }
}
