using TorchSharp;

namespace MarginFace.Benchmarks;

/// <summary>Settings of the train suite: which networks, the batch and class count (null: each network's default), how long.</summary>
internal sealed record TrainBenchmarkOptions
{
    /// <summary>Networks timed, by <see cref="TrainBenchmark.Networks"/> name.</summary>
    public IReadOnlyList<string> Networks { get; init; } = TrainBenchmark.Networks;

    /// <summary>Batch size for every network; null: 256 for clsnet, 32 for the face networks on the CPU and 128 on CUDA.</summary>
    public int? Batch { get; init; }

    /// <summary>Class count for every network; null: 10 for clsnet, 10,575 (CASIA-WebFace) for the face networks.</summary>
    public int? Classes { get; init; }

    /// <summary>Untimed steps first (allocator, caches, cuDNN's algorithm search).</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>Timed steps per network.</summary>
    public int Repeats { get; init; } = 10;

    /// <summary>SGD's learning rate (momentum 0.9, weight decay 5e-4); small, so that 1,000 steps on one batch stay finite.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Seed of the weights and of the synthetic batch.</summary>
    public int Seed { get; init; }

    /// <summary>The backbone's arithmetic (<see cref="Training.MixedPrecision"/> for bf16 and fp16); networks are then named <c>NETWORK/bf16</c>.</summary>
    public Training.TrainingPrecision Precision { get; init; }

    /// <summary>Device of the training; null: the CPU.</summary>
    public torch.Device? Device { get; init; }
}
