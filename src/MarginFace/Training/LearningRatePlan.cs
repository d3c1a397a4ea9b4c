namespace MarginFace.Training;

/// <summary>
/// A learning-rate schedule with an optional linear warm-up: factor(step) = warm-up(step) · schedule(t), where
/// warm-up(step) = min(1, step / <see cref="WarmupSteps"/>) for the 1-based global step, and the schedule's progress t is
/// the fraction of the run done — per step when <see cref="PerStep"/>, else fixed for the whole epoch at (epoch − 1)/epochs.
/// </summary>
public sealed record LearningRatePlan
{
    /// <summary>The decay over the run; constant by default.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Update the schedule every step (true) or once per epoch (false, the MNIST recipes).</summary>
    public bool PerStep { get; init; }

    /// <summary>Linear warm-up over this many steps (0: none).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: the 1-based epochs at whose start the rate is multiplied by <see cref="Gamma"/>; null: 60 % and 85 % of the run.</summary>
    public IReadOnlyList<int>? Milestones { get; init; }

    /// <summary>Factor of each <see cref="LearningRateSchedule.Step"/> milestone.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>Exponent of <see cref="LearningRateSchedule.Polynomial"/>.</summary>
    public double Power { get; init; } = 2;

    /// <summary>The factor at 0-based <paramref name="step"/> of 1-based <paramref name="epoch"/>, with <paramref name="stepsPerEpoch"/> steps per epoch.</summary>
    public double Factor(int epoch, int step, int stepsPerEpoch, int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        stepsPerEpoch = Math.Max(1, stepsPerEpoch);
        var globalStep = (long)(epoch - 1) * stepsPerEpoch + step;
        var t = PerStep ? globalStep / ((double)epochs * stepsPerEpoch) : (epoch - 1) / (double)epochs;
        var warmup = WarmupSteps > 0 ? Math.Min(1.0, (globalStep + 1) / (double)WarmupSteps) : 1.0;
        return warmup * Schedule switch
        {
            LearningRateSchedule.Constant => 1.0,
            LearningRateSchedule.Cosine => 0.5 * (1 + Math.Cos(Math.PI * t)),
            LearningRateSchedule.Polynomial => Math.Pow(Math.Max(0.0, 1 - t), Power),
            LearningRateSchedule.Step => Math.Pow(Gamma, (Milestones ?? DefaultMilestones(epochs)).Count(m => epoch >= m)),
            _ => throw new ArgumentOutOfRangeException(nameof(Schedule)),
        };
    }

    /// <summary>The epochs that begin after 60 % and 85 % of the run (the second only from 3 epochs, the first from 2).</summary>
    public static IReadOnlyList<int> DefaultMilestones(int epochs)
    {
        var milestones = new List<int>();
        if (epochs >= 2) milestones.Add((int)Math.Ceiling(0.6 * epochs) + 1);
        if (epochs >= 3) milestones.Add((int)Math.Ceiling(0.85 * epochs) + 1);
        return milestones;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a negative warm-up, γ or power, or a milestone below 1.</summary>
    public void Validate()
    {
        if (WarmupSteps < 0) throw new ArgumentException($"warm-up steps must be ≥ 0, got {WarmupSteps}.");
        if (!(Gamma > 0) || !double.IsFinite(Gamma)) throw new ArgumentException($"gamma must be finite and > 0, got {Gamma}.");
        if (!(Power >= 0) || !double.IsFinite(Power)) throw new ArgumentException($"power must be finite and ≥ 0, got {Power}.");
        if (Milestones?.FirstOrDefault(m => m < 1) is int bad and < 1) throw new ArgumentException($"milestones must be epochs ≥ 1, got {bad}.");
    }
}
