using TorchSharp;

namespace MarginFace.Benchmarks;

/// <summary>Settings of the embed suite: which networks, runtimes and batch sizes, and how often each case runs.</summary>
internal sealed record EmbedBenchmarkOptions
{
    /// <summary>Backbone names of <see cref="Models.BackboneFactory"/>; null: <see cref="EmbedBenchmark.DefaultNetworks"/>.</summary>
    public IReadOnlyList<string>? Networks { get; init; }

    /// <summary><see cref="EmbedBenchmark.TorchSharp"/> and/or <see cref="EmbedBenchmark.OnnxRuntime"/>.</summary>
    public IReadOnlyList<string> Runtimes { get; init; } = [EmbedBenchmark.TorchSharp, EmbedBenchmark.OnnxRuntime];

    /// <summary>Images per forward pass.</summary>
    public IReadOnlyList<int> Batches { get; init; } = [1, 64];

    /// <summary>Untimed runs before the timed ones.</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>Timed runs per case.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>
    /// Time the runtimes of one network and batch round-robin instead of one after another, so that changes in the machine's
    /// load fall on all of them alike; peak memory is then the group's.
    /// </summary>
    public bool Interleave { get; init; }

    /// <summary>Seed of the random weights and inputs.</summary>
    public int Seed { get; init; }

    /// <summary>CPU threads of both runtimes (libtorch's are set by the caller; ONNX Runtime gets the same count).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>TorchSharp's device; null: the CPU. ONNX Runtime always runs on the CPU (the CPU package).</summary>
    public torch.Device? Device { get; init; }
}
