using MarginFace.Data;
using MarginFace.Models;

namespace MarginFace.FaceModels;

/// <summary>
/// Everything a face model file says about itself besides its weights: the backbone and how to feed it, the identities it was
/// trained on, the loss, the training configuration, and the model id (a hash of the weights), which galleries record.
/// </summary>
public sealed record FaceModelInfo
{
    /// <summary>Backbone name of <see cref="BackboneFactory"/>.</summary>
    public required string Backbone { get; init; }

    /// <summary>D, the length of every embedding.</summary>
    public required int EmbeddingSize { get; init; }

    /// <summary>Input width in pixels.</summary>
    public required int InputWidth { get; init; }

    /// <summary>Input height in pixels.</summary>
    public required int InputHeight { get; init; }

    /// <summary>1 (grey) or 3 (RGB).</summary>
    public required int Channels { get; init; }

    /// <summary>How pixels become input values; must match training, else the embeddings are meaningless.</summary>
    public required PixelNormalization Normalization { get; init; }

    /// <summary>The crop applied to a whole image before resizing (<see cref="FaceCrop.Parse"/>: none, center:SIZE).</summary>
    public string Crop { get; init; } = "none";

    /// <summary>Identity names by label, when the model was trained on identity folders.</summary>
    public IReadOnlyList<string> Identities { get; init; } = [];

    /// <summary>Loss name and parameters it was trained with (information only).</summary>
    public string? Loss { get; init; }

    /// <summary>The loss parameters by name (s, m, ...), information only.</summary>
    public IReadOnlyDictionary<string, double> LossParameters { get; init; } = new Dictionary<string, double>();

    /// <summary>The training configuration as JSON (information only).</summary>
    public string? TrainingConfig { get; init; }

    /// <summary>The best verification threshold measured on validation pairs, when there was a validation set.</summary>
    public double? VerificationThreshold { get; init; }

    /// <summary>First 16 hex digits of the SHA-256 of the weights as stored.</summary>
    public string ModelId { get; init; } = "";

    /// <summary>The preprocessing that turns an image into this model's input.</summary>
    public FacePreprocessing Preprocessing() => new(FaceCrop.Parse(Crop), InputWidth, InputHeight, Channels == 1, Normalization);
}
