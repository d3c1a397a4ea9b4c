using MarginFace.Data;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Data;

/// <summary>
/// <c>dataset pack --align</c> (<see cref="RecordIoWriter.Pack(IdentityFolderDataset, string, FaceCrop)"/>): each image's
/// detected and aligned 112×112 face stored as JPEG, in the folder's order and labels; an image without a face stops the pack
/// with one line naming it and writes nothing.
/// </summary>
[Trait("Category", "Integration")]
public class RecordIoAlignTests
{
    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.ColinPowell2, TestImages.GeorgeWBush1, TestImages.Lfw + "/George_W_Bush/George_W_Bush_0002.jpg")]
    public void AlignedFacesArePackedAsJpegInTheFoldersOrderAndAFacelessImageIsNamed()
    {
        using var temp = new TempDirectory();
        var faces = temp.Combine("faces");
        foreach (var name in new[] { "Colin_Powell", "George_W_Bush" })
        {
            Directory.CreateDirectory(Path.Combine(faces, name));
            for (int n = 1; n <= 2; n++) File.Copy(TestImages.LfwPath(name, n), Path.Combine(faces, name, $"{name}_{n:D4}.jpg"));
        }
        var dataset = IdentityFolderDataset.Scan(faces);
        var crop = new LandmarkFaceCrop(AlignmentTemplate.ArcFace112, TestImages.YuNetPath);
        var output = temp.Combine("rec");
        RecordIoWriter.Pack(dataset, output, crop);

        using var rec = RecordIoDataset.Open(output);
        Assert.Equal((2, 112, 112), rec.Property);
        Assert.Equal(4, rec.Count);
        for (int i = 0; i < rec.Count; i++)
        {
            Assert.Equal(dataset.Samples[i].Label, rec.ReadLabel(i));
            var bytes = rec.ReadImageBytes(i);
            Assert.Equal(JpegEncoder.Encode(crop.Apply(ImageFile.Read(dataset.Samples[i].Path))), bytes);
            var face = rec.ReadImage(i);
            Assert.Equal((112, 112), (face.Width, face.Height));
        }

        var blank = Path.Combine(faces, "George_W_Bush", "George_W_Bush_0003.jpg");
        File.WriteAllBytes(blank, JpegEncoder.Encode(new RgbImage(160, 160, 3, new byte[160 * 160 * 3])));
        var error = Assert.Throws<MarginFaceException>(() => RecordIoWriter.Pack(IdentityFolderDataset.Scan(faces), temp.Combine("rec2"), crop));
        Assert.Equal($"{blank}: no face found for the crop landmarks:112", error.Message);
        Assert.False(File.Exists(Path.Combine(temp.Combine("rec2"), "train.rec")));
    }
}
