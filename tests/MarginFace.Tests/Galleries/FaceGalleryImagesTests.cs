using MarginFace.Galleries;

namespace MarginFace.Tests.Galleries;

/// <summary><see cref="FaceGallery.Images"/> (a person's image hashes) and <see cref="FaceGallery.DataVersion"/> (another connection wrote).</summary>
public class FaceGalleryImagesTests
{
    private static string Sha(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    private static GalleryEntry Entry(int i) => new(Sha(i), [1, i, 2, 3]);

    [Fact]
    public void ImagesAreThePersonsHashesInEnrolmentOrder()
    {
        using var dir = new TempDirectory();
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        gallery.Enrol("Ada", [Entry(2), Entry(1)], "m");
        gallery.Enrol("Bo", [Entry(3)], "m");
        gallery.Enrol("Ada", [Entry(2), Entry(4)], "m");
        Assert.Equal([Sha(2), Sha(1), Sha(4)], gallery.Images(" Ada "));
        Assert.Equal([Sha(3)], gallery.Images("Bo"));
        Assert.Contains("no person named 'Cy'", Assert.Throws<MarginFaceException>(() => gallery.Images("Cy")).Message);
    }

    [Fact]
    public void DataVersionChangesWhenAnotherConnectionCommitsAndNotForItsOwnWrites()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("g.db");
        using var reader = FaceGallery.Open(path, create: true);
        using var writer = FaceGallery.Open(path);
        var version = reader.DataVersion;
        reader.Enrol("Own", [Entry(1)], "m");
        Assert.Equal(version, reader.DataVersion);
        writer.Enrol("Other", [Entry(2)], "m");
        Assert.NotEqual(version, reader.DataVersion);
        // A reader that reloads when the version moved finds the other connection's person.
        reader.LoadIndex(force: true);
        Assert.Equal("Other", reader.Search([1, 2, 2, 3], top: 1)[0].Name);
    }
}
