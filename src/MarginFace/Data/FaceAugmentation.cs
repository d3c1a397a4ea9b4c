using MarginFace.FaceModels;
using MarginFace.Runtime;

namespace MarginFace.Data;

/// <summary>
/// Training augmentation, each part on or off: horizontal flip with probability 0.5; the seeds' resize-then-random-crop
/// (resize the face so its height is <see cref="ResizeTo"/>, e.g. 144, then cut the input-sized window, e.g. 128, at a
/// uniform offset); brightness x·β with β uniform in [1 − <see cref="Brightness"/>, 1 + <see cref="Brightness"/>], then
/// contrast m + γ·(x − m) around the image mean m with γ uniform in [1 − <see cref="Contrast"/>, 1 + <see cref="Contrast"/>]
/// (torchvision's ColorJitter order), clamped to [0, 255]; random erasing (Zhong et al., "Random Erasing Data Augmentation",
/// AAAI 2020) with probability <see cref="Erase"/>: one rectangle of area s·H·W, s uniform in [0.02, 0.4], aspect ratio h/w
/// log-uniform in [0.3, 1/0.3], at a uniform place, set to the normalisation's mean. Every draw comes from a <see cref="SplitMix64"/> keyed by
/// (seed, epoch, step, index in batch), so an image's augmentation is a pure function of where it sits in the run.
/// </summary>
public sealed record FaceAugmentation(bool Flip = true, int? ResizeTo = null, double Brightness = 0, double Contrast = 0, double Erase = 0)
{
    /// <summary>Zhong et al.'s area range [s_l, s_h] and smallest aspect ratio r_1.</summary>
    public const double EraseAreaMin = 0.02, EraseAreaMax = 0.4, EraseAspectMin = 0.3;

    /// <summary>Stream tag separating augmentation draws from other uses of the same seed.</summary>
    private const long Stream = 0x417567;

    /// <summary>The seeds' recipe for a 128×128 input: flip, resize to 144, random crop 128.</summary>
    public static FaceAugmentation Seeds { get; } = new(Flip: true, ResizeTo: 144);

    /// <summary>Throws unless the settings fit <paramref name="preprocessing"/>'s input size.</summary>
    public void Validate(FacePreprocessing preprocessing)
    {
        if (ResizeTo is { } r && r < preprocessing.Height)
            throw new MarginFaceException($"random crop: resize size {r} is smaller than the input height {preprocessing.Height}");
        if (!(Brightness is >= 0 and < 1)) throw new MarginFaceException($"brightness jitter {Brightness} is outside [0, 1)");
        if (!(Contrast is >= 0 and < 1)) throw new MarginFaceException($"contrast jitter {Contrast} is outside [0, 1)");
        if (!(Erase is >= 0 and <= 1)) throw new MarginFaceException($"random erasing probability {Erase} is outside [0, 1]");
    }

    /// <summary>The choices for image <paramref name="index"/> of batch <paramref name="step"/> in <paramref name="epoch"/>.</summary>
    internal AugmentationDraw Draw(FacePreprocessing preprocessing, long seed, int epoch, int step, int index)
    {
        var random = SplitMix64.For(Stream, seed, epoch, step, index);
        // Always the same draws in the same order, so turning one part off does not change the others; erasing's come last,
        // so the other parts draw what they drew before erasing existed.
        var flip = random.NextDouble() < 0.5;
        var ux = random.NextDouble();
        var uy = random.NextDouble();
        var ub = random.NextDouble();
        var uc = random.NextDouble();
        var ue = random.NextDouble();
        var us = random.NextDouble();
        var ur = random.NextDouble();
        var uex = random.NextDouble();
        var uey = random.NextDouble();
        int width = preprocessing.Width, height = preprocessing.Height;
        int resizeWidth = width, resizeHeight = height, offsetX = 0, offsetY = 0;
        if (ResizeTo is { } r)
        {
            resizeHeight = r;
            resizeWidth = Math.Max(width, (int)Math.Round((double)r * width / height));
            offsetX = (int)(ux * (resizeWidth - width + 1));
            offsetY = (int)(uy * (resizeHeight - height + 1));
        }
        int eraseX = 0, eraseY = 0, eraseWidth = 0, eraseHeight = 0;
        if (ue < Erase)
        {
            var area = (EraseAreaMin + us * (EraseAreaMax - EraseAreaMin)) * width * height;
            var aspect = Math.Exp(Math.Log(EraseAspectMin) * (1 - 2 * ur));
            eraseWidth = Math.Clamp((int)Math.Round(Math.Sqrt(area / aspect)), 1, width);
            eraseHeight = Math.Clamp((int)Math.Round(Math.Sqrt(area * aspect)), 1, height);
            eraseX = (int)(uex * (width - eraseWidth + 1));
            eraseY = (int)(uey * (height - eraseHeight + 1));
        }
        return new AugmentationDraw(
            Flip && flip, resizeWidth, resizeHeight, offsetX, offsetY,
            (float)(1 + Brightness * (2 * ub - 1)), (float)(1 + Contrast * (2 * uc - 1)),
            eraseX, eraseY, eraseWidth, eraseHeight);
    }
}
