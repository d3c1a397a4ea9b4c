using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Models;

namespace MarginFace.Tests.Data;

/// <summary>The loader on the real LFW deep-funneled JPEGs (skipped when ../shared/data/lfw is absent).</summary>
[Trait("Category", "Integration")]
public class LfwLoaderTests : TorchTest
{
    private const string Lfw = "data/lfw/lfw-deepfunneled";

    [SharedDataFact(Lfw)]
    public void LfwHas1680PeopleWithTwoOrMoreImagesAndItsJpegsBatchAsGrey128()
    {
        var dataset = IdentityFolderDataset.Scan(SharedData.Data("lfw", "lfw-deepfunneled")!, new IdentityFolderOptions(MinImages: 2));
        Assert.Equal(1680, dataset.ClassCount);
        Assert.Equal(9164, dataset.Samples.Count); // 13,233 images of 5,749 people, less the 4,069 people with one image
        Assert.Equal("Aaron_Peirsol", dataset.Identities[0]);
        var preprocessing = new FacePreprocessing(FaceCrop.Parse("center:150"), 128, 128, true, PixelNormalization.Centered128);
        var source = new ImageFolderBatchSource(dataset, preprocessing, FaceAugmentation.Seeds, new ImageFolderBatchOptions(8, Seed: 3, Workers: 2));
        using var batch = source.Read(1, 0).First();
        Assert.Equal(new long[] { 8, 1, 128, 128 }, batch.Images.shape);
        var values = batch.Images.data<float>().ToArray();
        Assert.All(values, v => Assert.InRange(v, -127.5f / 128, 127.5f / 128));
        Assert.True(values.Max() - values.Min() > 1f, "a real face has contrast");
        Assert.Empty(source.Unreadable);
    }
}
