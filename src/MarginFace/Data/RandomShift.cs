using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Data;

/// <summary>
/// Moves every image of a batch by its own whole-pixel offset (dx, dy), each uniform in [−max, max], filling the uncovered
/// border with the background value — the classic MNIST translation augmentation (pad by max, crop at a random offset).
/// </summary>
public sealed class RandomShift : IBatchAugmentation
{
    /// <param name="maxPixels">Largest shift along each axis.</param>
    /// <param name="background">Value of an empty pixel in the batch's (normalised) units.</param>
    public RandomShift(int maxPixels, double background)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPixels);
        if (!double.IsFinite(background)) throw new ArgumentOutOfRangeException(nameof(background), background, "background must be finite.");
        MaxPixels = maxPixels;
        Background = background;
    }

    /// <summary>Largest shift along each axis, in pixels.</summary>
    public int MaxPixels { get; }

    /// <summary>Value of an uncovered pixel, in the batch's normalised units.</summary>
    public double Background { get; }

    /// <summary>The batch [B,C,H,W] with each image moved by its own (dx, dy) drawn from <paramref name="generator"/>.</summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"images must have shape [B, C, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        if (MaxPixels == 0) return images.alias();
        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        int p = MaxPixels;
        var padded = nn.functional.pad(images, [p, p, p, p], PaddingModes.Constant, Background);
        // Offsets are drawn on the CPU generator, then moved: the numbers do not depend on the device.
        var offsets = randint(0, 2 * p + 1, [b, 2], dtype: ScalarType.Int64, generator: generator).to(images.device);
        var rows = (offsets[.., 0].unsqueeze(1) + arange(h, device: images.device)).view(b, 1, h, 1).expand(b, c, h, w + 2 * p);
        var cropped = padded.gather(2, rows);
        var cols = (offsets[.., 1].unsqueeze(1) + arange(w, device: images.device)).view(b, 1, 1, w).expand(b, c, h, w);
        return cropped.gather(3, cols).MoveToOuterDisposeScope();
    }
}
