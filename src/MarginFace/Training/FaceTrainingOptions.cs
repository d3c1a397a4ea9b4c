using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Losses.Mining;
using MarginFace.Models;

namespace MarginFace.Training;

/// <summary>Settings of one face-training run from identity folders; serialised as the run's <c>config.json</c> and read from <c>--config</c> files.</summary>
public sealed record FaceTrainingOptions
{
    /// <summary>The identity folders: <c>DIR/&lt;identity&gt;/&lt;image&gt;</c>.</summary>
    public string? Data { get; init; }

    /// <summary>Backbone name of <see cref="Models.BackboneFactory"/>.</summary>
    public string Backbone { get; init; } = "facemobilenet";

    /// <summary>Loss name of <see cref="LossRegistry"/>.</summary>
    public string Loss { get; init; } = "arcface";

    /// <summary>Embedding size; null: the backbone's default.</summary>
    public int? Embedding { get; init; }

    /// <summary>Crop of each whole image before resizing (<see cref="FaceCrop.Parse"/>: <c>none</c>, <c>center:SIZE</c>, <c>landmarks[:TEMPLATE]</c>).</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(FaceCropJsonConverter))]
    public FaceCrop Crop { get; init; } = FaceCrop.None;

    /// <summary>Pixel normalisation; null: the backbone's.</summary>
    public PixelNormalization? Normalization { get; init; }

    /// <summary>Passes over the training images.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Images per step (ignored with <see cref="Pk"/>, which sets P·K).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>The batch size when none is given.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>SGD (momentum 0.9) or Adam.</summary>
    public TrainingOptimizer Optimizer { get; init; } = TrainingOptimizer.Sgd;

    /// <summary>Peak learning rate of the backbone (reached after <see cref="WarmupSteps"/>).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Learning rate of the class centres; null: <see cref="LearningRate"/>.</summary>
    public double? HeadLearningRate { get; init; }

    /// <summary>How the rate decays over the run; polynomial (1 − t)^power by default.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Polynomial;

    /// <summary>Linear learning-rate warm-up over this many steps.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>For the step schedule: the epochs at whose start the rate is multiplied by 0.1 (null: 60 % and 85 % of the run).</summary>
    public IReadOnlyList<int>? Milestones { get; init; }

    /// <summary>L2 weight decay of the backbone and head weights.</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Largest total gradient norm per step (0: no clipping).</summary>
    public double GradientClipNorm { get; init; } = 5;

    /// <summary>Focal loss with this γ instead of cross-entropy for margin heads (the seeds' ArcFace + focal); null: cross-entropy.</summary>
    public double? FocalGamma { get; init; }

    /// <summary>
    /// Partial FC sample rate r in (0, 1] (An et al. 2021): each step uses the centres of the batch's identities plus random
    /// others up to r·C; 1 keeps every centre (the full layer, which several devices then shard). Null: the head's own full layer.
    /// </summary>
    public double? PartialFc { get; init; }

    /// <summary>
    /// How many shards hold the Partial FC centres: set by the run to its device count when <see cref="PartialFc"/> is given
    /// and it has several devices, else 1 (a value in a config file is replaced). Part of <c>config.json</c> and of the
    /// fingerprint, so export rebuilds the same parameters and a resume on another number of devices is refused.
    /// </summary>
    public int CentreShards { get; init; } = 1;

    /// <summary>Loss parameters by name (s, m, ...).</summary>
    public Dictionary<string, double> LossParameters { get; init; } = new();

    /// <summary>Epochs over which an additive margin grows from 0.</summary>
    public int MarginWarmupEpochs { get; init; }

    /// <summary>Seed of the weights, the sample order and the augmentation: the same seed and data give the same run.</summary>
    public int Seed { get; init; }

    /// <summary>Image decoding threads (the batches do not depend on them; not part of a checkpoint's fingerprint).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>
    /// Keep every image's cropped face in memory after its first read (<see cref="FaceCropCache"/>): later epochs skip decoding,
    /// detection and alignment, and the batches stay the same. Costs W·H·3 bytes per image of the crop (37,632 at 112×112); for
    /// data sets that fit in memory. Not part of a checkpoint's fingerprint.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool CacheCrops { get; init; }

    /// <summary>Identities with fewer images are left out.</summary>
    public int MinImages { get; init; } = 1;

    /// <summary>File with identity names to train on (one per line).</summary>
    public string? IncludeIdentities { get; init; }

    /// <summary>File with identity names to leave out (one per line).</summary>
    public string? ExcludeIdentities { get; init; }

    /// <summary>Random horizontal flip.</summary>
    public bool Flip { get; init; } = true;

    /// <summary>Resize to this size, then crop the input size at a random place (the seeds: 144 → 128); null: none.</summary>
    public int? RandomCropFrom { get; init; }

    /// <summary>Brightness jitter: ×(1 ± this).</summary>
    public double Brightness { get; init; }

    /// <summary>Contrast jitter: ×(1 ± this) around the image mean.</summary>
    public double Contrast { get; init; }

    /// <summary>Random erasing (Zhong et al. 2020): probability of blanking one random rectangle of each training image.</summary>
    public double RandomErase { get; init; }

    /// <summary>Dropout probability before the backbone's embedding layer during training (0: none).</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// The backbone's arithmetic: fp32, or bf16/fp16 with float32 master weights, batch norm, head and loss
    /// (<see cref="MixedPrecision"/>; fp16 with dynamic loss scaling). One device only. Written only when not fp32, so fp32
    /// runs keep their fingerprint.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public TrainingPrecision Precision { get; init; }

    /// <summary>Checkpoint every this many steps as well as after every epoch.</summary>
    public int? SaveEverySteps { get; init; }

    /// <summary>Validation pairs file (LFW format) evaluated after every epoch, with <see cref="ValidationImages"/>.</summary>
    public string? ValidationPairs { get; init; }

    /// <summary>The images the validation pairs name.</summary>
    public string? ValidationImages { get; init; }

    /// <summary>InsightFace <c>.bin</c> verification sets (<c>lfw.bin</c>, <c>cfp_fp.bin</c>, …) scored by arcface_torch's rule after every epoch.</summary>
    public IReadOnlyList<string>? ValidationBins { get; init; }

    /// <summary>
    /// A face model whose weights start the backbone (<see cref="FaceModelLoader.OpenTorch"/>: a face model file, or <c>pretrained</c>);
    /// it must have this run's backbone, embedding size and input size. The classifier starts fresh. Null: random weights.
    /// </summary>
    public string? Init { get; init; }

    /// <summary>
    /// Batches of P identities × K images (written "P,K" in settings files), required by the pair and triplet losses and only
    /// valid with them. <see cref="BatchSize"/> is then P·K; a batch size given beside it must agree.
    /// </summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(PkBatchPlanJsonConverter))]
    public PkBatchPlan? Pk { get; init; }

    /// <summary>Images per step: P·K with <see cref="Pk"/>, else <see cref="BatchSize"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int EffectiveBatchSize => Pk?.BatchSize ?? BatchSize;

    /// <summary>
    /// Checks every setting, before any image is read. Messages name the property (<c>FaceTrainingOptions.LearningRate: ...</c>); names of backbones and losses
    /// are checked against their registries.
    /// </summary>
    public void Validate()
    {
        static void Require(bool ok, string option, string expected, object? value)
        {
            if (!ok) throw new MarginFaceException($"{option}: expected {expected}, got {(value is double d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : value ?? "nothing")}");
        }
        Require(!string.IsNullOrWhiteSpace(Data), "FaceTrainingOptions.Data", "the identity-folder directory", Data);
        Require(Embedding is null or >= 1, "FaceTrainingOptions.Embedding", "a positive number", Embedding);
        Require(Epochs >= 1, "FaceTrainingOptions.Epochs", "a positive number", Epochs);
        Require(BatchSize >= 2, "FaceTrainingOptions.BatchSize", "at least 2", BatchSize);
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "FaceTrainingOptions.LearningRate", "a positive number", LearningRate);
        Require(HeadLearningRate is null or > 0 && double.IsFinite(HeadLearningRate ?? 1), "FaceTrainingOptions.HeadLearningRate", "a positive number", HeadLearningRate);
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), "FaceTrainingOptions.WeightDecay", "0 or a positive number", WeightDecay);
        Require(GradientClipNorm >= 0 && double.IsFinite(GradientClipNorm), "FaceTrainingOptions.GradientClipNorm", "a finite number ≥ 0 (0: no clipping)", GradientClipNorm);
        Require(WarmupSteps >= 0, "FaceTrainingOptions.WarmupSteps", "0 or a positive number", WarmupSteps);
        Require(MarginWarmupEpochs >= 0, "FaceTrainingOptions.MarginWarmupEpochs", "0 or a positive number", MarginWarmupEpochs);
        Require(Workers is >= 1 and <= 64, "FaceTrainingOptions.Workers", "a number from 1 to 64", Workers);
        Require(MinImages >= 1, "FaceTrainingOptions.MinImages", "a positive number", MinImages);
        Require(SaveEverySteps is null or >= 1, "FaceTrainingOptions.SaveEverySteps", "a positive number", SaveEverySteps);
        Require(Brightness is >= 0 and < 1, "FaceTrainingOptions.Brightness", "a number in [0, 1)", Brightness);
        Require(Contrast is >= 0 and < 1, "FaceTrainingOptions.Contrast", "a number in [0, 1)", Contrast);
        Require(RandomErase is >= 0 and <= 1, "FaceTrainingOptions.RandomErase", "a probability in [0, 1]", RandomErase);
        Require(Dropout is >= 0 and < 1, "FaceTrainingOptions.Dropout", "a probability in [0, 1)", Dropout);
        Require(PartialFc is null or > 0 and <= 1, "FaceTrainingOptions.PartialFc", "a sample rate in (0, 1]", PartialFc);
        Require(FocalGamma is null or >= 0 && double.IsFinite(FocalGamma ?? 0), "FaceTrainingOptions.FocalGamma", "0 or a positive number", FocalGamma);
        Require(Enum.IsDefined(Optimizer), "FaceTrainingOptions.Optimizer", "sgd or adam", Optimizer);
        Require(Crop is not null, "FaceTrainingOptions.Crop", "a crop (none, center:SIZE or landmarks[:TEMPLATE])", Crop);
        Require(Enum.IsDefined(Precision), "FaceTrainingOptions.Precision", "fp32, bf16 or fp16", Precision);
        Require(Enum.IsDefined(Schedule), "FaceTrainingOptions.Schedule", "constant, step, cosine or polynomial", Schedule);
        Require((ValidationPairs is null) == (ValidationImages is null), "FaceTrainingOptions.ValidationPairs", "it together with FaceTrainingOptions.ValidationImages", ValidationPairs ?? ValidationImages);
        try
        {
            BackboneFactory.CheckName(Backbone);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"FaceTrainingOptions.Backbone: {e.Message.Split(" (Parameter")[0]}");
        }
        try
        {
            BackboneFactory.CheckEmbeddingSize(Backbone, Embedding);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"FaceTrainingOptions.Embedding: {e.Message.Split(" (Parameter")[0]}");
        }
        try
        {
            BackboneFactory.CheckDropout(Backbone, Dropout);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"FaceTrainingOptions.Dropout: {e.Message.Split(" (Parameter")[0]}");
        }
        if (PartialFc is not null && LossRegistry.Names.Contains(Loss.Trim().ToLowerInvariant()) && LossRegistry.Family(Loss) != LossFamily.MarginHead)
            throw new MarginFaceException($"FaceTrainingOptions.PartialFc: Partial FC is for the margin heads, not {Loss}");
        try
        {
            new LearningRatePlan { Schedule = Schedule, Milestones = Milestones, WarmupSteps = WarmupSteps }.Validate();
            LossRegistry.Validate(Loss, LossSettings);
        }
        catch (ArgumentException e)
        {
            var message = e.Message.Split(" (Parameter")[0];
            const string partialFc = "Partial FC: ";
            throw new MarginFaceException(message.StartsWith(partialFc, StringComparison.Ordinal)
                ? $"FaceTrainingOptions.PartialFc: {message[partialFc.Length..]} (FaceTrainingOptions.Loss = {Loss})"
                : $"FaceTrainingOptions.Loss = {Loss}: {message}");
        }
        var embeddingLoss = LossRegistry.Family(Loss) is LossFamily.Triplet or LossFamily.Pair;
        if (embeddingLoss && Pk is null)
            throw new MarginFaceException($"FaceTrainingOptions.Pk: loss {Loss} needs P×K batches (e.g. \"16,4\": 16 identities × 4 images)");
        if (!embeddingLoss && Pk is not null)
            throw new MarginFaceException($"FaceTrainingOptions.Pk: P×K batches are for the pair and triplet losses (contrastive, triplet), not {Loss}");
        if (Pk is { } plan && BatchSize != DefaultBatchSize && BatchSize != plan.BatchSize)
            throw new MarginFaceException($"FaceTrainingOptions.BatchSize: {BatchSize} disagrees with FaceTrainingOptions.Pk = {Pk} (P·K = {plan.BatchSize}); leave the batch size unset");
    }

    /// <summary>The loss settings, as <see cref="LossRegistry.Create"/> takes them.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public LossSettings LossSettings => new()
    {
        Parameters = LossParameters,
        MarginWarmupEpochs = MarginWarmupEpochs,
        Seed = Seed,
        FocalGamma = FocalGamma,
        PartialFcSampleRate = PartialFc,
    };

    /// <summary>
    /// <see cref="LossSettings"/> with the Partial FC centres in <see cref="CentreShards"/> shards, shard i on
    /// <paramref name="devices"/>[i] (unchanged for one shard).
    /// </summary>
    internal LossSettings LossSettingsOn(IReadOnlyList<TorchSharp.torch.Device> devices) =>
        CentreShards > 1 ? LossSettings with { ShardDevices = [.. devices.Take(CentreShards)] } : LossSettings;
}
