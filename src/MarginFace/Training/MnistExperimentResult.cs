namespace MarginFace.Training;

/// <summary>What an MNIST experiment measured and wrote.</summary>
public sealed record MnistExperimentResult(
    double TestAccuracy,
    IReadOnlyList<EpochResult> Epochs,
    string FeaturePlot,
    string Metrics,
    int TrainImages,
    int TestImages);
