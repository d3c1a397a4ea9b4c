using System.Text.Json.Serialization;
using MarginFace.Data;
using MarginFace.Models;
using MarginFace.Training;

namespace MarginFace.Mnist;

/// <summary>Settings of one MNIST / Fashion-MNIST feature experiment; serialised as the run's <c>config.json</c>.</summary>
public sealed record MnistExperimentOptions
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
}
