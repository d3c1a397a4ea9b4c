namespace MarginFace.Mnist;

/// <summary>The four standard IDX file names of an MNIST-style data set (each may also be stored with a <c>.gz</c> suffix).</summary>
internal static class MnistFileNames
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>All four, training files first.</summary>
    public static IReadOnlyList<string> All { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    public static string Images(DatasetSplit split) => split == DatasetSplit.Train ? TrainImages : TestImages;

    public static string Labels(DatasetSplit split) => split == DatasetSplit.Train ? TrainLabels : TestLabels;

    /// <summary>The path of <paramref name="name"/> in <paramref name="directory"/>, plain or gzipped (plain preferred), or null if neither exists.</summary>
    public static string? Find(string directory, string name)
    {
        var plain = Path.Combine(directory, name);
        if (File.Exists(plain)) return plain;
        var gzipped = plain + ".gz";
        return File.Exists(gzipped) ? gzipped : null;
    }
}
