using System.Diagnostics;
using Xunit.Abstractions;
using MarginFace.Evaluation;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Pipeline;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Pipeline;

/// <summary>
/// The detector numbers of docs/pipeline.md (measurements, not checks): <c>MARGINFACE_MEASURE=1 dotnet test -c Release --no-build
/// --filter "FullyQualifiedName~DetectorMeasurements" --logger "console;verbosity=detailed"</c>. <c>MARGINFACE_LFW_LIMIT=N</c> reads
/// only the first N images of the coverage run.
/// </summary>
[Trait("Category", "Integration")]
public class DetectorMeasurements(ITestOutputHelper output)
{
    /// <summary>
    /// Every image of LFW's pairs.txt (7,701): does the largest face's box cover the photo's centre? Counted for face-api's own
    /// single pass (<see cref="FramePadding.None"/>), for the default <see cref="FramePadding.WhenNoLargeFace"/> (the padded look
    /// and the tiny fallback only where the first found no large central face) and for <see cref="FramePadding.Always"/> without
    /// the fallback; also whether any face covers it.
    /// </summary>
    [MeasurementFact]
    public void LfwLargestFaceCoversTheCentre()
    {
        var pairs = LfwPairs.Read(SharedData.LfwPairsFile);
        var images = pairs.Pairs.SelectMany(p => new[] { p.Image1, p.Image2 }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (int.TryParse(Environment.GetEnvironmentVariable("MARGINFACE_LFW_LIMIT"), out var limit)) images = images.Take(limit).ToList();
        var manifest = FaceApiTestModel.Cache.EnsureAvailable(FaceApiNet.SsdMobileNetV1);
        using var plain = new FaceDetector(manifest, new FaceDetectorOptions { Padding = FramePadding.None, Threads = 2 });
        using var always = new FaceDetector(manifest, new FaceDetectorOptions { Padding = FramePadding.Always, TinyFallback = false, Threads = 2 });
        using var robust = new FaceDetector(manifest, new FaceDetectorOptions { Threads = 2 });
        static bool Covers(IReadOnlyList<DetectedFace> faces, RgbImage image) =>
            faces.Count > 0 && faces.MaxBy(f => f.Area) is { } f
            && f.X <= image.Width / 2f && f.X + f.Width >= image.Width / 2f && f.Y <= image.Height / 2f && f.Y + f.Height >= image.Height / 2f;
        static bool AnyCovers(IReadOnlyList<DetectedFace> faces, RgbImage image) =>
            faces.Any(f => f.X <= image.Width / 2f && f.X + f.Width >= image.Width / 2f && f.Y <= image.Height / 2f && f.Y + f.Height >= image.Height / 2f);
        int plainHits = 0, plainNone = 0, defaultHits = 0, alwaysHits = 0, defaultAny = 0;
        var misses = new List<string>();
        var clock = Stopwatch.StartNew();
        foreach (var relative in images)
        {
            var image = ImageFile.Read(Path.Combine(SharedData.LfwImagesDirectory, relative));
            var first = plain.Detect(image);
            if (first.Count == 0) plainNone++;
            var firstCovers = Covers(first, image);
            if (firstCovers) plainHits++;
            // The default is the plain pass where it found a large central face, else the padded look (and tiny fallback) merged in.
            var large = FaceApiDetector.HasLargeCentralFace(first, image);
            var padded = !large || !firstCovers ? always.Detect(image) : null;
            var chosen = large ? first : robust.Detect(image);
            if (Covers(chosen, image)) defaultHits++;
            else misses.Add(relative);
            if (AnyCovers(chosen, image)) defaultAny++;
            if (padded is null ? firstCovers : Covers(padded, image)) alwaysHits++;
        }
        var n = images.Count;
        output.WriteLine($"{n} LFW pair images, SSD MobileNet V1, 2 threads, {clock.Elapsed.TotalSeconds:F0} s");
        output.WriteLine($"face-api's single pass: no face in {plainNone} ({100.0 * plainNone / n:F2} %), largest covers the centre in {plainHits} ({100.0 * plainHits / n:F2} %)");
        output.WriteLine($"default (padded look and tiny fallback when no large central face): largest covers the centre in {defaultHits} ({100.0 * defaultHits / n:F2} %), some face does in {defaultAny} ({100.0 * defaultAny / n:F2} %)");
        output.WriteLine($"padded look always, no tiny fallback (≈: photos whose plain pass already had a large central face as the largest are counted as hits): {alwaysHits} ({100.0 * alwaysHits / n:F2} %)");
        output.WriteLine($"default misses: {string.Join(" ", misses.Take(30))}");
    }

    /// <summary>Median latency of SSD and tiny detection (2 threads; default padding and face-api's single pass) on one 250×250 LFW photo and on a 1920×1080 canvas with two faces, 50 runs each after 5 warm-ups.</summary>
    [MeasurementFact]
    public void SsdLatency()
    {
        var manifest = FaceApiTestModel.Cache.EnsureAvailable(FaceApiNet.SsdMobileNetV1);
        var photo = ImageFile.Read(TestImages.LfwPath("Colin_Powell", 1));
        var wide = TestImages.Canvas(1920, 1080, 150,
            (TestImages.LfwPath("Colin_Powell", 1), 2f, 200, 300), (TestImages.LfwPath("Serena_Williams", 1), 1.5f, 1200, 400));
        foreach (var kind in new[] { FaceDetectorKind.SsdMobileNetV1, FaceDetectorKind.Tiny })
        foreach (var padding in new FramePadding?[] { null, FramePadding.None })
        {
            var path = FaceApiTestModel.Cache.EnsureAvailable(kind == FaceDetectorKind.Tiny ? FaceApiNet.TinyFaceDetector : FaceApiNet.SsdMobileNetV1);
            using var detector = new FaceDetector(path, new FaceDetectorOptions { Kind = kind, Padding = padding, Threads = 2 });
            foreach (var (name, image) in new[] { ("250×250 LFW", photo), ("1920×1080", wide) })
            {
                var times = new List<double>();
                for (int run = 0; run < 55; run++)
                {
                    var clock = Stopwatch.StartNew();
                    var faces = detector.Detect(image);
                    if (run >= 5) times.Add(clock.Elapsed.TotalMilliseconds);
                    if (run == 0) output.WriteLine($"{kind} {detector.Options.Padding} {name}: {faces.Count} faces");
                }
                times.Sort();
                output.WriteLine($"{kind} {detector.Options.Padding} {name}: median {times[times.Count / 2]:F1} ms, 2 threads");
            }
        }
    }
}
