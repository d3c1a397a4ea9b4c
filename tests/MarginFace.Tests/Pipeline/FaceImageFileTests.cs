using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Pipeline;

public class FaceImageFileTests
{
    private static readonly DetectedFace Face = new(60, 80, 100, 100, 0.93f, [new(90, 110), new(130, 110), new(110, 130), new(95, 150), new(125, 150)]);

    private static int LabelPixels(RgbImage image, int top, int bottom)
    {
        // The label's band is dark green (0, 110, 0) with white text, left-aligned on the box.
        int count = 0;
        for (int y = top; y < bottom; y++)
            for (int x = (int)Face.X; x < Face.X + 40; x++)
                if (image[x, y, 0] < 40 && image[x, y, 1] is > 90 and < 130 && image[x, y, 2] < 40) count++;
        return count;
    }

    [Fact]
    public void EachFaceIsLabelledAboveItsBoxOrInsideItWhenTheBoxTouchesTheTop()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("drawn.png");
        FaceImageFile.SaveWithDetections(TestImages.Blank(240, 240), [Face], path);
        var drawn = ImageFile.Read(path);
        Assert.Equal((240, 240), (drawn.Width, drawn.Height));
        Assert.True(LabelPixels(drawn, 50, 78) > 50, "no label band above the box");
        Assert.Equal(0, LabelPixels(TestImages.Blank(240, 240), 50, 78));

        var atTop = Face with { Y = 0 };
        FaceImageFile.SaveWithDetections(TestImages.Blank(240, 240), [atTop], path, ["1  Ada"]);
        Assert.True(LabelPixels(ImageFile.Read(path), 2, 20) > 50, "no label band inside the box's top edge");
        Assert.Throws<ArgumentException>(() => FaceImageFile.SaveWithDetections(TestImages.Blank(240, 240), [Face], path, ["a", "b"]));
    }
}
