using MarginFace.Training;

namespace MarginFace.Cli.Commands;

/// <summary>The text of <c>--precision</c> (train, bench train): fp32, bf16 or fp16.</summary>
internal static class PrecisionOption
{
    public static TrainingPrecision Parse(string text, string option) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" => TrainingPrecision.Fp32,
        "bf16" => TrainingPrecision.Bf16,
        "fp16" => TrainingPrecision.Fp16,
        _ => throw new MarginFaceException($"{option}: expected fp32, bf16 or fp16, got '{text}'"),
    };
}
