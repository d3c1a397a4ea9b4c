using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Tests.Models;

public class PixelNormalizationTests : TorchTest
{
    [Fact]
    public void FaceApiMeanRgbSubtractsEachChannelsMeanAndDividesBy255()
    {
        var (mean, scale) = PixelNormalization.FaceApiMeanRgb.Constants(3);
        Assert.Equal([122.782f, 117.001f, 104.298f], mean);
        Assert.Equal([255f, 255f, 255f], scale);
        Assert.False(PixelNormalization.FaceApiMeanRgb.IsUniform());
    }

    [Theory]
    [InlineData(PixelNormalization.Centered128, 127.5f, 128f)]
    [InlineData(PixelNormalization.Symmetric, 127.5f, 127.5f)]
    public void UniformNormalisationGivesEveryChannelTheSameConstants(PixelNormalization normalization, float mean, float scale)
    {
        Assert.True(normalization.IsUniform());
        var (means, scales) = normalization.Constants(3);
        Assert.Equal([mean, mean, mean], means);
        Assert.Equal([scale, scale, scale], scales);
        var (grey, greyScale) = normalization.Constants(1);
        Assert.Equal(mean, grey.Single(), 4);
        Assert.Equal(scale, greyScale.Single());
    }

    [Fact]
    public void GreyInputOfAPerChannelMeanSubtractsTheLumaOfThatMean()
    {
        var (grey, scale) = PixelNormalization.FaceApiMeanRgb.Constants(1);
        Assert.Equal(0.299f * 122.782f + 0.587f * 117.001f + 0.114f * 104.298f, grey.Single(), 4);
        Assert.Equal(255f, scale.Single());
    }

    [Fact]
    public void PreprocessingNormalisesEachChannelExactlyAsFaceApiDoes()
    {
        const int size = 150;
        var random = new Random(7);
        var hwc = new byte[size * size * 3];
        random.NextBytes(hwc);
        var image = new RgbImage(size, size, 3, hwc);
        var ours = new FacePreprocessing(FaceCrop.None, size, size, Grey: false, PixelNormalization.FaceApiMeanRgb).ToChw(image);

        using var scope = NewDisposeScope();
        var pixels = tensor(hwc, ScalarType.Byte).reshape(1, size, size, 3).permute(0, 3, 1, 2);
        var faceApi = FaceApiResNet.Normalize(pixels).contiguous().data<float>().ToArray();

        Assert.Equal(faceApi.Length, ours.Length);
        Assert.True(ours.Zip(faceApi, (a, b) => Math.Abs(a - b)).Max() < 1e-6f);
        // The first pixel of each channel plane, by hand.
        for (int c = 0; c < 3; c++)
            Assert.True(Math.Abs((hwc[c] - PixelNormalization.FaceApiMeanRgb.Constants(3).Mean[c]) / 255f - ours[c * size * size]) < 1e-6f);
    }
}
