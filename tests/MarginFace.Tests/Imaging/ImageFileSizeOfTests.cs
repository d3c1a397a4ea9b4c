using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Imaging;

/// <summary><see cref="ImageFile.SizeOf"/>: the size of an image in memory from its header alone.</summary>
public class ImageFileSizeOfTests
{
    [Fact]
    public void SizeComesFromTheHeaderAndBadBytesAreOneLineErrors()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("a.png");
        FaceImageFile.SavePng(TestImages.Blank(37, 21), path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal((37, 21), ImageFile.SizeOf(bytes, "upload"));
        Assert.Equal("upload: empty file", Assert.Throws<MarginFaceException>(() => ImageFile.SizeOf([], "upload")).Message);
        Assert.StartsWith("upload: not an image", Assert.Throws<MarginFaceException>(() => ImageFile.SizeOf("hello"u8.ToArray(), "upload")).Message);
    }
}
