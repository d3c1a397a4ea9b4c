namespace MarginFace.Training;

/// <summary>The per-epoch rows of a run's <c>metrics.json</c>, written alike by every kind of training.</summary>
internal static class EpochMetrics
{
    /// <summary>
    /// One row per epoch: <c>epoch</c>, <c>loss</c>, <c>trainAccuracy</c> (null when the objective has none), the held-out
    /// accuracy under <paramref name="heldOutKey"/> (e.g. <c>testAccuracy</c>, <c>validationAccuracy</c>; null for epochs
    /// without one), <c>imagesPerSecond</c> and <c>seconds</c>.
    /// </summary>
    public static IReadOnlyList<Dictionary<string, object?>> Rows(IEnumerable<EpochResult> epochs, string heldOutKey, IReadOnlyDictionary<int, double> heldOut) =>
        [.. epochs.Select(e => new Dictionary<string, object?>
        {
            ["epoch"] = e.Epoch,
            ["loss"] = e.MeanLoss,
            ["trainAccuracy"] = double.IsNaN(e.TrainAccuracy) ? null : e.TrainAccuracy,
            [heldOutKey] = heldOut.TryGetValue(e.Epoch, out var accuracy) ? accuracy : null,
            ["imagesPerSecond"] = e.SamplesPerSecond,
            ["seconds"] = e.Elapsed.TotalSeconds,
        })];
}
