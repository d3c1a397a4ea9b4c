namespace MarginFace.Training;

/// <summary>The factor a <see cref="LearningRateSchedule"/> applies to the base learning rate in a given epoch.</summary>
public static class LearningRateSchedules
{
    /// <summary>Factor for the 1-based <paramref name="epoch"/> of <paramref name="epochs"/>.</summary>
    public static double Factor(LearningRateSchedule schedule, int epoch, int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        var e = epoch - 1;
        return schedule switch
        {
            LearningRateSchedule.Constant => 1.0,
            LearningRateSchedule.Cosine => 0.5 * (1 + Math.Cos(Math.PI * e / epochs)),
            LearningRateSchedule.Step => e >= (int)Math.Ceiling(0.85 * epochs) && epochs >= 3 ? 0.01
                : e >= (int)Math.Ceiling(0.6 * epochs) && epochs >= 2 ? 0.1 : 1.0,
            _ => throw new ArgumentOutOfRangeException(nameof(schedule)),
        };
    }
}
