using System.Diagnostics;
using System.Text.Json.Serialization;
using System.Text.Json;
using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Data;
using MarginFace.Distributed;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Visualization;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Trains a face backbone on identity folders (<c>DIR/&lt;identity&gt;/&lt;image&gt;</c>) with a classification loss of
/// <see cref="LossRegistry"/>, streaming the images from disk. Writes into the output directory: <c>config.json</c>,
/// <c>classes.json</c>, <c>model.bin</c> (the checkpoint: backbone, head, optimiser, progress), <c>face.model</c> (the deployable
/// backbone after each epoch), <c>best.model</c> (best validation accuracy), <c>metrics.json</c> and <c>curves.png</c>.
/// </summary>
public static class FaceTraining
{
    /// <summary>
    /// Copies the weights of the face model <paramref name="reference"/> into <paramref name="backbone"/>; a model of another
    /// backbone, embedding size or input size is a one-line error naming it and what differs.
    /// </summary>
    public static void StartFrom(Backbone backbone, string reference, IProgress<string>? log = null)
    {
        using var model = FaceModelLoader.OpenTorch(reference, log);
        var (info, spec) = (model.Info, backbone.Spec);
        string? mismatch = info.Backbone != spec.Name ? $"backbone {info.Backbone}, not {spec.Name}"
            : info.EmbeddingSize != spec.EmbeddingSize ? $"a {info.EmbeddingSize}-D embedding, not {spec.EmbeddingSize}-D"
            : info.InputWidth != spec.InputWidth || info.InputHeight != spec.InputHeight || info.Channels != spec.Channels
                ? $"input {info.InputWidth}x{info.InputHeight}x{info.Channels}, not {spec.InputWidth}x{spec.InputHeight}x{spec.Channels}"
            : null;
        if (mismatch is not null) throw new MarginFaceException($"FaceTrainingOptions.Init = {reference}: the model has {mismatch}");
        using (torch.no_grad())
        {
            var target = backbone.Module.state_dict();
            foreach (var (name, tensor) in model.Module.state_dict())
            {
                if (!target.TryGetValue(name, out var destination) || !destination.shape.SequenceEqual(tensor.shape))
                    throw new MarginFaceException($"FaceTrainingOptions.Init = {reference}: its weight {name} does not fit backbone {spec.Name}");
                destination.copy_(tensor);
            }
        }
        log?.Report($"backbone starts from {reference} (model {info.ModelId})");
    }

    private static readonly JsonSerializerOptions ConfigJson = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Trains on one device: reads the identity folders of <paramref name="options"/>, trains, and writes checkpoints, <c>config.json</c> and the face model into <paramref name="outputDirectory"/> (continuing its checkpoint when <paramref name="resume"/>).</summary>
    public static FaceTrainingResult Run(FaceTrainingOptions options, string outputDirectory, Device device, ITrainingCallback? callback = null,
        IProgress<string>? log = null, bool resume = false, CancellationToken cancellation = default, FaceCropCache? crops = null) =>
        Run(options, outputDirectory, [device], callback, log, resume, cancellation, crops);

    /// <summary>The files whose presence marks a folder as holding a training run, finished or under way.</summary>
    public static readonly IReadOnlyList<string> RunFiles = ["model.bin", "face.model", "config.json"];

    /// <summary>
    /// The first of <see cref="RunFiles"/> found in <paramref name="outputDirectory"/>, or null: a new run there would overwrite
    /// that run's checkpoint and model, so a caller asks before starting one (resume it, or say to start again).
    /// </summary>
    public static string? FindRun(string outputDirectory) =>
        RunFiles.Select(name => Path.Combine(outputDirectory, name)).FirstOrDefault(File.Exists);

    /// <summary>
    /// True while another process trains into <paramref name="outputDirectory"/>: <c>Run</c> holds a lock there from before its
    /// first write to its end, and refuses to start while another holds it.
    /// </summary>
    public static bool IsRunning(string outputDirectory) => TrainingRunLock.IsHeld(outputDirectory);

    /// <summary>
    /// As the one-device run, over <paramref name="devices"/>: with more than one, each batch is split across backbone replicas
    /// (<see cref="DataParallelBackbone"/>; the first device holds the master and the loss), and with
    /// <see cref="FaceTrainingOptions.PartialFc"/> the class centres are sharded over the same devices. The numbers are
    /// reproducible (and a resume bit-exact) on the same devices. With <see cref="FaceTrainingOptions.CacheCrops"/> the faces are
    /// kept in <paramref name="crops"/> (a new cache when null), which a caller may share between runs over the same files.
    /// With <paramref name="collective"/> of several ranks (one process per device, docs/distributed.md), each rank trains on
    /// its part of every batch and the gradients are averaged; rank 0 alone logs and writes the output files.
    /// </summary>
    public static FaceTrainingResult Run(FaceTrainingOptions options, string outputDirectory, IReadOnlyList<Device> devices, ITrainingCallback? callback = null,
        IProgress<string>? log = null, bool resume = false, CancellationToken cancellation = default, FaceCropCache? crops = null, ICollective? collective = null)
    {
        options.Validate();
        if (devices.Count < 1) throw new ArgumentException("at least one device is needed.", nameof(devices));
        var ranks = collective ?? SingleProcess.Instance;
        DistributedRun.Validate(options, devices.Count, ranks.Size);
        var writes = ranks.Rank == 0;
        if (!writes) (callback, log) = (null, null);
        var device = devices[0];
        if (options.Precision != TrainingPrecision.Fp32 && devices.Count > 1)
            throw new MarginFaceException($"FaceTrainingOptions.Precision = {options.Precision.ToString().ToLowerInvariant()}: mixed precision trains on one device, not {devices.Count}");
        if (options.Precision != TrainingPrecision.Fp32 && ranks.Size > 1)
            throw new MarginFaceException($"FaceTrainingOptions.Precision = {options.Precision.ToString().ToLowerInvariant()}: mixed precision trains in one process, not {ranks.Size} (not yet combined with mpirun)");
        options = options with { CentreShards = devices.Count > 1 && options.PartialFc is not null ? devices.Count : 1 };
        var wall = Stopwatch.StartNew();
        var classesPath = Path.Combine(outputDirectory, "classes.json");
        var checkpointPath = Path.Combine(outputDirectory, "model.bin");
        if (resume && !File.Exists(checkpointPath)) throw new MarginFaceException($"{checkpointPath}: checkpoint not found; nothing to resume");
        var validation = options.ValidationPairs is string pairsPath ? LfwPairs.Read(pairsPath) : null;
        validation?.CheckImages(options.ValidationImages!);
        var bins = BinValidation.Open(options.ValidationBins);

        torch.manual_seed(options.Seed);
        using var backbone = BackboneFactory.Create(options.Backbone, options.Embedding, options.Dropout);
        var spec = backbone.Spec;
        if (options.Init is string init && !resume) StartFrom(backbone, init, log);
        var dataset = TrainingImages.Open(options, log);
        using var openData = dataset as IDisposable;
        if (resume && File.Exists(classesPath)) IdentityFolderDataset.EnsureSameIdentities(dataset, IdentityFolderDataset.ReadClasses(classesPath), classesPath);
        log?.Report($"data: {dataset.Count} images of {dataset.Identities.Count} identities from {dataset.Root}");

        var preprocessing = Preprocessing(spec, options);
        if (preprocessing.Crop is Data.LandmarkFaceCrop landmarks)
        {
            try
            {
                landmarks.EnsureDetector();
            }
            catch (MarginFaceException e)
            {
                throw new MarginFaceException($"FaceTrainingOptions.Crop = {options.Crop}: {e.Message}");
            }
            preprocessing = preprocessing with { Crop = landmarks.WithDetectionCache() };
        }
        var augmentation = options.Flip || options.RandomCropFrom is not null || options.Brightness > 0 || options.Contrast > 0 || options.RandomErase > 0
            ? new FaceAugmentation(options.Flip, options.RandomCropFrom, options.Brightness, options.Contrast, options.RandomErase)
            : null;
        try
        {
            augmentation?.Validate(preprocessing);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"FaceTrainingOptions.RandomCropFrom: {e.Message.Split(" (Parameter")[0]}");
        }
        IBatchSource source = new ImageFolderBatchSource(dataset, preprocessing, augmentation, new ImageFolderBatchOptions(options.EffectiveBatchSize, options.Seed, options.Workers)
        {
            Pk = options.Pk,
            Warning = (path, problem) => log?.Report($"skipping {path}: {problem}"),
            Crops = options.CacheCrops ? crops ?? new FaceCropCache() : null,
        });
        var lossSettings = options.LossSettingsOn(devices) with { Ranks = ranks.Size > 1 && options.Optimizer != TrainingOptimizer.Adam ? (ranks.Rank, ranks.Size) : null };
        using var created = LossRegistry.Create(options.Loss, spec.EmbeddingSize, dataset.Identities.Count, lossSettings);
        backbone.Module.to(device);
        foreach (var module in created.Modules) module.to(device);
        // Under mpirun, Partial FC's centres are sharded by rank (PartialFC_V2) where the margin allows it.
        using var sharded = ShardedPartialFcObjective.Supports(created)
            ? new ShardedPartialFcObjective(((PartialFcObjective)created).Classifier, ranks, options.MarginWarmupEpochs)
            : null;
        var objective = (TrainingObjective?)sharded ?? created;
        using var parallel = devices.Count > 1
            ? new DataParallelBackbone(backbone.Module, () => BackboneFactory.Create(options.Backbone, options.Embedding, options.Dropout).Module, devices)
            : null;
        if (parallel is not null)
            log?.Report($"data parallel over {string.Join(", ", devices)}{(options.CentreShards > 1 ? $"; class centres in {options.CentreShards} shards" : "")}");
        using var optimizer = CreateOptimizer(options, backbone.Module, objective);
        if (sharded is not null) sharded.Optimizer = optimizer as FlatSgd;
        using var precision = CreateMixedPrecision(options, backbone.Module, device);
        using var distributed = ranks.Size > 1 ? DistributedRun.Join(ranks, backbone.Module, objective, ref source, log) : null;

        using var runLock = writes ? TrainingRunLock.Acquire(outputDirectory) : null;
        var configJson = Fingerprint(options);
        var trainer = new Trainer(backbone.Module, objective, optimizer, device, new TrainerOptions
        {
            Epochs = options.Epochs,
            LearningRate = new LearningRatePlan { Schedule = options.Schedule, PerStep = true, WarmupSteps = options.WarmupSteps, Milestones = options.Milestones },
            Seed = options.Seed,
            GradientClipNorm = options.GradientClipNorm > 0 ? options.GradientClipNorm : null,
            CheckpointPath = checkpointPath,
            SaveEverySteps = options.SaveEverySteps,
            Fingerprint = configJson,
        }, parallel, precision, distributed);
        if (resume)
        {
            trainer.Resume(checkpointPath);
            log?.Report($"resuming from {checkpointPath} after {trainer.History.Count} finished epoch(s)");
        }
        if (writes)
        {
            AtomicFile.WriteAllText(Path.Combine(outputDirectory, "config.json"), JsonSerializer.Serialize(options, ConfigJson));
            IdentityFolderDataset.WriteClasses(classesPath, dataset.Identities);
        }

        var info = ModelInfo(spec, preprocessing, dataset.Identities, options, configJson);
        var modelPath = Path.Combine(outputDirectory, "face.model");
        var bestPath = Path.Combine(outputDirectory, "best.model");
        var validationAccuracy = new Dictionary<int, double>();
        var best = double.NegativeInfinity;
        var epochCallback = new EpochEndCallback(callback, result =>
        {
            if (!writes) return;
            backbone.Module.eval();
            double? threshold = null;
            if (validation is not null)
            {
                var scores = CosineScores.ForPairs(validation, new ImageFolderEmbeddings(options.ValidationImages!, backbone.Module, preprocessing, device));
                var accuracy = VerificationProtocol.BestThresholdAccuracy(scores, validation.SameLabels());
                validationAccuracy[result.Epoch] = accuracy.Accuracy;
                threshold = accuracy.Threshold;
            }
            if (bins is not null)
            {
                bins.Evaluate(result.Epoch, backbone.Module, preprocessing, device);
                if (validation is null) validationAccuracy[result.Epoch] = bins.MeanAccuracy(result.Epoch);
            }
            var saved = FaceModelFile.Save(modelPath, backbone.Module, info with { VerificationThreshold = threshold });
            if (validationAccuracy.TryGetValue(result.Epoch, out var current) && current > best)
            {
                best = current;
                AtomicFile.Write(bestPath, temp => File.Copy(modelPath, temp, overwrite: true));
            }
            log?.Report($"epoch {result.Epoch}: loss {result.MeanLoss:0.0000}, train accuracy {(double.IsNaN(result.TrainAccuracy) ? "-" : result.TrainAccuracy.ToString("P2"))}" +
                (validation is not null && validationAccuracy.TryGetValue(result.Epoch, out var v) ? $", validation accuracy {v:P2} (threshold {threshold:0.000})" : "") +
                (bins is not null ? $", {bins.Summary(result.Epoch)}" : "") +
                $", {result.SamplesPerSecond:0} images/s, model {saved.ModelId}");
        });
        var epochs = trainer.Fit(source, epochCallback, cancellation);

        if (epochs.Count > 0 && writes)
            TrainingCurvesPlot.Save(Path.Combine(outputDirectory, "curves.png"), epochs.Select(e => e.MeanLoss).ToList(), epochs.Select(e => e.TrainAccuracy).ToList(),
                validation is null ? null : epochs.Select(e => validationAccuracy.GetValueOrDefault(e.Epoch, double.NaN)).ToList(), $"{spec.Name}, {options.Loss}",
                more: bins?.Curves(epochs.Select(e => e.Epoch)));
        var rows = EpochMetrics.Rows(epochs, "validationAccuracy", validationAccuracy);
        bins?.AddTo(rows);
        var metrics = new
        {
            backbone = spec.Name,
            loss = options.Loss,
            classes = dataset.Identities.Count,
            images = dataset.Count,
            epochsCompleted = epochs.Count,
            epochs = rows,
            interrupted = trainer.Interrupted,
            device = string.Join(",", devices),
            processes = ranks.Size,
            threads = torch.get_num_threads(),
            workers = options.Workers,
            wallSeconds = wall.Elapsed.TotalSeconds,
        };
        if (writes) AtomicFile.WriteAllText(Path.Combine(outputDirectory, "metrics.json"), JsonSerializer.Serialize(metrics, ConfigJson));
        return new FaceTrainingResult(epochs, validationAccuracy, modelPath, validationAccuracy.Count > 0 ? bestPath : null,
            dataset.Identities.Count, dataset.Count, trainer.Interrupted);
    }

    /// <summary>The description written with the trained backbone.</summary>
    internal static FaceModelInfo ModelInfo(BackboneSpec spec, FacePreprocessing preprocessing, IReadOnlyList<string> identities,
        FaceTrainingOptions options, string configJson) => new()
    {
        Backbone = spec.Name,
        EmbeddingSize = spec.EmbeddingSize,
        InputWidth = spec.InputWidth,
        InputHeight = spec.InputHeight,
        Channels = spec.Channels,
        Normalization = preprocessing.Normalization,
        Crop = preprocessing.Crop.ToString(),
        Identities = identities,
        Loss = options.Loss,
        LossParameters = options.LossParameters,
        TrainingConfig = configJson,
    };

    /// <summary>The preprocessing of a run: the backbone's input size and channels, the run's crop and normalisation.</summary>
    internal static FacePreprocessing Preprocessing(BackboneSpec spec, FaceTrainingOptions options) =>
        new(options.Crop, spec.InputWidth, spec.InputHeight, spec.Channels == 1, options.Normalization ?? spec.Normalization);

    /// <summary>
    /// The configuration JSON that fingerprints a run: paths, decoding threads and the crop cache are left out, since moving the
    /// data or changing how it is read does not change the numbers.
    /// </summary>
    internal static string Fingerprint(FaceTrainingOptions options) =>
        JsonSerializer.Serialize(options with { Data = null, ValidationImages = null, ValidationPairs = null, ValidationBins = null, IncludeIdentities = null, ExcludeIdentities = null, Workers = 1, CacheCrops = false }, ConfigJson);

    private static MixedPrecision? CreateMixedPrecision(FaceTrainingOptions options, nn.Module<Tensor, Tensor> backbone, Device device)
    {
        if (options.Precision == TrainingPrecision.Fp32) return null;
        try
        {
            return new MixedPrecision(backbone, () => BackboneFactory.Create(options.Backbone, options.Embedding, options.Dropout).Module, options.Precision, device);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"FaceTrainingOptions.Precision = {options.Precision.ToString().ToLowerInvariant()}: backbone {options.Backbone}'s {e.Message.Split(" (Parameter")[0]}");
        }
    }

    private static OptimizerHelper CreateOptimizer(FaceTrainingOptions options, nn.Module backbone, TrainingObjective objective)
    {
        var lr = options.LearningRate;
        var headLr = options.HeadLearningRate ?? lr;
        var head = objective.Parameters.ToList();
        if (options.Optimizer == TrainingOptimizer.Adam)
            return optim.Adam([
                new Adam.ParamGroup(backbone.parameters(), lr: lr, weight_decay: options.WeightDecay),
                .. head.Count > 0 ? [new Adam.ParamGroup(head, lr: headLr, weight_decay: options.WeightDecay)] : Array.Empty<Adam.ParamGroup>()]);
        return new FlatSgd([
            new SGD.ParamGroup(backbone.parameters(), lr: lr, momentum: 0.9, weight_decay: options.WeightDecay),
            .. head.Count > 0 ? [new SGD.ParamGroup(head, lr: headLr, momentum: 0.9, weight_decay: options.WeightDecay)] : Array.Empty<SGD.ParamGroup>()], lr);
    }
}
