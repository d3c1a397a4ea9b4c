using SkiaSharp;
using MarginFace.Visualization;

namespace MarginFace.Tests.Visualization;

public class GifAnimationTests
{
    private static SKColor Class(int c) => new(0xFF000000u | ClassPalette.Rgb(c));

    /// <summary>A 24×16 frame: left half class colour <paramref name="c"/>, right half black, a white 4×4 square at (2,2).</summary>
    private static SKBitmap Frame(int c)
    {
        var bitmap = new SKBitmap(new SKImageInfo(24, 16, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 24; x++)
                bitmap.SetPixel(x, y, x >= 2 && x < 6 && y >= 2 && y < 6 ? SKColors.White : x < 12 ? Class(c) : SKColors.Black);
        return bitmap;
    }

    private static SKBitmap DecodeFrame(SKCodec codec, int index)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels(), new SKCodecOptions(index));
        Assert.Equal(SKCodecResult.Success, result);
        return bitmap;
    }

    [Fact]
    public void ThreeFrameAnimationDecodesBackWithSkiaSharp()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("three.gif");
        var frames = new[] { Frame(0), Frame(1), Frame(3) };
        try
        {
            GifAnimation.Save(path, frames, delayMilliseconds: 250, lastFrameDelayMilliseconds: 1000);
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal("GIF89a"u8.ToArray(), bytes[..6]);
        Assert.Equal(0x3B, bytes[^1]);
        using var codec = SKCodec.Create(path);
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Gif, codec.EncodedFormat);
        Assert.Equal(3, codec.FrameCount);
        Assert.Equal(new SKSizeI(24, 16), codec.Info.Size);
        Assert.Equal(-1, codec.RepetitionCount); // Skia's "infinite"
        Assert.Equal([250, 250, 1000], codec.FrameInfo.Select(f => f.Duration));

        int[] classes = [0, 1, 3];
        for (int f = 0; f < 3; f++)
        {
            using var decoded = DecodeFrame(codec, f);
            Assert.Equal(Class(classes[f]), decoded.GetPixel(0, 0));
            Assert.Equal(Class(classes[f]), decoded.GetPixel(11, 15));
            Assert.Equal(SKColors.White, decoded.GetPixel(3, 3));
            Assert.Equal(SKColors.Black, decoded.GetPixel(12, 0));
            Assert.Equal(SKColors.Black, decoded.GetPixel(23, 15));
        }
    }

    [Fact]
    public void NoisyFramesThatFillTheCodeTableManyTimesRoundTripExactly()
    {
        // Random palette indices compress badly: ~60,000 pixels use the 4096-entry LZW table up many times, exercising
        // every code width from 9 to 12 bits, the clear code and sub-block boundaries.
        var palette = GifPalette.CreateForPlots();
        var random = new Random(3);
        var expected = new List<SKColor[]>();
        var frames = new List<SKBitmap>();
        try
        {
            for (int f = 0; f < 2; f++)
            {
                var bitmap = new SKBitmap(new SKImageInfo(301, 199, SKColorType.Rgba8888, SKAlphaType.Unpremul));
                var colours = new SKColor[301 * 199];
                for (int p = 0; p < colours.Length; p++)
                {
                    // Mostly noise, with runs so that long table entries are used too.
                    int rgb = palette[p % 97 < 30 ? 5 : random.Next(GifPalette.Size)];
                    colours[p] = new SKColor(0xFF000000u | (uint)rgb);
                    bitmap.SetPixel(p % 301, p / 301, colours[p]);
                }
                frames.Add(bitmap);
                expected.Add(colours);
            }
            var gif = GifAnimation.Encode(frames);
            using var data = SKData.CreateCopy(gif);
            using var codec = SKCodec.Create(data);
            Assert.Equal(2, codec.FrameCount);
            for (int f = 0; f < 2; f++)
            {
                using var decoded = DecodeFrame(codec, f);
                var pixels = decoded.Pixels;
                for (int p = 0; p < pixels.Length; p++)
                    if (pixels[p] != expected[f][p])
                        Assert.Fail($"frame {f} pixel {p}: expected {expected[f][p]}, decoded {pixels[p]}");
            }
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
        }
    }

    [Fact]
    public void LzwStreamMatchesAHandEncodedExample()
    {
        // Six 0s with minimum code size 2 (clear 4, end 5, first free code 6, codes 3 bits wide):
        // emit clear; "0" then 0 is new → emit 0, add 6="00"; "00" then 0 is new → emit 6, add 7="000" (next free 8);
        // "000" runs to the end → emit 7. Reading 7 the decoder adds its entry 8 = 2³ and widens, so end goes out in 4 bits.
        // Codes (bits): 4(3) 0(3) 6(3) 7(3) 5(4) → LSB-first 0x5F84.
        using var stream = new MemoryStream();
        GifLzwEncoder.Write(stream, new byte[] { 0, 0, 0, 0, 0, 0 }, minimumCodeSize: 2);
        Assert.Equal(new byte[] { 2, 2, 0x84, 0x5F, 0 }, stream.ToArray());
    }

    [Fact]
    public void LzwStreamsDecodeExactlyWithAStrictSpecDecoder()
    {
        // A strict decoder that refuses to read past the data catches an end code written too narrow, which lenient decoders
        // (Skia's included) forgive. That slip only shows when the table ends at exactly 2^k entries and the stream on a byte
        // boundary, so every short length is tried with 2-bit indices, then long random streams with 8-bit ones.
        var random = new Random(11);
        for (int length = 1; length <= 400; length++)
        {
            var input = new byte[length];
            for (int i = 0; i < length; i++) input[i] = (byte)random.Next(4);
            AssertRoundTrip(input, 2);
        }
        for (int trial = 0; trial < 60; trial++)
        {
            var input = new byte[random.Next(1, 30000)];
            int alphabet = trial % 2 == 0 ? 256 : 5;
            for (int i = 0; i < input.Length; i++) input[i] = (byte)(random.Next(6) == 0 ? random.Next(alphabet) : i % alphabet);
            AssertRoundTrip(input, 8);
        }

        static void AssertRoundTrip(byte[] input, int minimumCodeSize)
        {
            using var stream = new MemoryStream();
            GifLzwEncoder.Write(stream, input, minimumCodeSize);
            Assert.Equal(input, StrictLzwDecoder.Decode(stream.ToArray()));
        }
    }

    [Fact]
    public void PlotFramesKeepTheirClassColoursExactly()
    {
        using var temp = new TempDirectory();
        var paths = new List<string>();
        for (int f = 0; f < 3; f++)
        {
            var (features, labels) = SyntheticFeatures.Circle(150, 25 - 8 * f, seed: f);
            var path = temp.Combine($"frame{f}.png");
            NormalizedFeaturePlot.Save(path, features, labels, SyntheticFeatures.DigitNames, SyntheticFeatures.CircleWeights(12 * f),
                $"epoch {f + 1}", 600, 520);
            paths.Add(path);
        }
        var gifPath = temp.Combine("features.gif");
        GifAnimation.Save(gifPath, paths, delayMilliseconds: 400);
        PngAssert.Keep(gifPath);

        using var codec = SKCodec.Create(gifPath);
        Assert.Equal(3, codec.FrameCount);
        using var original = SKBitmap.Decode(paths[2]);
        using var decoded = DecodeFrame(codec, 2);
        var decodedPath = temp.Combine("features-gif-frame3.png");
        using (var stream = File.Create(decodedPath)) decoded.Encode(stream, SKEncodedImageFormat.Png, 100);
        PngAssert.Keep(decodedPath);
        PngAssert.ShowsClassColours(decoded, 10);

        // Quantisation moves no pixel far: mean absolute channel error stays small.
        double error = 0;
        var a = original.Pixels;
        var b = decoded.Pixels;
        for (int p = 0; p < a.Length; p++)
            error += Math.Abs(a[p].Red - b[p].Red) + Math.Abs(a[p].Green - b[p].Green) + Math.Abs(a[p].Blue - b[p].Blue);
        Assert.InRange(error / (3.0 * a.Length), 0, 2.0);
    }

    [Fact]
    public void FramesOfDifferentSizesAreRejected()
    {
        using var small = new SKBitmap(4, 4);
        using var large = new SKBitmap(5, 4);
        Assert.Throws<ArgumentException>(() => GifAnimation.Encode([small, large]));
        Assert.Throws<ArgumentException>(() => GifAnimation.Encode(Array.Empty<SKBitmap>()));
    }
}
