using System.Text.Json.Serialization;

namespace MarginFace.Training;

/// <summary>
/// The arithmetic of the backbone during training (<see cref="MixedPrecision"/>). The margin head, the loss, batch
/// normalisation and the optimiser's master weights are float32 in every mode. Written <c>fp32</c>, <c>bf16</c> or <c>fp16</c>
/// in settings files.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingPrecision>))]
public enum TrainingPrecision
{
    /// <summary>float32 throughout.</summary>
    [JsonStringEnumMemberName("fp32")]
    Fp32,

    /// <summary>bfloat16 backbone (float32's 8-bit exponent, 8-bit significand): no loss scaling needed.</summary>
    [JsonStringEnumMemberName("bf16")]
    Bf16,

    /// <summary>float16 backbone (5-bit exponent, 11-bit significand) with dynamic loss scaling (<see cref="GradientScaler"/>).</summary>
    [JsonStringEnumMemberName("fp16")]
    Fp16,
}
