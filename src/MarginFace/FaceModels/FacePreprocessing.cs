using MarginFace.Data;
using MarginFace.Imaging;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.FaceModels;

/// <summary>
/// Turns a decoded photo into a backbone's input: <see cref="Crop"/> the face, convert to grey (BT.601 luma,
/// <see cref="RgbImage.ToGrey"/>) or RGB, resize bilinearly (half-pixel alignment, <see cref="AffineWarp.Resize"/>) to
/// <see cref="Width"/>×<see cref="Height"/>, and normalise each sample by <see cref="Normalization"/> into a float32 CHW
/// array. With an <see cref="AugmentationDraw"/> the resize, random window and flip are one bilinear warp, and the intensity
/// jitter is applied before normalising (values stay unrounded).
/// </summary>
public sealed record FacePreprocessing(FaceCrop Crop, int Width, int Height, bool Grey, PixelNormalization Normalization)
{
    /// <summary>1 when <see cref="Grey"/>, else 3.</summary>
    public int Channels => Grey ? 1 : 3;

    /// <summary>Floats per image: C·H·W.</summary>
    public int Length => Channels * Height * Width;

    /// <summary>The input of evaluation and inference: no augmentation, a new float[C·H·W].</summary>
    public float[] ToChw(RgbImage image)
    {
        var values = new float[Length];
        Write(image, values);
        return values;
    }

    /// <summary>One image as a [1, C, H, W] float32 tensor.</summary>
    public Tensor ToTensor(RgbImage image) => tensor(ToChw(image), [1, Channels, Height, Width]);

    /// <summary>Writes the C·H·W floats of <paramref name="image"/> into <paramref name="destination"/>.</summary>
    internal void Write(RgbImage image, Span<float> destination, AugmentationDraw? draw = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckDestination(destination);
        WriteChecked(Crop.Apply(image), destination, draw);
    }

    /// <summary>As <see cref="Write"/> for a face <see cref="Crop"/> has already cut (e.g. from a <see cref="FaceCropCache"/>).</summary>
    internal void WriteFace(RgbImage face, Span<float> destination, AugmentationDraw? draw = null)
    {
        ArgumentNullException.ThrowIfNull(face);
        CheckDestination(destination);
        WriteChecked(face, destination, draw);
    }

    private void WriteChecked(RgbImage face, Span<float> destination, AugmentationDraw? draw)
    {
        face = Grey ? face.ToGrey() : face.ToRgb();
        var d = draw ?? AugmentationDraw.None(Width, Height);
        var input = Geometry(face, d);
        Normalise(input.Pixels, destination, d);
        Erase(destination, d);
    }

    private void CheckDestination(Span<float> destination)
    {
        if (Width < 1 || Height < 1) throw new InvalidOperationException($"input size {Width}×{Height} must be positive.");
        if (destination.Length != Length)
            throw new ArgumentException($"destination holds {destination.Length} floats, the input needs {Length}.", nameof(destination));
    }

    /// <summary>The draw's erased rectangle set to 0, the normalisation's mean, in every channel.</summary>
    private void Erase(Span<float> chw, AugmentationDraw d)
    {
        if (d.EraseWidth <= 0 || d.EraseHeight <= 0) return;
        if (d.EraseX < 0 || d.EraseY < 0 || d.EraseX + d.EraseWidth > Width || d.EraseY + d.EraseHeight > Height)
            throw new ArgumentException($"the erased {d.EraseWidth}×{d.EraseHeight} rectangle at ({d.EraseX}, {d.EraseY}) does not fit the {Width}×{Height} input.", nameof(d));
        int plane = Width * Height;
        for (int c = 0; c < Channels; c++)
            for (int y = d.EraseY; y < d.EraseY + d.EraseHeight; y++)
                chw.Slice(c * plane + y * Width + d.EraseX, d.EraseWidth).Clear();
    }

    /// <summary>Resize to the draw's size, cut the window at its offset, mirror when asked — one warp, or none at all.</summary>
    private RgbImage Geometry(RgbImage face, AugmentationDraw d)
    {
        if (d.ResizeWidth < Width || d.ResizeHeight < Height || d.OffsetX < 0 || d.OffsetY < 0 ||
            d.OffsetX + Width > d.ResizeWidth || d.OffsetY + Height > d.ResizeHeight)
            throw new ArgumentException($"the {Width}×{Height} window at ({d.OffsetX}, {d.OffsetY}) does not fit the {d.ResizeWidth}×{d.ResizeHeight} resize.", nameof(d));
        if (!d.Flip && d.OffsetX == 0 && d.OffsetY == 0 && d.ResizeWidth == Width && d.ResizeHeight == Height)
            return AffineWarp.Resize(face, Width, Height);
        // Output x of the window is resized column xr = OffsetX + x (mirrored: OffsetX + Width − 1 − x), which samples the
        // face at s·(xr + 0.5) − 0.5 with s = face width / resize width (half-pixel alignment, as Resize).
        double sx = (double)face.Width / d.ResizeWidth, sy = (double)face.Height / d.ResizeHeight;
        double[] map = d.Flip
            ? [-sx, 0, sx * (d.OffsetX + Width - 0.5) - 0.5, 0, sy, sy * (d.OffsetY + 0.5) - 0.5]
            : [sx, 0, sx * (d.OffsetX + 0.5) - 0.5, 0, sy, sy * (d.OffsetY + 0.5) - 0.5];
        return AffineWarp.WarpInverse(face, map, Width, Height, WarpBorder.Replicate);
    }

    /// <summary>HWC bytes → CHW floats, with the draw's brightness and contrast, then (x_c − mean_c) / scale_c per channel.</summary>
    private void Normalise(byte[] hwc, Span<float> chw, AugmentationDraw d)
    {
        int channels = Channels, plane = Width * Height;
        var (mean, scale) = Normalization.Constants(channels);
        Span<float> inverseStd = stackalloc float[channels];
        for (int c = 0; c < channels; c++) inverseStd[c] = 1f / scale[c];
        if (d.Brightness == 1f && d.Contrast == 1f)
        {
            for (int i = 0; i < plane; i++)
                for (int c = 0; c < channels; c++)
                    chw[c * plane + i] = (hwc[i * channels + c] - mean[c]) * inverseStd[c];
            return;
        }
        // Brightness first, then contrast around the brightened image's mean grey (over all channels), clamped to [0, 255].
        double sum = 0;
        foreach (var v in hwc) sum += v;
        float imageMean = (float)(sum / hwc.Length) * d.Brightness;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < channels; c++)
            {
                var v = Math.Clamp(imageMean + d.Contrast * (hwc[i * channels + c] * d.Brightness - imageMean), 0f, 255f);
                chw[c * plane + i] = (v - mean[c]) * inverseStd[c];
            }
    }
}
