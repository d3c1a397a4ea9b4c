using System.CommandLine;
using System.Globalization;
using MarginFace.Cli.Console;
using MarginFace.Data;
using MarginFace.Distributed;
using MarginFace.Losses.Mining;
using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface train</c>: a face model from identity folders.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var compute = new ComputeOptions(deviceLists: true);
        var defaults = new FaceTrainingOptions();
        var data = new Option<string?>("--data") { Description = "identity folders: DIR/<identity>/<image> (JPEG, PNG, BMP, WebP, PGM), or InsightFace's RecordIO: DIR/train.rec, train.idx, property" };
        var backbone = new Option<string?>("--backbone") { Description = $"backbone: {string.Join(", ", BackboneFactory.Names)} (default {defaults.Backbone})" };
        var loss = new Option<string?>("--loss") { Description = $"loss: {string.Join(", ", LossRegistry.Names)} (default {defaults.Loss}; contrastive and triplet take --pk)" };
        var embedding = new Option<int?>("--embedding") { Description = "embedding size (default: the backbone's)" };
        var crop = new Option<string?>("--crop") { Description = "crop of each image before resizing: none, center:SIZE (e.g. center:150 for LFW deep-funneled) or landmarks[:112|96x112|128|150] (YuNet + 5-point alignment) (default none)" };
        var epochs = new Option<int?>("--epochs") { Description = $"training epochs (default {defaults.Epochs})" };
        var batch = new Option<int?>("--batch") { Description = $"batch size (default {defaults.BatchSize})" };
        var optimizer = new Option<string?>("--optimizer") { Description = "sgd (momentum 0.9) or adam (default sgd)" };
        var lr = new Option<double?>("--lr") { Description = $"learning rate (default {defaults.LearningRate.ToString(CultureInfo.InvariantCulture)})" };
        var headLr = new Option<double?>("--head-lr") { Description = "learning rate of the class centres (default --lr)" };
        var schedule = new Option<string?>("--schedule") { Description = "constant, step, cosine or polynomial, updated every step (default polynomial, power 2)" };
        var warmupSteps = new Option<int?>("--warmup-steps") { Description = "linear learning-rate warm-up over N steps" };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "weight decay (default 5e-4)" };
        var clip = new Option<double?>("--clip-grad") { Description = "rescale each step's gradients to at most this total norm; 0: none (default 5)" };
        var focalGamma = new Option<double?>("--focal-gamma") { Description = "margin heads: focal loss with this γ instead of cross-entropy (the seeds use 2)" };
        var s = new Option<double?>("--s") { Description = "scale s of normalised heads" };
        var m = new Option<double?>("--m") { Description = "margin m" };
        var parameters = new Option<string[]>("--param") { Description = "other loss parameters as NAME=VALUE (repeatable)" };
        var marginWarmup = new Option<int?>("--margin-warmup") { Description = "epochs over which the margin grows from 0 to m" };
        var seed = new Option<int?>("--seed") { Description = "random seed" };
        var workers = new Option<int?>("--workers") { Description = "image decoding threads (default 1; libtorch gets the other cores unless --threads is given)" };
        var cacheCrops = new Option<bool>("--cache-crops") { Description = "keep every image's cropped face in memory after its first read (W·H·3 bytes each): later epochs skip decoding and detection, same batches" };
        var minImages = new Option<int?>("--min-images") { Description = "leave out identities with fewer images" };
        var include = new Option<string?>("--include-identities") { Description = "file of identity names to train on, one per line" };
        var exclude = new Option<string?>("--exclude-identities") { Description = "file of identity names to leave out, one per line" };
        var noFlip = new Option<bool>("--no-flip") { Description = "no random horizontal flip" };
        var randomCrop = new Option<int?>("--random-crop") { Description = "resize to N, then crop the input size at a random place (the seeds: 144 for 128)" };
        var brightness = new Option<double?>("--brightness") { Description = "brightness jitter ×(1 ± B)" };
        var contrast = new Option<double?>("--contrast") { Description = "contrast jitter ×(1 ± C)" };
        var randomErase = new Option<double?>("--random-erase") { Description = "random erasing: blank one random rectangle (2-40 % of the image) with probability P" };
        var dropout = new Option<double?>("--dropout") { Description = "dropout probability before the embedding layer (mobilefacenet, mbf, iresnet)" };
        var saveEvery = new Option<int?>("--save-every") { Description = "also checkpoint every N steps" };
        var valPairs = new Option<string?>("--val-pairs") { Description = "pairs file (LFW format) to validate on after every epoch; keeps best.model" };
        var valImages = new Option<string?>("--val-images") { Description = "the images the validation pairs name" };
        var valBins = new Option<string?>("--val") { Description = "InsightFace .bin verification sets, comma-separated (lfw.bin,cfp_fp.bin,agedb_30.bin): arcface_torch's accuracy on each after every epoch" };
        var pk = new Option<string?>("--pk") { Description = "P,K: batches of P identities x K images, for contrastive and triplet (e.g. 16,4; the batch is P*K)" };
        var init = new Option<string?>("--init") { Description = "start the backbone from a face model file (same backbone, embedding and input), or 'pretrained' (faceapi-resnet)" };
        var partialFc = new Option<double?>("--partial-fc") { Description = "Partial FC: per step the batch's identities plus random other class centres up to this fraction R in (0, 1]; 1 keeps all (the full layer, sharded over several --device)" };
        var precision = new Option<string?>("--precision") { Description = "fp32, bf16 or fp16: the backbone's arithmetic, with float32 master weights, batch norm, head and loss; fp16 scales the loss dynamically (default fp32; one device)" };
        var config = new Option<string?>("--config") { Description = "JSON file with any of these settings (command-line options win)" };
        var output = new Option<string>("--out") { Description = "output directory", DefaultValueFactory = _ => Path.Combine("runs", "face") };
        var resume = new Option<bool>("--resume") { Description = "continue from model.bin in --out (same settings)" };
        var overwrite = new Option<bool>("--overwrite") { Description = "start a new run in an --out that holds one (model.bin, face.model or config.json), replacing its files" };

        var command = new Command("train", "Train a face-recognition backbone on identity folders with a margin loss; writes face.model after every epoch")
        {
            data, backbone, loss, embedding, crop, epochs, batch, optimizer, lr, headLr, schedule, warmupSteps, weightDecay, clip, focalGamma,
            s, m, parameters, marginWarmup, seed, workers, cacheCrops, minImages, include, exclude, noFlip, randomCrop, brightness, contrast, randomErase, dropout, saveEvery,
            valPairs, valImages, valBins, pk, init, partialFc, precision, config, output, resume, overwrite,
        };
        compute.AddTo(command);
        // Under mpirun every rank runs this; rank 0 alone decides about the output folder and prints (docs/distributed.md).
        command.SetAction(parse => RankedCommand.Run(ranks =>
        {
            // Refused before anything is read or written: a new run would replace the checkpoint and model of the one there.
            if (parse.GetValue(resume) && parse.GetValue(overwrite)) throw new MarginFaceException("--resume and --overwrite exclude each other");
            var refusal = ExitCodes.Success;
            if (ranks.Rank != 0) { }
            else if (FaceTraining.IsRunning(parse.GetValue(output)!))
            {
                System.Console.Error.WriteLine($"error: --out {parse.GetValue(output)}: another process is training there; wait for it to finish or choose another --out");
                refusal = ExitCodes.WouldOverwrite;
            }
            else if (!parse.GetValue(resume) && !parse.GetValue(overwrite) && FaceTraining.FindRun(parse.GetValue(output)!) is { } existing)
            {
                System.Console.Error.WriteLine($"error: --out {parse.GetValue(output)} holds a training run ({Path.GetFileName(existing)}); pass --resume to continue it or --overwrite to start again");
                refusal = ExitCodes.WouldOverwrite;
            }
            if (ranks.BroadcastValue(refusal) is var decided and not ExitCodes.Success) return (int)decided;
            var o = parse.GetValue(config) is string configPath ? JsonConfig.Read<FaceTrainingOptions>(configPath) : new FaceTrainingOptions();
            T Pick<T>(Option<T?> option, T current) where T : struct => parse.GetValue(option) ?? current;
            string? PickText(Option<string?> option, string? current) => parse.GetValue(option) ?? current;
            o = o with
            {
                Data = PickText(data, o.Data),
                Backbone = PickText(backbone, o.Backbone)!,
                Loss = PickText(loss, o.Loss)!,
                Embedding = parse.GetValue(embedding) ?? o.Embedding,
                Crop = parse.GetValue(crop) is string cropText ? Parsed("--crop", () => FaceCrop.Parse(cropText)) : o.Crop,
                Epochs = Pick(epochs, o.Epochs),
                BatchSize = Pick(batch, o.BatchSize),
                Optimizer = parse.GetValue(optimizer) is string optimizerText
                    ? optimizerText.Trim().ToLowerInvariant() switch
                    {
                        "sgd" => TrainingOptimizer.Sgd,
                        "adam" => TrainingOptimizer.Adam,
                        _ => throw new MarginFaceException($"--optimizer: expected sgd or adam, got '{optimizerText}'"),
                    }
                    : o.Optimizer,
                LearningRate = Pick(lr, o.LearningRate),
                HeadLearningRate = parse.GetValue(headLr) ?? o.HeadLearningRate,
                Schedule = parse.GetValue(schedule) is string name
                    ? Enum.TryParse<LearningRateSchedule>(name, true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                        : throw new MarginFaceException($"--schedule: expected constant, step, cosine or polynomial, got '{name}'")
                    : o.Schedule,
                WarmupSteps = Pick(warmupSteps, o.WarmupSteps),
                WeightDecay = Pick(weightDecay, o.WeightDecay),
                GradientClipNorm = Pick(clip, o.GradientClipNorm),
                FocalGamma = parse.GetValue(focalGamma) ?? o.FocalGamma,
                MarginWarmupEpochs = Pick(marginWarmup, o.MarginWarmupEpochs),
                Seed = Pick(seed, o.Seed),
                Workers = Pick(workers, o.Workers),
                CacheCrops = parse.GetValue(cacheCrops) || o.CacheCrops,
                MinImages = Pick(minImages, o.MinImages),
                IncludeIdentities = PickText(include, o.IncludeIdentities),
                ExcludeIdentities = PickText(exclude, o.ExcludeIdentities),
                Flip = !parse.GetValue(noFlip) && o.Flip,
                RandomCropFrom = parse.GetValue(randomCrop) ?? o.RandomCropFrom,
                Brightness = Pick(brightness, o.Brightness),
                Contrast = Pick(contrast, o.Contrast),
                RandomErase = Pick(randomErase, o.RandomErase),
                Dropout = Pick(dropout, o.Dropout),
                SaveEverySteps = parse.GetValue(saveEvery) ?? o.SaveEverySteps,
                ValidationPairs = PickText(valPairs, o.ValidationPairs),
                ValidationImages = PickText(valImages, o.ValidationImages),
                ValidationBins = parse.GetValue(valBins) is string bins ? bins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : o.ValidationBins,
                Init = PickText(init, o.Init),
                Pk = parse.GetValue(pk) is string pkText ? Parsed("--pk", () => PkBatchPlan.Parse(pkText)) : o.Pk,
                PartialFc = parse.GetValue(partialFc) ?? o.PartialFc,
                Precision = parse.GetValue(precision) is string precisionText ? PrecisionOption.Parse(precisionText, "--precision") : o.Precision,
            };
            var lossParameters = new Dictionary<string, double>(o.LossParameters, StringComparer.OrdinalIgnoreCase);
            if (parse.GetValue(s) is double scale) lossParameters["s"] = scale;
            if (parse.GetValue(m) is double margin) lossParameters["m"] = margin;
            foreach (var (key, value) in ParameterList.Parse(parse.GetValue(parameters))) lossParameters[key] = value;
            o = o with { LossParameters = lossParameters };

            var threads = parse.GetValue(compute.Threads) ?? Math.Max(1, Environment.ProcessorCount / (ranks.Size > 1 ? DistributedLaunch.LocalSize : 1) - o.Workers);
            var devices = compute.OpenAll(parse, threads, text => DistributedLaunch.DeviceFor(text, ranks.Size));
            o.Validate();
            using var stop = new StopSignals();
            var outputDirectory = parse.GetValue(output)!;
            System.Console.WriteLine($"backbone: {o.Backbone}, loss: {o.Loss}, epochs: {o.Epochs}, batch: {(o.Pk is null ? o.BatchSize : $"{o.EffectiveBatchSize} (P×K {o.Pk})")}, workers: {o.Workers}, out: {outputDirectory}");
            var result = ProgressDisplay.Run(o.Loss, o.Epochs, report =>
                FaceTraining.Run(o, outputDirectory, devices, new ProgressCallback(report), new SynchronousProgress(ProgressDisplay.Log),
                    parse.GetValue(resume), stop.Token, collective: ranks));
            System.Console.WriteLine($"trained on {result.Images} images of {result.Classes} identities; model: {result.ModelPath}");
            if (result.BestModelPath is { } best) System.Console.WriteLine($"best validation accuracy {result.ValidationAccuracy.Values.Max():P2}: {best}");
            return stop.ExitCode();
        }));
        return command;
    }

    /// <summary>The value <paramref name="parse"/> reads from <paramref name="option"/>'s text; its one-line error names the option.</summary>
    private static T Parsed<T>(string option, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (MarginFaceException e)
        {
            throw new MarginFaceException($"{option}: {e.Message}");
        }
    }
}
