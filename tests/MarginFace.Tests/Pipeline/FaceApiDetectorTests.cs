using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Pipeline;
using MarginFace.Runtime;
using MarginFace.Tests.Interop;
using MarginFace.Tests.Mnist;
using MarginFace.Tests.Support;

namespace MarginFace.Tests.Pipeline;

/// <summary>
/// face-api's SSD MobileNet V1 and tiny face detector ported onto ONNX Runtime, checked against face-api's JavaScript run by
/// Node.js on the same pixels (<c>Interop/Fixtures/faceapi_detect.mjs</c>): the committed <c>faceapi_detect.json</c>, and live
/// when <c>node</c> is on the PATH. Boxes agree within a pixel, scores within 1e-3 (measured: 0.002 px and 5e-5, the fixture's rounding).
/// </summary>
public sealed class FaceApiDetectorTests
{
    private static readonly Lazy<FaceDetector> Ssd = new(() => Open(FaceDetectorKind.SsdMobileNetV1, FramePadding.None));
    private static readonly Lazy<FaceDetector> Tiny = new(() => Open(FaceDetectorKind.Tiny, FramePadding.None));

    /// <summary>The photos of the cross-check: three LFW photos as they are, and two of them copied onto a 700×400 grey canvas.</summary>
    internal static IReadOnlyList<(string Name, RgbImage Image)> Images()
    {
        var eckhart = ImageFile.Read(SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg")!);
        var bush = ImageFile.Read(SharedData.Data("lfw", "lfw-deepfunneled", "George_W_Bush", "George_W_Bush_0001.jpg")!);
        var serena = ImageFile.Read(SharedData.Data("lfw", "lfw-deepfunneled", "Serena_Williams", "Serena_Williams_0001.jpg")!);
        var canvas = new byte[700 * 400 * 3];
        Array.Fill(canvas, (byte)128);
        foreach (var (photo, left, top) in new[] { (eckhart, 40, 70), (serena, 410, 30) })
            for (int y = 0; y < photo.Height; y++)
                Array.Copy(photo.ToRgb().Pixels, y * photo.Width * 3, canvas, ((top + y) * 700 + left) * 3, photo.Width * 3);
        return [("Aaron_Eckhart_0001", eckhart), ("George_W_Bush_0001", bush), ("Serena_Williams_0001", serena), ("two_faces_700x400", new RgbImage(700, 400, 3, canvas))];
    }

    [FaceApiFact(needsLfw: true)]
    public void BoxesAgreeWithFaceApisJavaScriptFixture()
    {
        var expected = JsonDocument.Parse(File.ReadAllText(PyTorchFixtures.PathOf("faceapi_detect.json"))).RootElement;
        Compare(expected);
    }

    [FaceApiFact(needsLfw: true, needsNode: true)]
    public void BoxesAgreeWithFaceApiRunByNodeNow()
    {
        using var temp = new TempDirectory();
        var package = FaceApiPackage();
        var files = new List<string>();
        foreach (var (name, image) in Images())
        {
            var path = temp.Combine(name + ".ppm");
            WritePpm(path, image.ToRgb());
            files.Add(path);
        }
        var json = Run("node", [PyTorchFixtures.PathOf("faceapi_detect.mjs"), package, .. files]);
        if (Environment.GetEnvironmentVariable("MARGINFACE_WRITE_DETECT_FIXTURE") is { Length: > 0 } target) File.WriteAllText(target, json);
        Compare(JsonDocument.Parse(json).RootElement);
    }

    [FaceApiFact(needsLfw: true)]
    public void PaddingFindsAFaceThatFillsTheFrame()
    {
        // The central 150×150 of an LFW photo enlarged to 250×250: the face fills the frame, as in the photos face-api misses.
        var photo = ImageFile.Read(SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg")!).ToRgb();
        var pixels = new byte[250 * 250 * 3];
        for (int y = 0; y < 250; y++)
            for (int x = 0; x < 250; x++)
                for (int c = 0; c < 3; c++)
                    pixels[(y * 250 + x) * 3 + c] = photo[50 + x * 150 / 250, 50 + y * 150 / 250, c];
        var closeUp = new RgbImage(250, 250, 3, pixels);
        using var robust = Open(FaceDetectorKind.SsdMobileNetV1, FramePadding.Always);
        var face = Assert.Single(robust.Detect(closeUp));
        Assert.InRange(face.X + face.Width / 2, 100, 150);
        Assert.InRange(face.Y + face.Height / 2, 80, 170);
        // The default landmarker gives the five points of the 68 it located.
        Assert.Equal(5, face.Landmarks.Count);
        Assert.Equal(68, face.Landmarks68!.Count);
    }

    [FaceApiFact]
    public void NoFaceTinyFaceAndAHugePhoto()
    {
        Assert.Empty(Ssd.Value.Detect(TestImages.Blank(640, 480)));
        Assert.Empty(Tiny.Value.Detect(TestImages.Blank(3, 2)));
        // 8000×8000 grey (64 megapixels): the canvas is sampled, never copied, so detection allocates ~3 MB beyond the photo.
        var huge = TestImages.Blank(8000, 8000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Empty(Ssd.Value.Detect(huge));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L << 20);
    }

    [FaceApiFact]
    public void ATamperedCachedDetectorIsFetchedAgainNeverLoaded()
    {
        using var temp = new TempDirectory();
        var source = FaceApiTestModel.Cache;
        source.EnsureAvailable(FaceApiNet.SsdMobileNetV1);
        var fetcher = new FakePackageFetcher([0x1f, 0x8b, 1, 2, 3]);
        var cache = new FaceApiModelCache(fetcher, temp.Path);
        Directory.CreateDirectory(cache.Directory);
        foreach (var name in FaceApiModelCache.Files.Keys)
            File.Copy(Path.Combine(source.Directory, name), Path.Combine(cache.Directory, name));
        var (_, weights) = FaceApiModelCache.FileNames(FaceApiNet.SsdMobileNetV1);
        var bytes = File.ReadAllBytes(Path.Combine(cache.Directory, weights));
        bytes[1000] ^= 0x55;
        File.WriteAllBytes(Path.Combine(cache.Directory, weights), bytes);
        // The digest no longer matches: the package is fetched again (here a bad tarball, so one line and nothing loaded).
        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable(FaceApiNet.SsdMobileNetV1));
        Assert.Equal(1, fetcher.Calls);
        Assert.DoesNotContain('\n', error.Message);
        // Untouched networks are still used without fetching.
        cache.EnsureAvailable(FaceApiNet.TinyFaceDetector);
        Assert.Equal(1, fetcher.Calls);
    }

    [FaceApiFact(needsLfw: true)]
    public void ATinyFaceOnALargeCanvasDoesNotBreakDetection()
    {
        // A 250×250 LFW photo shrunk to 25×25 on a 1000×800 grey canvas: too small for SSD at 512 (no face is fine), never an error.
        var photo = ImageFile.Read(SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg")!).ToRgb();
        var pixels = new byte[1000 * 800 * 3];
        Array.Fill(pixels, (byte)128);
        for (int y = 0; y < 25; y++)
            for (int x = 0; x < 25; x++)
                for (int c = 0; c < 3; c++)
                    pixels[((400 + y) * 1000 + 500 + x) * 3 + c] = photo[x * 10 + 5, y * 10 + 5, c];
        var faces = Ssd.Value.Detect(new RgbImage(1000, 800, 3, pixels));
        Assert.All(faces, face => Assert.InRange(face.Score, 0.5f, 1f));
    }

    [FaceApiFact]
    public void AlignerSaysOneLineWhenADetectorGaveNoLandmarks()
    {
        var face = new DetectedFace(10, 10, 50, 50, 0.9f, []);
        var error = Assert.Throws<MarginFaceException>(() => new FaceAligner().Align(TestImages.Blank(100, 100), face));
        Assert.Contains("no landmarks", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static void Compare(JsonElement expected)
    {
        var images = Images().ToDictionary(i => i.Name, i => i.Image);
        foreach (var entry in expected.GetProperty("images").EnumerateArray())
        {
            var name = Path.GetFileNameWithoutExtension(entry.GetProperty("image").GetString()!);
            var image = images[name];
            foreach (var (kind, detector) in new[] { ("ssd", Ssd.Value), ("tiny", Tiny.Value) })
            {
                var want = entry.GetProperty(kind).EnumerateArray().ToList();
                var got = detector.Detect(image);
                Assert.True(want.Count == got.Count, $"{name} {kind}: face-api found {want.Count} faces, MarginFace {got.Count}");
                for (int i = 0; i < want.Count; i++)
                {
                    var w = want[i];
                    var g = got[i];
                    foreach (var (field, a, b) in new[] { ("x", w.GetProperty("x").GetSingle(), g.X), ("y", w.GetProperty("y").GetSingle(), g.Y),
                                 ("width", w.GetProperty("width").GetSingle(), g.Width), ("height", w.GetProperty("height").GetSingle(), g.Height) })
                    {
                        Assert.True(Math.Abs(a - b) <= 1, $"{name} {kind} face {i} {field}: face-api {a}, MarginFace {b}");
                    }
                    Assert.True(Math.Abs(w.GetProperty("score").GetSingle() - g.Score) <= 1e-3, $"{name} {kind} face {i} score: face-api {w.GetProperty("score")}, MarginFace {g.Score}");
                }
            }
        }
    }

    private static FaceDetector Open(FaceDetectorKind kind, FramePadding padding) =>
        new(FaceApiTestModel.Cache.EnsureAvailable(kind == FaceDetectorKind.Tiny ? FaceApiNet.TinyFaceDetector : FaceApiNet.SsdMobileNetV1),
            new FaceDetectorOptions { Kind = kind, Padding = padding, Threads = 1 });

    /// <summary>face-api's npm package unpacked once under the system temp folder (its JavaScript is what the fixture ran).</summary>
    private static string FaceApiPackage()
    {
        var root = Path.Combine(Path.GetTempPath(), "marginface-tests", "face-api-package");
        var package = Path.Combine(root, "package");
        if (File.Exists(Path.Combine(package, "dist", "face-api.esm.js"))) return package;
        Directory.CreateDirectory(root);
        var tarball = new NpmPackageFetcher().Pack(FaceApiModelCache.Spec, root);
        Run("tar", ["xzf", tarball, "-C", root]);
        return package;
    }

    private static void WritePpm(string path, RgbImage image)
    {
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes($"P6\n{image.Width} {image.Height}\n255\n"));
        file.Write(image.Pixels);
    }

    private static string Run(string command, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{command} did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, $"{command} exited with {process.ExitCode}: {error.Result}");
        return output.Result;
    }
}
