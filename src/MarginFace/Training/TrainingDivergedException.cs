namespace MarginFace.Training;

/// <summary>The loss became NaN or infinite; training stopped before the bad step touched the weights.</summary>
public sealed class TrainingDivergedException : MarginFaceException
{
    public TrainingDivergedException(int epoch, int step, double loss)
        : base($"training diverged: loss is {loss} at epoch {epoch}, step {step}; try a lower learning rate (--lr)")
    {
        Epoch = epoch;
        Step = step;
    }

    public int Epoch { get; }

    public int Step { get; }
}
