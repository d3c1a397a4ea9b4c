using MarginFace.Mnist;

namespace MarginFace.Models;

/// <summary>
/// The constants of each <see cref="PixelNormalization"/>, in one place: y_c = (x_c − Mean[c]) / Scale[c] on pixel values
/// x ∈ [0, 255] of channel c.
/// </summary>
internal static class PixelNormalizations
{
    /// <summary>face-api's mean RGB on 0..255 (<c>normalize</c> in face-api's <c>FaceRecognitionNet</c>).</summary>
    private static readonly float[] FaceApiMeanRgb = [122.782f, 117.001f, 104.298f];

    /// <summary>
    /// Mean and scale per channel for an input of <paramref name="channels"/> channels (1 grey, 3 RGB in that order), so that
    /// y_c = (x_c − Mean[c]) / Scale[c]. A per-channel RGB mean on a grey input is its BT.601 luma 0.299 R + 0.587 G + 0.114 B,
    /// the grey the image conversion makes of that colour.
    /// </summary>
    public static (float[] Mean, float[] Scale) Constants(this PixelNormalization normalization, int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "an input has 1 (grey) or 3 (RGB) channels");
        var (mean, scale) = normalization switch
        {
            PixelNormalization.Centered128 => (Same(127.5f), Same(128f)),
            PixelNormalization.Symmetric => (Same(127.5f), Same(127.5f)),
            PixelNormalization.Mnist => (Same(MnistDataset.MnistMean * 255f), Same(MnistDataset.MnistStd * 255f)),
            PixelNormalization.FaceApiMeanRgb => (FaceApiMeanRgb, Same(255f)),
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown pixel normalisation"),
        };
        if (channels == 3) return ([.. mean], [.. scale]);
        return ([0.299f * mean[0] + 0.587f * mean[1] + 0.114f * mean[2]], [scale[0]]);
    }

    /// <summary>True when every channel has the same mean and scale (one scalar pair describes it).</summary>
    public static bool IsUniform(this PixelNormalization normalization)
    {
        var (mean, scale) = normalization.Constants(3);
        return mean.All(m => m == mean[0]) && scale.All(s => s == scale[0]);
    }

    /// <summary>The formula as text, e.g. "(x - 127.5) / 128".</summary>
    public static string Formula(this PixelNormalization normalization) => normalization switch
    {
        PixelNormalization.Centered128 => "(x - 127.5) / 128",
        PixelNormalization.Symmetric => "(x - 127.5) / 127.5",
        PixelNormalization.Mnist => "(x / 255 - 0.1307) / 0.3081",
        PixelNormalization.FaceApiMeanRgb => "(x - (122.782, 117.001, 104.298)[RGB]) / 255",
        _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown pixel normalisation"),
    };

    private static float[] Same(float value) => [value, value, value];
}
