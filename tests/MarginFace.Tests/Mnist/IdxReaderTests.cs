using MarginFace.Mnist;

namespace MarginFace.Tests.Mnist;

public class IdxReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string name, byte[] bytes)
    {
        var path = _temp.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadsImagesAndLabelsAsWritten()
    {
        var (pixels, labels) = SyntheticMnist.Make(5);
        var images = IdxReader.ReadImages(Write("images", SyntheticMnist.ImagesFile(5)));
        Assert.Equal(5, images.Count);
        Assert.Equal(28, images.Rows);
        Assert.Equal(28, images.Columns);
        Assert.Equal(pixels, images.Pixels);
        Assert.Equal(labels, IdxReader.ReadLabels(Write("labels", SyntheticMnist.LabelsFile(5))));
    }

    [Fact]
    public void TruncatedFileIsRejectedWithExpectedAndFoundLengths()
    {
        var path = Write("train-images-idx3-ubyte", SyntheticMnist.ImagesFile(3)[..1000]);
        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: truncated: expected {16 + 3 * 784} bytes, found 1000", error.Message);
    }

    [Fact]
    public void FileShorterThanItsHeaderIsTruncated()
    {
        var path = Write("labels", SyntheticMnist.LabelsFile(3)[..6]);
        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadLabels(path));
        Assert.StartsWith($"{path}: truncated:", error.Message);
    }

    [Fact]
    public void TrailingBytesAreRejected()
    {
        var path = Write("labels", [.. SyntheticMnist.LabelsFile(4), 0, 0]);
        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadLabels(path));
        Assert.Equal($"{path}: trailing bytes: expected 12 bytes, found 14", error.Message);
    }

    [Fact]
    public void WrongMagicIsRejected()
    {
        var path = Write("labels-as-images", SyntheticMnist.LabelsFile(4));
        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: wrong magic number 0x00000801, expected 0x00000803 (IDX unsigned-byte images)", error.Message);
    }

    [Fact]
    public void NonUnsignedByteElementTypeIsRejected()
    {
        var bytes = SyntheticMnist.LabelsFile(4);
        bytes[2] = 0x0D;
        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadLabels(Write("floats", bytes)));
        Assert.Contains("wrong magic number 0x00000D01", error.Message);
    }

    [Fact]
    public void ImagesOtherThan28By28AreRejectedUnlessAllowed()
    {
        using var stream = new MemoryStream();
        IdxWriter.WriteImages(stream, new byte[2 * 32 * 30], 2, 32, 30);
        var path = Write("images", stream.ToArray());

        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: images are 32×30, expected 28×28", error.Message);
        var images = IdxReader.ReadImages(path, allowAnySize: true);
        Assert.Equal((2, 32, 30), (images.Count, images.Rows, images.Columns));
    }

    [Fact]
    public void GzippedFilesAreDetectedByMagicAndReadTransparently()
    {
        var (pixels, labels) = SyntheticMnist.Make(6);
        Assert.Equal(pixels, IdxReader.ReadImages(Write("images.gz", SyntheticMnist.Gzip(SyntheticMnist.ImagesFile(6)))).Pixels);
        Assert.Equal(labels, IdxReader.ReadLabels(Write("labels-no-suffix", SyntheticMnist.Gzip(SyntheticMnist.LabelsFile(6)))));
    }

    [Fact]
    public void TruncatedContentOfAGzippedFileIsReportedAfterDecompression()
    {
        var path = Write("images.gz", SyntheticMnist.Gzip(SyntheticMnist.ImagesFile(2)[..100]));
        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: truncated: expected {16 + 2 * 784} bytes after decompression, found 100", error.Message);
    }

    [Fact]
    public void CorruptGzipStreamIsReported()
    {
        var gzip = SyntheticMnist.Gzip(SyntheticMnist.ImagesFile(20));
        var path = Write("images.gz", gzip[..(gzip.Length / 2)]);
        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith($"{path}: ", error.Message);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        var path = _temp.Combine("nope");
        var error = Assert.Throws<MarginFaceException>(() => IdxReader.ReadLabels(path));
        Assert.Equal($"{path}: file not found", error.Message);
    }
}
