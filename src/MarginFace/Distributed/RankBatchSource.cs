using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>
/// This rank's part of every batch of a source that every rank reads with the same seed: step s of the whole run is the
/// source's batch s (B images, the same on every rank), and rank r of N takes its rows [r·B/N, (r+1)·B/N). The parts are
/// equal, so the mean of the ranks' mean losses is the whole batch's mean loss, and a resumed run (epoch, step) gives every
/// rank the part it had. Every rank decodes the whole batch and keeps its part (simple and exact; decoding only the part is
/// left to do, docs/distributed.md).
/// </summary>
public sealed class RankBatchSource : IBatchSource
{
    private readonly IBatchSource source;

    /// <param name="source">The whole batches, the same on every rank.</param>
    /// <param name="rank">This rank, in [0, <paramref name="ranks"/>).</param>
    /// <param name="ranks">N, which must divide every batch.</param>
    public RankBatchSource(IBatchSource source, int rank, int ranks)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, ranks);
        Rank = rank;
        Ranks = ranks;
    }

    /// <summary>This rank.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public int Ranks { get; }

    /// <inheritdoc/>
    public int Steps(int epoch) => source.Steps(epoch);

    /// <inheritdoc/>
    public IEnumerable<TrainingBatch> Read(int epoch, int startStep, CancellationToken cancellation = default)
    {
        foreach (var batch in source.Read(epoch, startStep, cancellation))
        {
            using (batch)
            {
                var count = batch.Count;
                if (count % Ranks != 0)
                    throw new MarginFaceException($"a batch of {count} images does not split into {Ranks} equal parts (epoch {epoch}); choose a batch size divisible by the number of processes");
                var part = count / Ranks;
                using var images = batch.Images.narrow(0, Rank * part, part);
                using var labels = batch.Labels.narrow(0, Rank * part, part);
                yield return new TrainingBatch(images.clone(), labels.clone());
            }
        }
    }
}
