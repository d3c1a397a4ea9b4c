using System.Diagnostics;
using Xunit.Abstractions;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Pipeline;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Pipeline;

/// <summary>
/// The latencies of docs/pipeline.md for face-api's networks: <c>MARGINFACE_MEASURE=1 dotnet test -c Release --filter
/// FullyQualifiedName~AnalysisMeasurements --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Integration")]
public class AnalysisMeasurements(ITestOutputHelper output)
{
    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static List<double> Time(Action run, int runs = 100, int warmUp = 50)
    {
        List<double> times = [];
        for (var i = 0; i < warmUp + runs; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            if (i >= warmUp) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    [MeasurementFact]
    public void LandmarksAndAnalysisOfOneFaceOnTwoThreads()
    {
        var image = ImageFile.Read(TestImages.LfwPath("Colin_Powell", 1));
        using var detector = new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 2 });
        var face = detector.Detect(image).MaxBy(f => f.Area)!;
        using var full = new FaceLandmarker(tiny: false, threads: 2, cacheRoot: FaceApiTestModel.CacheRoot);
        using var tiny = new FaceLandmarker(tiny: true, threads: 2, cacheRoot: FaceApiTestModel.CacheRoot);
        using var analyzer = new FaceAnalyzer(threads: 2, cacheRoot: FaceApiTestModel.CacheRoot);
        var landmarks = Time(() => full.Locate(image, face));
        var tinyLandmarks = Time(() => tiny.Locate(image, face));
        var analysis = Time(() => analyzer.Analyze(image, face));
        var input = new float[3 * 112 * 112];
        FaceApiInput.Fill(image, FaceApiInput.Clip(image.Width, image.Height, face.X, face.Y, face.Width, face.Height)!.Value, input);
        var perNet = string.Join(", ", new[] { FaceApiNet.Landmark68, FaceApiNet.Landmark68Tiny, FaceApiNet.AgeGender, FaceApiNet.Expression }.Select(net =>
        {
            using var session = FaceApiGraphs.CreateSession(net, FaceApiTestModel.Cache.EnsureAvailable(net), 2);
            var names = session.OutputMetadata.Keys.ToArray();
            return $"{net} {Median(Time(() => FaceApiGraphs.Run(session, input, 1, names))):F2} ms";
        }));
        output.WriteLine($"networks alone on that crop's input, 2 threads, median of 100: {perNet}");
        output.WriteLine($"Colin_Powell_0001 (250×250), YuNet's box {face.Width:F0}×{face.Height:F0}, 2 ONNX Runtime threads, median of 100 runs: " +
                         $"landmarks68 {Median(landmarks):F2} ms (fastest {landmarks.Min():F2}), landmarks68 tiny {Median(tinyLandmarks):F2} ms (fastest {tinyLandmarks.Min():F2}), " +
                         $"age/gender + expression {Median(analysis):F2} ms (fastest {analysis.Min():F2})");
    }
}
