using System.CommandLine;
using System.Diagnostics;
using MarginFace.Benchmarks;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface bench pipeline IMAGE [--runs 100]</c>: the latency of recognising one photo, stage by stage — decode, detect
/// (with the landmarks the detector computes), align every face, embed every face — each run the whole pipeline on the same
/// photo; prints the median and 90th percentile of each stage and of the total. Speed goals live here, not in timed tests.
/// </summary>
internal static class BenchPipelineCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "the photo (e.g. a 250×250 LFW image, or a 1920×1080 group photo)" };
        var runs = new Option<int>("--runs") { Description = "timed runs", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first", DefaultValueFactory = _ => 3 };
        var model = new Option<string>("--model") { Description = FaceModelOptions.Help, DefaultValueFactory = _ => FaceModelLoader.Pretrained };
        var flip = new Option<bool>("--flip") { Description = "embed each face and its mirror image (as verify --flip)" };
        var detector = new DetectorOptions();
        var models = new FaceModelOptions();
        var command = new Command("pipeline", "Time decode, detect, align and embed of one photo, stage by stage (median and p90 of N runs)")
        {
            image, runs, warmup, model, flip,
        };
        detector.AddTo(command);
        models.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(runs) < 1) throw new MarginFaceException($"--runs must be at least 1, got {parse.GetValue(runs)}");
            if (parse.GetValue(warmup) < 0) throw new MarginFaceException($"--warmup must be 0 or more, got {parse.GetValue(warmup)}");
            var path = parse.GetValue(image)!;
            using var faceDetector = detector.Open(parse);
            using var embedder = new FaceModelEmbedder(models.Open(parse, parse.GetValue(model)!, parse.GetValue(detector.Threads)), parse.GetValue(flip));
            var aligner = new FaceAligner(embedder.Template);
            string[] stages = ["decode", "detect", "align", "embed", "total"];
            var times = stages.ToDictionary(s => s, _ => new List<double>());
            var faces = 0;
            (int Width, int Height) size = default;
            for (int run = 0; run < parse.GetValue(warmup) + parse.GetValue(runs); run++)
            {
                var clock = Stopwatch.StartNew();
                var lap = new Dictionary<string, double>();
                double last = 0;
                void Lap(string stage)
                {
                    var now = clock.Elapsed.TotalMilliseconds;
                    lap[stage] = now - last;
                    last = now;
                }
                var photo = ImageFile.Read(path);
                Lap("decode");
                var found = faceDetector.Detect(photo);
                Lap("detect");
                var crops = found.Select(face => aligner.Align(photo, face)).ToList();
                Lap("align");
                if (crops.Count > 0) embedder.Embed(crops);
                Lap("embed");
                lap["total"] = clock.Elapsed.TotalMilliseconds;
                faces = found.Count;
                size = (photo.Width, photo.Height);
                if (run < parse.GetValue(warmup)) continue;
                foreach (var stage in stages) times[stage].Add(lap[stage]);
            }
            System.Console.WriteLine($"bench pipeline: {path} ({size.Width}×{size.Height}), {faces} face(s), detector {faceDetector.Kind}, model {embedder.ModelId}{(parse.GetValue(flip) ? " with flip" : "")}, ONNX Runtime threads {(parse.GetValue(detector.Threads) == 0 ? "all" : parse.GetValue(detector.Threads))}, {parse.GetValue(runs)} runs after {parse.GetValue(warmup)} warm-up");
            System.Console.WriteLine($"  {"stage",-8} {"median ms",10} {"p90 ms",10}");
            foreach (var stage in stages)
                System.Console.WriteLine($"  {stage,-8} {CaseTimer.Quantile(times[stage], 0.5),10:0.00} {CaseTimer.Quantile(times[stage], 0.9),10:0.00}");
            return ExitCodes.Success;
        });
        return command;
    }
}
