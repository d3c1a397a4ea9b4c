namespace MarginFace.Training;

/// <summary>The loss became NaN or infinite; training stopped before the bad step touched the weights.</summary>
public sealed class TrainingDivergedException : MarginFaceException
{
    /// <summary>The loss <paramref name="loss"/> (NaN or ±∞) of <paramref name="step"/> in <paramref name="epoch"/>.</summary>
    public TrainingDivergedException(int epoch, int step, double loss)
        : base($"training diverged: loss is {loss} at epoch {epoch}, step {step}; try a lower learning rate")
    {
        Epoch = epoch;
        Step = step;
    }

    /// <summary>1-based epoch of the bad step.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within the epoch.</summary>
    public int Step { get; }
}
