using MarginFace.Data;

namespace MarginFace.Training;

/// <summary>Settings of one MNIST / Fashion-MNIST feature experiment.</summary>
public sealed record MnistExperimentOptions
{
    public DatasetKind Dataset { get; init; } = DatasetKind.Mnist;

    /// <summary>Directory with the four IDX files; null means the cache, filled on first use.</summary>
    public string? DataDirectory { get; init; }

    public string OutputDirectory { get; init; } = Path.Combine("runs", "mnist");

    public int Epochs { get; init; } = 1;

    public int BatchSize { get; init; } = 128;

    public double LearningRate { get; init; } = 1e-3;

    public int FeatureDim { get; init; } = 2;

    public int Seed { get; init; }

    /// <summary>Use only the first N training images (null: all).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Use only the first N test images (null: all).</summary>
    public int? TestLimit { get; init; }
}
