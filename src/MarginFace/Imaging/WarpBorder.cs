namespace MarginFace.Imaging;

/// <summary>What <see cref="AffineWarp"/> reads at source positions outside the image.</summary>
internal enum WarpBorder
{
    /// <summary>Outside pixels are 0 (black), as OpenCV's <c>BORDER_CONSTANT</c>; edges fade into black over one pixel.</summary>
    Constant,

    /// <summary>Outside pixels repeat the nearest edge pixel, as OpenCV's <c>BORDER_REPLICATE</c>.</summary>
    Replicate,
}
