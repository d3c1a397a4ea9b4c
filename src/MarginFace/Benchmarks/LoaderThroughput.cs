using System.Diagnostics;
using MarginFace.Training;

namespace MarginFace.Benchmarks;

/// <summary>
/// The data loader alone: reads batches from a source (epoch 1 onwards, as training would) and disposes them at once,
/// timing from the first request to the last batch delivered, so the time includes the workers' start-up.
/// </summary>
internal static class LoaderThroughput
{
    /// <summary>Reads at least <paramref name="images"/> images (whole batches) and returns the rate.</summary>
    public static LoaderThroughputResult Measure(IBatchSource source, int images, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        int seen = 0, batches = 0;
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; seen < images; epoch++)
        {
            if (source.Steps(epoch) == 0) throw new ArgumentException("the source has no batches.", nameof(source));
            foreach (var batch in source.Read(epoch, 0, cancellation))
            {
                seen += (int)batch.Count;
                batches++;
                batch.Dispose();
                if (seen >= images) break;
            }
        }
        return new LoaderThroughputResult(seen, batches, clock.Elapsed.TotalSeconds);
    }
}
