namespace MarginFace.Benchmarks;

/// <summary>
/// What <see cref="LeakCheck.Run"/> saw: the readings from the end of the warm-up on, the resident set at the first and last
/// of them, its least-squares slope in MiB per 100 steps, the live tensors at both ends, and the verdict against the tolerance.
/// </summary>
internal sealed record LeakCheckResult
{
    public required string Network { get; init; }

    public required string Head { get; init; }

    public required int Batch { get; init; }

    public required int Classes { get; init; }

    public required string Device { get; init; }

    public required int Threads { get; init; }

    /// <summary>Untimed steps before the first reading.</summary>
    public required int Warmup { get; init; }

    /// <summary>Steps after the warm-up.</summary>
    public required int Steps { get; init; }

    public required int SampleEvery { get; init; }

    public required IReadOnlyList<LeakSample> Samples { get; init; }

    public double StartRssMb => Samples[0].RssMb;

    public double EndRssMb => Samples[^1].RssMb;

    /// <summary>Least-squares slope of RSS over steps, MiB per 100 steps.</summary>
    public required double SlopeMbPer100Steps { get; init; }

    /// <summary>Theil–Sen slope of RSS over steps (robust to single high readings), MiB per 100 steps: the one judged.</summary>
    public required double RobustSlopeMbPer100Steps { get; init; }

    public long StartLiveTensors => Samples[0].LiveTensors;

    public long EndLiveTensors => Samples[^1].LiveTensors;

    /// <summary>The largest slope still called flat, MiB per 100 steps.</summary>
    public required double ToleranceMbPer100Steps { get; init; }

    /// <summary>RSS grew faster than the tolerance (Theil–Sen slope), or tensors stayed alive that were not alive after the warm-up.</summary>
    public bool Leaking => RobustSlopeMbPer100Steps > ToleranceMbPer100Steps || EndLiveTensors > StartLiveTensors;

    public required double SecondsPerStep { get; init; }
}
