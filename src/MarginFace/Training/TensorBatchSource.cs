using TorchSharp;
using MarginFace.Data;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Batches from tensors held in memory: epoch e is a shuffle drawn from a generator seeded by (seed, e), or a custom index
/// order (e.g. P×K sampling); step s of epoch e is augmented with a generator seeded by (seed, e, s).
/// </summary>
public sealed class TensorBatchSource : IBatchSource
{
    private readonly Tensor images;
    private readonly Tensor labels;
    private readonly int batchSize;
    private readonly int seed;
    private readonly IBatchAugmentation? augmentation;
    private readonly Func<int, IEnumerable<long[]>>? order;
    private (int Epoch, long[][] Batches)? cached;

    /// <param name="images">All samples [N, ...] (not owned).</param>
    /// <param name="labels">int64 labels [N] (not owned).</param>
    /// <param name="batchSize">Samples per batch (the last batch of an epoch may be smaller).</param>
    /// <param name="seed">Seeds the order and the augmentation.</param>
    /// <param name="augmentation">Random transform of every batch, or null.</param>
    /// <param name="order">Index batches for a 1-based epoch; by default a seeded shuffle cut into batches.</param>
    public TensorBatchSource(Tensor images, Tensor labels, int batchSize, int seed = 0, IBatchAugmentation? augmentation = null,
        Func<int, IEnumerable<long[]>>? order = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (images.shape[0] != labels.shape[0])
            throw new ArgumentException($"images ({images.shape[0]}) and labels ({labels.shape[0]}) differ in count.", nameof(labels));
        this.images = images;
        this.labels = labels;
        this.batchSize = batchSize;
        this.seed = seed;
        this.augmentation = augmentation;
        this.order = order;
    }

    /// <inheritdoc/>
    public int Steps(int epoch) => Batches(epoch).Length;

    /// <inheritdoc/>
    public IEnumerable<TrainingBatch> Read(int epoch, int startStep, CancellationToken cancellation = default)
    {
        var batches = Batches(epoch);
        for (int step = startStep; step < batches.Length && !cancellation.IsCancellationRequested; step++)
        {
            using var index = torch.tensor(batches[step]);
            var x = images.index_select(0, index);
            if (augmentation is not null)
            {
                using var generator = new Generator(StepSeed(seed, epoch, step + 1));
                using var plain = x;
                x = augmentation.Apply(plain, generator);
            }
            yield return new TrainingBatch(x, labels.index_select(0, index));
        }
    }

    /// <summary>The generator seed of step <paramref name="step"/> (1-based) of epoch <paramref name="epoch"/>.</summary>
    internal static ulong StepSeed(int seed, int epoch, int step) =>
        unchecked((ulong)(seed * 1_000_003L + epoch * 100_003L + step) ^ 0x9E3779B97F4A7C15UL);

    private long[][] Batches(int epoch)
    {
        if (cached is { } c && c.Epoch == epoch) return c.Batches;
        long[][] batches;
        if (order is not null) batches = order(epoch).ToArray();
        else
        {
            using var generator = new Generator((ulong)(seed * 100_003L + epoch));
            using var permutation = torch.randperm(images.shape[0], generator: generator);
            batches = permutation.data<long>().ToArray().Chunk(batchSize).ToArray();
        }
        cached = (epoch, batches);
        return batches;
    }
}
