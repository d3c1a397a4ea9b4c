using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;

namespace MarginFace.Tests.Interop;

/// <summary>face-api's crop, pad-to-square, resize, normalisation and landmark postProcess as <see cref="FaceApiInput"/> reproduces them.</summary>
public class FaceApiInputTests
{
    private static readonly float[] Mean = [122.782f, 117.001f, 104.298f];

    private static RgbImage Filled(int width, int height, byte value) =>
        new(width, height, 3, Enumerable.Repeat(value, width * height * 3).ToArray());

    [Fact]
    public void ABoxIsClippedAtTheBordersThenEachOfXYWidthHeightFloored()
    {
        Assert.Equal(new FaceApiInput.Crop(0, 20, 80, 99), FaceApiInput.Clip(160, 120, -10.5, 20.2, 90.6, 120.3));
        Assert.Equal(new FaceApiInput.Crop(13, 9, 101, 87), FaceApiInput.Clip(160, 120, 13.4, 9.7, 101.3, 87.9));
        Assert.Null(FaceApiInput.Clip(160, 120, 170, 10, 20, 20));
        Assert.Null(FaceApiInput.Clip(160, 120, -30, 10, 20.5, 20));
        Assert.Null(FaceApiInput.Clip(160, 120, double.NaN, 10, 20, 20));
    }

    [Fact]
    public void ABoxWithNoPixelInsideIsAOneLineErrorNamingIt()
    {
        var error = Assert.Throws<MarginFaceException>(() => FaceApiInput.ClipOrThrow(Filled(160, 120, 0), 200, 10, 20, 20));
        Assert.Equal("face box (200, 10, 20×20) has no pixel inside the 160×120 image", error.Message);
    }

    [Fact]
    public void ASquare112CropIsOnlyNormalised()
    {
        var image = Filled(112, 112, 200);
        var input = new float[3 * 112 * 112];
        FaceApiInput.Fill(image, new FaceApiInput.Crop(0, 0, 112, 112), input);
        for (var c = 0; c < 3; c++) Assert.Equal((200 - Mean[c]) / 255f, input[c * 112 * 112 + 5000]);
    }

    [Fact]
    public void PaddingPutsTheRoundedHalfAfterTheCropAndTheRestBefore()
    {
        // 51 × 112: d = 61, JavaScript's Math.round(30.5) = 31 columns appended, 30 prepended; already 112 high, so no resize.
        var image = Filled(51, 112, 255);
        var input = new float[3 * 112 * 112];
        FaceApiInput.Fill(image, new FaceApiInput.Crop(0, 0, 51, 112), input);
        float Red(int column) => input[50 * 112 + column];
        Assert.Equal((0 - Mean[0]) / 255f, Red(29));
        Assert.Equal((255 - Mean[0]) / 255f, Red(30));
        Assert.Equal((255 - Mean[0]) / 255f, Red(80));
        Assert.Equal((0 - Mean[0]) / 255f, Red(81));
    }

    [Fact]
    public void ResizeIsTensorFlowsLegacyBilinearWithoutHalfPixelCentres()
    {
        // A 224 × 224 crop whose columns alternate 0 and 200: source x = 2·column lands on even (0-valued) columns exactly.
        var pixels = new byte[224 * 224 * 3];
        for (var y = 0; y < 224; y++)
            for (var x = 1; x < 224; x += 2)
                for (var c = 0; c < 3; c++) pixels[(y * 224 + x) * 3 + c] = 200;
        var input = new float[3 * 112 * 112];
        FaceApiInput.Fill(new RgbImage(224, 224, 3, pixels), new FaceApiInput.Crop(0, 0, 224, 224), input);
        Assert.All(input.Take(112 * 112), v => Assert.Equal((0 - Mean[0]) / 255f, v));
    }

    [Fact]
    public void LandmarksUndoThePaddingScaleAndCropCorner()
    {
        // A 100 × 50 crop at (10, 20): the 112 square holds it 112 × 56, 28 rows of padding above.
        var output = new float[136];
        output[0] = 0.5f; output[1] = 0.25f;
        output[2] = 1f; output[3] = 0.75f;
        var points = FaceApiInput.Landmarks(output, new FaceApiInput.Crop(10, 20, 100, 50));
        Assert.Equal(60, points[0].X, 4);
        Assert.Equal(20, points[0].Y, 4);
        Assert.Equal(110, points[1].X, 4);
        Assert.Equal(70, points[1].Y, 4);
    }

    [Fact]
    public void AGreyImageIsReadAsThreeEqualChannels()
    {
        var grey = new RgbImage(112, 112, 1, Enumerable.Repeat((byte)90, 112 * 112).ToArray());
        var fromGrey = new float[3 * 112 * 112];
        var fromRgb = new float[3 * 112 * 112];
        FaceApiInput.Fill(grey, new FaceApiInput.Crop(0, 0, 112, 112), fromGrey);
        FaceApiInput.Fill(grey.ToRgb(), new FaceApiInput.Crop(0, 0, 112, 112), fromRgb);
        Assert.Equal(fromRgb, fromGrey);
    }
}
