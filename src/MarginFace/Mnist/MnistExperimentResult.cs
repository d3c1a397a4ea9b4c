using MarginFace.Training;

namespace MarginFace.Mnist;

/// <summary>What an MNIST experiment measured and wrote.</summary>
/// <param name="TestAccuracy">Fraction of test images classified correctly.</param>
/// <param name="PerClassAccuracy">Test accuracy of each class.</param>
/// <param name="MeanIntraClassAngle">Mean angle (degrees) between a test feature and its class's mean direction.</param>
/// <param name="MinInterClassAngle">Smallest angle (degrees) between two class mean directions.</param>
/// <param name="Epochs">Finished epochs.</param>
/// <param name="WallSeconds">Wall time of the whole run.</param>
/// <param name="FeaturePlot">features.png (2-D) or sphere.png (3-D); empty for other sizes.</param>
/// <param name="NormalizedPlot">features-normalized.png for angular losses in 2-D, else null.</param>
/// <param name="Metrics">metrics.json.</param>
/// <param name="TrainImages">Training images used.</param>
/// <param name="TestImages">Test images used.</param>
/// <param name="Interrupted">True when the run was stopped early (a checkpoint was saved).</param>
internal sealed record MnistExperimentResult(
    double TestAccuracy,
    IReadOnlyList<double> PerClassAccuracy,
    double MeanIntraClassAngle,
    double MinInterClassAngle,
    IReadOnlyList<EpochResult> Epochs,
    double WallSeconds,
    string FeaturePlot,
    string? NormalizedPlot,
    string Metrics,
    int TrainImages,
    int TestImages,
    bool Interrupted)
{
    /// <summary>Training throughput of the last epoch.</summary>
    public double ImagesPerSecond => Epochs.Count > 0 ? Epochs[^1].SamplesPerSecond : 0;
}
