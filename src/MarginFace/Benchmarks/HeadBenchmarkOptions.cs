using TorchSharp;
using MarginFace.Losses;

namespace MarginFace.Benchmarks;

/// <summary>Settings of the heads suite: the shapes, which cases, and how often each is run.</summary>
internal sealed record HeadBenchmarkOptions
{
    /// <summary>Class counts C, one group of cases per value.</summary>
    public IReadOnlyList<int> Classes { get; init; } = [10_575, 100_000];

    /// <summary>Batch size B.</summary>
    public int Batch { get; init; } = 128;

    /// <summary>Embedding size D.</summary>
    public int Dim { get; init; } = 512;

    /// <summary>Margin heads timed (names of <see cref="MarginHeadFactory"/>), each with its default parameters.</summary>
    public IReadOnlyList<string> Heads { get; init; } = MarginHeadFactory.Names;

    /// <summary>Also time the three matrix products alone (the limit) and the seed formulation.</summary>
    public bool Baselines { get; init; } = true;

    /// <summary>Partial FC sample rates r to time with ArcFace's margin (none by default).</summary>
    public IReadOnlyList<double> SampleRates { get; init; } = [];

    /// <summary>Untimed runs before the timed ones.</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>Timed runs per case.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>
    /// Time the cases of one class count round-robin instead of one after another, so that changes in the machine's
    /// load fall on all of them alike; peak memory is then the group's.
    /// </summary>
    public bool Interleave { get; init; }

    /// <summary>Seed of the random inputs.</summary>
    public int Seed { get; init; }

    /// <summary>Device of the tensors; null: the CPU.</summary>
    public torch.Device? Device { get; init; }
}
