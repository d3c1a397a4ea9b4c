using System.Globalization;
using MarginFace.Imaging;

namespace MarginFace.Data;

/// <summary>
/// The first preprocessing step: which part of a decoded photo is the face. <see cref="Parse"/> reads the option text
/// (<c>none</c>, <c>center:SIZE</c>, <c>landmarks[:TEMPLATE]</c>: detection and 5-point alignment, <see cref="LandmarkFaceCrop"/>).
/// <see cref="ToString"/> gives the text back, so a model file can store it.
/// </summary>
public abstract class FaceCrop
{
    /// <summary>The whole image.</summary>
    public static FaceCrop None { get; } = new NoFaceCrop();

    /// <summary>The centred <paramref name="size"/>×<paramref name="size"/> square.</summary>
    public static FaceCrop Center(int size) => new CenterFaceCrop(size);

    /// <summary>The face region of <paramref name="image"/>; a <see cref="MarginFaceException"/> when this image cannot give one.</summary>
    public abstract RgbImage Apply(RgbImage image);

    /// <summary>The option text of this crop, which <see cref="Parse"/> reads back (stored in model files).</summary>
    public abstract override string ToString();

    /// <summary>Reads <c>none</c>, <c>center:SIZE</c> or <c>landmarks[:TEMPLATE]</c>; anything else is a <see cref="MarginFaceException"/> naming the text.</summary>
    public static FaceCrop Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase)) return None;
        if (trimmed.StartsWith("center:", StringComparison.OrdinalIgnoreCase))
        {
            var size = trimmed["center:".Length..];
            if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var pixels) || pixels < 1)
                throw new MarginFaceException($"crop '{text}': the size after 'center:' must be a positive whole number of pixels");
            return Center(pixels);
        }
        if (trimmed.Equals("landmarks", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("landmarks:", StringComparison.OrdinalIgnoreCase))
            return LandmarkFaceCrop.FromText(trimmed);
        throw new MarginFaceException($"crop '{text}': expected 'none', 'center:SIZE' (e.g. center:150) or 'landmarks[:112|96x112|128|150]'");
    }
}
