namespace MarginFace.Training;

/// <summary>Summary of one training epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="MeanLoss">Mean training loss over the epoch's steps.</param>
/// <param name="TrainAccuracy">Fraction of training samples whose logits' argmax was the label during the epoch; NaN for objectives without logits.</param>
/// <param name="Samples">Samples seen.</param>
/// <param name="Elapsed">Wall time of the epoch.</param>
public sealed record EpochResult(int Epoch, double MeanLoss, double TrainAccuracy, long Samples, TimeSpan Elapsed)
{
    /// <summary>Samples / elapsed seconds (0 for an epoch that took no time).</summary>
    public double SamplesPerSecond => Elapsed.TotalSeconds > 0 ? Samples / Elapsed.TotalSeconds : 0;
}
