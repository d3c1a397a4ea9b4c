using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Mnist;

/// <summary>
/// One split of MNIST or Fashion-MNIST in memory: <see cref="Count"/> unsigned-byte images of
/// <see cref="Rows"/>×<see cref="Columns"/> pixels (row-major, one after another) and their class labels 0–9.
/// </summary>
internal sealed class MnistDataset
{
    /// <summary>Per-pixel mean of the MNIST training images scaled to [0, 1].</summary>
    public const float MnistMean = 0.1307f;

    /// <summary>Per-pixel standard deviation of the MNIST training images scaled to [0, 1].</summary>
    public const float MnistStd = 0.3081f;

    /// <summary>Per-pixel mean of the Fashion-MNIST training images scaled to [0, 1] (Zalando's published value).</summary>
    public const float FashionMnistMean = 0.2860f;

    /// <summary>Per-pixel standard deviation of the Fashion-MNIST training images scaled to [0, 1] (Zalando's published value).</summary>
    public const float FashionMnistStd = 0.3530f;

    /// <summary>Number of classes in both data sets.</summary>
    public const int Classes = 10;

    private static readonly string[] DigitNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private static readonly string[] FashionNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public MnistDataset(DatasetKind kind, byte[] images, byte[] labels, int rows = IdxReader.ImageSide, int columns = IdxReader.ImageSide)
    {
        if (images.Length != (long)labels.Length * rows * columns)
            throw new ArgumentException($"{images.Length} pixels do not make {labels.Length} images of {rows}×{columns}", nameof(images));
        Kind = kind;
        Images = images;
        Labels = labels;
        Rows = rows;
        Columns = columns;
    }

    public DatasetKind Kind { get; }

    /// <summary>All pixels, image after image, each row-major.</summary>
    public byte[] Images { get; }

    /// <summary>Class of each image, 0–9.</summary>
    public byte[] Labels { get; }

    public int Count => Labels.Length;

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Names of classes 0–9: the digits for MNIST, Zalando's clothing names for Fashion-MNIST.</summary>
    public IReadOnlyList<string> ClassNames => ClassNamesFor(Kind);

    /// <summary>The dataset's name for titles and reports: MNIST or Fashion-MNIST.</summary>
    public static string DisplayName(DatasetKind kind) => kind == DatasetKind.FashionMnist ? "Fashion-MNIST" : "MNIST";

    public static IReadOnlyList<string> ClassNamesFor(DatasetKind kind) => kind == DatasetKind.FashionMnist ? FashionNames : DigitNames;

    /// <summary>The training-set mean and standard deviation used by <see cref="ToTensors"/>.</summary>
    public static (float Mean, float Std) NormalizationFor(DatasetKind kind) =>
        kind == DatasetKind.FashionMnist ? (FashionMnistMean, FashionMnistStd) : (MnistMean, MnistStd);

    /// <summary>
    /// Reads <paramref name="split"/> from <paramref name="directory"/>, which holds the standard file names of
    /// <see cref="MnistFileNames"/> (plain or <c>.gz</c>). Images must be 28×28 unless <paramref name="allowAnyImageSize"/>.
    /// </summary>
    public static MnistDataset Load(string directory, DatasetKind kind, DatasetSplit split, bool allowAnyImageSize = false)
    {
        var imagesPath = FindFile(directory, MnistFileNames.Images(split));
        var labelsPath = FindFile(directory, MnistFileNames.Labels(split));
        var images = IdxReader.ReadImages(imagesPath, allowAnyImageSize);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new MarginFaceException($"{imagesPath} has {images.Count} images but {labelsPath} has {labels.Length} labels");
        var outOfRange = Array.FindIndex(labels, label => label >= Classes);
        if (outOfRange >= 0)
            throw new MarginFaceException($"{labelsPath}: label {labels[outOfRange]} at index {outOfRange} is outside 0–{Classes - 1}");
        return new MnistDataset(kind, images.Pixels, labels, images.Rows, images.Columns);
    }

    /// <summary>The first <paramref name="count"/> images (all of them if there are fewer).</summary>
    public MnistDataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, Count);
        return Select(Enumerable.Range(0, count).ToArray());
    }

    /// <summary><paramref name="count"/> distinct images chosen at random by <paramref name="seed"/> (same seed, same subset), in their original order.</summary>
    public MnistDataset Sample(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, Count);
        var indices = Enumerable.Range(0, Count).ToArray();
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var j = random.Next(i, indices.Length);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        var chosen = indices[..count];
        Array.Sort(chosen);
        return Select(chosen);
    }

    /// <summary>
    /// Images as float32 [N, 1, rows, columns], scaled to [0, 1] then normalised with <see cref="NormalizationFor"/>,
    /// and labels as int64 [N]. The caller disposes both.
    /// </summary>
    public (Tensor Images, Tensor Labels) ToTensors(Device? device = null)
    {
        var (mean, std) = NormalizationFor(Kind);
        var pixels = new float[Images.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (Images[i] / 255f - mean) / std;
        var labels = new long[Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = Labels[i];
        var imageTensor = tensor(pixels, [Count, 1, Rows, Columns], ScalarType.Float32);
        var labelTensor = tensor(labels, [Count], ScalarType.Int64);
        if (device is null || device.type == DeviceType.CPU) return (imageTensor, labelTensor);
        using (imageTensor)
        using (labelTensor)
            return (imageTensor.to(device), labelTensor.to(device));
    }

    private MnistDataset Select(int[] indices)
    {
        var size = Rows * Columns;
        var images = new byte[indices.Length * size];
        var labels = new byte[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            Array.Copy(Images, (long)indices[i] * size, images, (long)i * size, size);
            labels[i] = Labels[indices[i]];
        }
        return new MnistDataset(Kind, images, labels, Rows, Columns);
    }

    private static string FindFile(string directory, string name) =>
        MnistFileNames.Find(directory, name)
        ?? throw new MarginFaceException($"{directory}: missing {name} (or {name}.gz)");
}
