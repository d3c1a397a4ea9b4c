using MarginFace.Imaging;

namespace MarginFace.Data;

/// <summary>Keeps the whole image (already aligned faces, e.g. 112×112 crops).</summary>
internal sealed class NoFaceCrop : FaceCrop
{
    public override RgbImage Apply(RgbImage image) => image;

    public override string ToString() => "none";
}
