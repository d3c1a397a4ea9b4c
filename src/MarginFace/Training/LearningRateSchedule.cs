namespace MarginFace.Training;

/// <summary>How the learning rate changes over epochs.</summary>
public enum LearningRateSchedule
{
    /// <summary>Constant, then ×0.1 at 60% and again at 85% of the epochs.</summary>
    Step,
    /// <summary>Cosine annealing to zero (Loshchilov and Hutter, 2017): lr·½(1 + cos(π·e/E)), e the 0-based epoch.</summary>
    Cosine,
    /// <summary>Constant.</summary>
    Constant,
}
