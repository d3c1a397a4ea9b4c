using System.Text.Json.Serialization;

namespace MarginFace.Training;

/// <summary>The optimiser of a face-training run (<see cref="FaceTrainingOptions.Optimizer"/>); written as <c>sgd</c> or <c>adam</c> in settings files.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingOptimizer>))]
public enum TrainingOptimizer
{
    /// <summary>SGD with momentum 0.9 and weight decay (arcface_torch's), over one flat buffer per parameter group.</summary>
    [JsonStringEnumMemberName("sgd")]
    Sgd,

    /// <summary>Adam (Kingma and Ba, 2015) with L2 weight decay.</summary>
    [JsonStringEnumMemberName("adam")]
    Adam,
}
