using MarginFace.Imaging;

namespace MarginFace.Data;

/// <summary>
/// The centred Size×Size square, top-left at (⌊(W − Size)/2⌋, ⌊(H − Size)/2⌋): LFW deep-funneled faces sit at the centre of
/// 250×250, and <c>center:150</c> is the usual rough alignment. An image smaller than Size on either side is an error.
/// </summary>
public sealed class CenterFaceCrop : FaceCrop
{
    /// <summary>The centred <paramref name="size"/>×<paramref name="size"/> square (the MNIST-style crop of pre-aligned photos).</summary>
    public CenterFaceCrop(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
    }

    /// <summary>Side of the square in pixels.</summary>
    public int Size { get; }

    /// <summary>The centre square; an image smaller than it is a <see cref="MarginFaceException"/>.</summary>
    public override RgbImage Apply(RgbImage image)
    {
        if (image.Width < Size || image.Height < Size)
            throw new MarginFaceException($"image is {image.Width}×{image.Height}, smaller than the center:{Size} crop");
        return AffineWarp.Crop(image, (image.Width - Size) / 2, (image.Height - Size) / 2, Size, Size);
    }

    /// <summary><c>center:SIZE</c>, the text <see cref="FaceCrop.Parse"/> reads back.</summary>
    public override string ToString() => $"center:{Size}";
}
