using System.Text.Json.Serialization;
using MarginFace.Training;

namespace MarginFace.Mnist;

/// <summary>Settings of one MNIST / Fashion-MNIST feature experiment; serialised as the run's <c>config.json</c>.</summary>
internal sealed record MnistExperimentOptions
{
    /// <summary>Loss name: a margin head (softmax, arcface, ...), or focal, center, contrastive, triplet.</summary>
    public string Loss { get; init; } = "softmax";

    /// <summary>Feature network: clsnet (conv-BN-PReLU) or lenetpp (LeNet++).</summary>
    public string Network { get; init; } = "clsnet";

    /// <summary>BatchNorm1d over the feature (<see cref="Models.FeatureBatchNorm"/>); null: the loss's recipe.</summary>
    public bool? FeatureBatchNorm { get; init; }

    /// <summary>Feature size; plots are drawn for 2 and 3.</summary>
    public int FeatureDim { get; init; } = 2;

    [JsonConverter(typeof(JsonStringEnumConverter))]
    public DatasetKind Dataset { get; init; } = DatasetKind.Mnist;

    /// <summary>Directory with the four IDX files; null means the cache, filled on first use.</summary>
    public string? DataDirectory { get; init; }

    public string OutputDirectory { get; init; } = Path.Combine("runs", "mnist");

    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 128;

    /// <summary>adam or sgd (momentum 0.9); null: the loss's recipe (<see cref="MnistRecipes"/>).</summary>
    public string? Optimizer { get; init; }

    /// <summary>Learning rate; null: the loss's recipe.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Learning rate of the head's class weights; null means <see cref="LearningRate"/>.</summary>
    public double? HeadLearningRate { get; init; }

    /// <summary>Learning-rate schedule; null: the loss's recipe.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>L2 weight decay; null: the loss's recipe.</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Largest total gradient norm per step (0: no clipping; null: the loss's recipe).</summary>
    public double? GradientClipNorm { get; init; }

    public int Seed { get; init; }

    /// <summary>Training images are moved by a random whole-pixel offset of up to this many pixels per axis (0: none; null: the recipe's).</summary>
    public int? Shift { get; init; }

    /// <summary>Loss parameters by name (s, m, lambda, gamma, ...); unknown names are an error.</summary>
    public Dictionary<string, double> LossParameters { get; init; } = new();

    /// <summary>Epochs over which an additive margin grows linearly from 0 to its value (0: none; null: the recipe's).</summary>
    public int? MarginWarmupEpochs { get; init; }

    /// <summary>During the margin warm-up, train with modified-softmax logits |x|·cos θ_j on the head's weights (null: the recipe's).</summary>
    public bool? SoftmaxWarmup { get; init; }

    /// <summary>Use only the first N training images (null: all).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Use only the first N test images (null: all).</summary>
    public int? TestLimit { get; init; }

    /// <summary>Write an animated GIF of the feature plot after every epoch.</summary>
    public bool Animate { get; init; }

    /// <summary>
    /// The feature network's arithmetic during training: fp32, or bf16/fp16 with float32 master weights, batch norm, head
    /// and loss (<see cref="MixedPrecision"/>). Written only when not fp32, so fp32 runs keep their fingerprint and can resume.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public TrainingPrecision Precision { get; init; }

    /// <summary>
    /// Checks every setting, whether it came from the command line or a configuration file, before any data is touched:
    /// numbers in range, a known network and optimiser, and a loss whose name and parameters <see cref="LossRegistry"/>
    /// accepts. Messages name the command-line option.
    /// </summary>
    public void Validate()
    {
        static void Require(bool ok, string option, string expected, object? value)
        {
            if (!ok) throw new MarginFaceException($"{option}: expected {expected}, got {Format(value)}");
        }
        Require(FeatureDim >= 1, "--dim", "a positive number", FeatureDim);
        Require(Epochs >= 1, "--epochs", "a positive number", Epochs);
        Require(BatchSize >= 1, "--batch", "a positive number", BatchSize);
        Require(LearningRate is null or > 0 && double.IsFinite(LearningRate ?? 1), "--lr", "a positive number", LearningRate);
        Require(HeadLearningRate is null or > 0 && double.IsFinite(HeadLearningRate ?? 1), "--head-lr", "a positive number", HeadLearningRate);
        Require(WeightDecay is null or >= 0 && double.IsFinite(WeightDecay ?? 0), "--weight-decay", "0 or a positive number", WeightDecay);
        Require(GradientClipNorm is null or >= 0 && double.IsFinite(GradientClipNorm ?? 0), "--clip-grad", "a finite number ≥ 0 (0: no clipping)", GradientClipNorm);
        Require(Shift is null or >= 0, "--shift", "0 or a positive number", Shift);
        Require(MarginWarmupEpochs is null or >= 0, "--margin-warmup", "0 or a positive number", MarginWarmupEpochs);
        Require(TrainLimit is null or >= 1, "--train-limit", "a positive number", TrainLimit);
        Require(TestLimit is null or >= 1, "--test-limit", "a positive number", TestLimit);
        Require(Optimizer is null || Optimizer.Equals("adam", StringComparison.OrdinalIgnoreCase) || Optimizer.Equals("sgd", StringComparison.OrdinalIgnoreCase),
            "--optimizer", "adam or sgd", Optimizer);
        Require(Enum.IsDefined(Dataset), "--dataset", "mnist or fashion", Dataset);
        Require(Enum.IsDefined(Precision), "--precision", "fp32, bf16 or fp16", Precision);
        Require(Schedule is null || Enum.IsDefined(Schedule.Value), "--schedule", "constant, step, cosine or polynomial", Schedule);
        if (!FeatureNetworkFactory.KnownNames.Contains(Network.Trim().ToLowerInvariant()))
            throw new MarginFaceException($"--network: unknown network '{Network}'; known: {string.Join(", ", FeatureNetworkFactory.KnownNames)}");
        try
        {
            LossRegistry.Validate(Loss, LossSettings);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"--loss {Loss}: {e.Message.Split(" (Parameter")[0]}");
        }
    }

    /// <summary>The loss settings of these options, as <see cref="LossRegistry.Create"/> takes them.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public LossSettings LossSettings => new()
    {
        Parameters = LossParameters,
        MarginWarmupEpochs = MarginWarmupEpochs ?? 0,
        SoftmaxWarmup = SoftmaxWarmup ?? false,
        Seed = Seed,
    };

    private static string Format(object? value) => value switch
    {
        null => "nothing",
        double d => d.ToString(System.Globalization.CultureInfo.InvariantCulture),
        string text => $"'{text}'",
        _ => value.ToString() ?? "",
    };
}
