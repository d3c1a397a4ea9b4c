namespace MarginFace.Faces;

/// <summary>Maps an 8-bit sample x to (x − <see cref="Mean"/>) / <see cref="Std"/>.</summary>
public readonly record struct PixelNormalization(float Mean, float Std)
{
    /// <summary>(x − 127.5) / 128, InsightFace's original MXNet preprocessing and the seeds' FaceMobileNet.</summary>
    public static PixelNormalization Div128 { get; } = new(127.5f, 128f);

    /// <summary>(x / 255 − 0.5) / 0.5 = (x − 127.5) / 127.5, arcface_torch's preprocessing; values in [−1, 1].</summary>
    public static PixelNormalization Div127_5 { get; } = new(127.5f, 127.5f);

    public override string ToString() => $"(x-{Mean.ToString(System.Globalization.CultureInfo.InvariantCulture)})/{Std.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
