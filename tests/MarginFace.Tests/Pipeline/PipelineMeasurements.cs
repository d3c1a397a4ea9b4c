using System.Diagnostics;
using Xunit.Abstractions;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Pipeline;

/// <summary>A measurement, not a check: runs only with <c>MARGINFACE_MEASURE=1</c> and the shared data present.</summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public MeasurementFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MARGINFACE_MEASURE") != "1") Skip = "a measurement: set MARGINFACE_MEASURE=1 to run it";
        else Skip = Prerequisites.SkipOutsideCi(Prerequisites.MissingSharedData(TestImages.YuNetModel, TestImages.Lfw));
    }
}

/// <summary>
/// The numbers of docs/pipeline.md: <c>MARGINFACE_MEASURE=1 dotnet test -c Release --filter FullyQualifiedName~PipelineMeasurements
/// --logger "console;verbosity=detailed"</c>. Results are printed; <see cref="AlignedLfwGrid"/> writes docs/images/aligned-lfw-grid.png.
/// </summary>
public class PipelineMeasurements(ITestOutputHelper output)
{
    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    [MeasurementFact]
    public void DetectAndAlignLatencyOnOne250x250Image()
    {
        using var detector = new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 2 });
        var aligner = new FaceAligner();
        var path = TestImages.LfwPath("Colin_Powell", 1);
        List<double> decode = [], detect = [], align = [];
        for (int run = 0; run < 110; run++)
        {
            var clock = Stopwatch.StartNew();
            var image = ImageFile.Read(path);
            var t0 = clock.Elapsed.TotalMilliseconds;
            var face = detector.Detect(image).MaxBy(f => f.Area)!;
            var t1 = clock.Elapsed.TotalMilliseconds;
            aligner.Align(image, face);
            var t2 = clock.Elapsed.TotalMilliseconds;
            if (run < 10) continue; // warm-up
            decode.Add(t0);
            detect.Add(t1 - t0);
            align.Add(t2 - t1);
        }
        var total = decode.Select((d, i) => d + detect[i] + align[i]).ToList();
        output.WriteLine($"250×250 LFW image, 2 ONNX Runtime threads, median of 100 runs: decode {Median(decode):F2} ms, detect {Median(detect):F2} ms, align {Median(align):F2} ms, total {Median(total):F2} ms (min total {total.Min():F2} ms)");
    }

    [MeasurementFact]
    public void DetectAlignEmbedLatencyWithMobileFaceNet()
    {
        // Untrained weights cost what trained ones do; 2 libtorch threads for the embedding, 2 ONNX Runtime threads for YuNet.
        MarginFace.Runtime.TorchRuntime.Initialize();
        TorchSharp.torch.set_num_threads(2);
        using var backbone = MarginFace.Models.BackboneFactory.Create("mobilefacenet");
        backbone.Module.eval();
        var spec = backbone.Spec;
        var info = new MarginFace.FaceModels.FaceModelInfo
        {
            Backbone = spec.Name, EmbeddingSize = spec.EmbeddingSize, InputWidth = spec.InputWidth, InputHeight = spec.InputHeight,
            Channels = spec.Channels, Normalization = spec.Normalization,
        };
        using var dir = new TempDirectory();
        MarginFace.FaceModels.FaceModelFile.Save(dir.Combine("mfn.model"), backbone.Module, info);
        using (var model = MarginFace.FaceModels.FaceModelFile.Load(dir.Combine("mfn.model")))
            MarginFace.Interop.Onnx.OnnxExporter.Export(model, dir.Combine("mfn.onnx"));
        using var detector = new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 2 });
        var path = TestImages.LfwPath("Colin_Powell", 1);
        foreach (var (runtime, file) in new[] { ("TorchSharp", "mfn.model"), ("ONNX Runtime", "mfn.onnx") })
        {
            using var embedder = new FaceModelEmbedder(FaceModelLoader.Open(dir.Combine(file), threads: 2));
            var aligner = new FaceAligner(embedder.Template);
            List<double> total = [], embed = [];
            for (int run = 0; run < 110; run++)
            {
                var clock = Stopwatch.StartNew();
                var image = ImageFile.Read(path);
                var crop = aligner.Align(image, detector.Detect(image).MaxBy(f => f.Area)!);
                var t = clock.Elapsed.TotalMilliseconds;
                Assert.Equal(spec.EmbeddingSize, embedder.Embed(crop).Length);
                if (run < 10) continue;
                total.Add(clock.Elapsed.TotalMilliseconds);
                embed.Add(clock.Elapsed.TotalMilliseconds - t);
            }
            output.WriteLine($"250×250 LFW image → MobileFaceNet {spec.EmbeddingSize}-D on {runtime}, 2 threads, median of 100 runs: embed {Median(embed):F2} ms, decode + detect + align + embed {Median(total):F2} ms (fastest {total.Min():F2} ms); load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
    }

    [MeasurementFact]
    public void GallerySearchAt100000By512()
    {
        const int people = 20_000, perPerson = 5, dimension = 512;
        using var dir = new TempDirectory();
        var random = new Random(1);
        var clock = Stopwatch.StartNew();
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        for (int p = 0; p < people; p++)
        {
            var entries = new GalleryEntry[perPerson];
            for (int k = 0; k < perPerson; k++)
            {
                var vector = new float[dimension];
                for (int d = 0; d < dimension; d++) vector[d] = (float)(random.NextDouble() * 2 - 1);
                entries[k] = new GalleryEntry(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(p * perPerson + k))), vector);
            }
            gallery.Enrol($"person {p}", entries, "measure");
        }
        var enrol = clock.Elapsed.TotalSeconds;
        clock.Restart();
        gallery.LoadIndex(force: true);
        var load = clock.Elapsed.TotalMilliseconds;
        foreach (var threads in new[] { 1, 2 })
        {
            gallery.SearchThreads = threads;
            List<double> times = [];
            for (int q = 0; q < 60; q++)
            {
                var query = new float[dimension];
                for (int d = 0; d < dimension; d++) query[d] = (float)(random.NextDouble() * 2 - 1);
                clock.Restart();
                var matches = gallery.Search(query, top: 5);
                if (q >= 10) times.Add(clock.Elapsed.TotalMilliseconds);
                Assert.Equal(5, matches.Count);
            }
            output.WriteLine($"search {people * perPerson:N0} × {dimension} ({people:N0} people), top 5, {threads} thread(s): median {Median(times):F2} ms over 50 queries (min {times.Min():F2}, max {times.Max():F2})");
        }
        output.WriteLine($"enrol {people:N0} transactions: {enrol:F1} s; load matrix: {load:F0} ms; file {new FileInfo(gallery.Path).Length / 1e6:F0} MB");
    }

    [MeasurementFact]
    public void AlignedLfwGrid()
    {
        // 16 people drawn with a fixed seed from the LFW folder (sorted), first image of each, aligned to 112×112.
        var root = SharedData.Data("lfw", "lfw-deepfunneled")!;
        var folders = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray();
        var chosen = new Random(2026).GetItems(folders, 16);
        using var detector = new FaceDetector(TestImages.YuNetPath, new FaceDetectorOptions { Threads = 1 });
        var aligner = new FaceAligner();
        // Tiled at native size into one opaque RGB image (an RGB PNG is smaller than ImageGrid's scaled RGBA one).
        var grid = new byte[448 * 448 * 3];
        for (int i = 0; i < chosen.Length; i++)
        {
            var file = Directory.GetFiles(chosen[i], "*.jpg").Order(StringComparer.Ordinal).First();
            var image = ImageFile.Read(file).ToRgb();
            var crop = aligner.Align(image, detector.Detect(image).MaxBy(f => f.Area)!);
            for (int y = 0; y < 112; y++)
                Array.Copy(crop.Pixels, y * 112 * 3, grid, ((i / 4 * 112 + y) * 448 + i % 4 * 112) * 3, 112 * 3);
            output.WriteLine(Path.GetFileName(file));
        }
        var target = RepositoryFolder.Combine("docs", "images", "aligned-lfw-grid.png");
        FaceImageFile.SavePng(new RgbImage(448, 448, 3, grid), target);
        output.WriteLine($"{target}: {new FileInfo(target).Length / 1024} KiB");
    }
}
