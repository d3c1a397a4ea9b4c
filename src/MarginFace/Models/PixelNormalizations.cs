using MarginFace.Mnist;
using MarginFace.Data;

namespace MarginFace.Models;

/// <summary>The constants of each <see cref="PixelNormalization"/>: y = (x − Mean) / Scale on pixel values x ∈ [0, 255].</summary>
public static class PixelNormalizations
{
    /// <summary>Mean and scale on the 0..255 pixel range, so that y = (x − Mean) / Scale.</summary>
    public static (float Mean, float Scale) Constants(this PixelNormalization normalization) => normalization switch
    {
        PixelNormalization.Centered128 => (127.5f, 128f),
        PixelNormalization.Symmetric => (127.5f, 127.5f),
        PixelNormalization.Mnist => (MnistDataset.MnistMean * 255f, MnistDataset.MnistStd * 255f),
        _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown pixel normalisation"),
    };

    /// <summary>The formula as text, e.g. "(x - 127.5) / 128".</summary>
    public static string Formula(this PixelNormalization normalization) => normalization switch
    {
        PixelNormalization.Centered128 => "(x - 127.5) / 128",
        PixelNormalization.Symmetric => "(x - 127.5) / 127.5",
        PixelNormalization.Mnist => "(x / 255 - 0.1307) / 0.3081",
        _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown pixel normalisation"),
    };
}
