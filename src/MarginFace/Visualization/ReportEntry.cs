namespace MarginFace.Visualization;

/// <summary>
/// One trained model in a <see cref="ComparisonReport"/>: the loss it was trained with, its results and its pictures.
/// <paramref name="TestAccuracy"/> is a fraction in [0,1]; angles are in degrees (see <c>Evaluation.FeatureGeometry</c>); NaN means "not measured".
/// Image paths are absolute or relative to the working directory. <paramref name="Training"/> is a short description of how
/// it was trained (optimiser, learning rate, ...) when that differs between entries.
/// </summary>
internal sealed record ReportEntry(
    string Loss,
    double TestAccuracy,
    double MeanIntraClassAngle,
    double MinInterClassAngle,
    int Epochs,
    double WallSeconds,
    double ImagesPerSecond,
    string FeaturePlotPath,
    string? NormalizedPlotPath = null,
    string? Training = null);
