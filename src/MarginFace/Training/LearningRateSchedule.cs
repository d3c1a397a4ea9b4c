namespace MarginFace.Training;

/// <summary>How the learning rate falls over a run (a factor on each group's initial rate); see <see cref="LearningRatePlan"/>.</summary>
public enum LearningRateSchedule
{
    /// <summary>×γ at each milestone epoch (default milestones: 60 % and 85 % of the run, γ = 0.1).</summary>
    Step,

    /// <summary>½(1 + cos(π t)) over the run's progress t ∈ [0, 1) (Loshchilov and Hutter 2017, without restarts).</summary>
    Cosine,

    /// <summary>Always 1.</summary>
    Constant,

    /// <summary>(1 − t)^power, arcface_torch's default (power 2).</summary>
    Polynomial,
}
