namespace MarginFace.Models;

/// <summary>
/// What a backbone expects and produces: a <see cref="Channels"/>×<see cref="InputHeight"/>×<see cref="InputWidth"/> image
/// (1 = grey, 3 = RGB) normalised by <see cref="Normalization"/>, mapped to an <see cref="EmbeddingSize"/>-dimensional embedding.
/// </summary>
/// <param name="Name">The factory name, e.g. "iresnet50".</param>
/// <param name="InputWidth">Input width in pixels.</param>
/// <param name="InputHeight">Input height in pixels.</param>
/// <param name="Channels">1 (grey) or 3 (RGB, in that order).</param>
/// <param name="Normalization">Map from 8-bit pixels to the network's input.</param>
/// <param name="EmbeddingSize">D, the size of the output.</param>
/// <param name="ParameterCount">Number of scalars in the module's parameters (frozen ones included).</param>
public sealed record BackboneSpec(
    string Name,
    int InputWidth,
    int InputHeight,
    int Channels,
    PixelNormalization Normalization,
    int EmbeddingSize,
    long ParameterCount)
{
    /// <summary>The input as "WxHxC", e.g. "112x112x3".</summary>
    public string Input => $"{InputWidth}x{InputHeight}x{Channels}";
}
