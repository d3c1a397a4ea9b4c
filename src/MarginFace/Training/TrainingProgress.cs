namespace MarginFace.Training;

/// <summary>A snapshot of training progress, reported after every optimisation step.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs of the run.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in one epoch.</param>
/// <param name="Samples">Samples seen so far in this epoch.</param>
/// <param name="Loss">Loss of this step.</param>
/// <param name="Elapsed">Time spent in this epoch so far.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, long Samples, double Loss, TimeSpan Elapsed)
{
    /// <summary>Samples / elapsed seconds so far (0 at the start).</summary>
    public double SamplesPerSecond => Elapsed.TotalSeconds > 0 ? Samples / Elapsed.TotalSeconds : 0;
}
