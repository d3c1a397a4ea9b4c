using System.Diagnostics;
using MarginFace.Training;

namespace MarginFace.Benchmarks;

/// <summary>A training callback that records the wall-clock duration of every step (time between consecutive steps' ends).</summary>
internal sealed class StepClock : ITrainingCallback
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private double last;

    public List<double> StepMs { get; } = [];

    public Action<int>? AfterStep { get; init; }

    public void OnStep(TrainingProgress progress)
    {
        var now = clock.Elapsed.TotalMilliseconds;
        StepMs.Add(now - last);
        last = now;
        AfterStep?.Invoke(StepMs.Count);
    }
}
