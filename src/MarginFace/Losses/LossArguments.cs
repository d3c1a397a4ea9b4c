using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>Argument validation shared by the losses and miners; every failure names the offending argument.</summary>
internal static class LossArguments
{
    public static void NonNegativeFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and >= 0.");
    }

    public static void Positive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be >= 1.");
    }

    public static void Floating(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (!torch.is_floating_point(t.dtype))
            throw new ArgumentException($"{name} must have a floating-point dtype, got {t.dtype}.", name);
    }

    public static void Matrix(Tensor t, string name)
    {
        Floating(t, name);
        if (t.dim() != 2)
            throw new ArgumentException($"{name} must be 2-D [B, D], got shape [{string.Join(", ", t.shape)}].", name);
    }

    public static void SameShape(Tensor t, Tensor reference, string name, string referenceName)
    {
        Floating(t, name);
        if (!t.shape.SequenceEqual(reference.shape))
            throw new ArgumentException(
                $"{name} has shape [{string.Join(", ", t.shape)}] but {referenceName} has shape [{string.Join(", ", reference.shape)}].", name);
        if (t.dtype != reference.dtype)
            throw new ArgumentException($"{name} has dtype {t.dtype} but {referenceName} has dtype {reference.dtype}.", name);
    }

    public static bool IsInteger(ScalarType t) =>
        t is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64;

    /// <summary>Checks that <paramref name="labels"/> is an integer [B] tensor (B = <paramref name="batch"/>), optionally with values in [0, classes); returns it as int64.</summary>
    public static Tensor Labels(Tensor labels, long batch, string name, long? classes = null)
    {
        ArgumentNullException.ThrowIfNull(labels, name);
        if (!IsInteger(labels.dtype))
            throw new ArgumentException($"{name} must have an integer dtype (int64), got {labels.dtype}.", name);
        if (labels.dim() != 1 || labels.shape[0] != batch)
            throw new ArgumentException($"{name} must have shape [{batch}], got [{string.Join(", ", labels.shape)}].", name);
        if (classes is long c && batch > 0)
        {
            var min = labels.min().item<long>();
            var max = labels.max().item<long>();
            if (min < 0 || max >= c)
                throw new ArgumentOutOfRangeException(name, $"{name} must lie in [0, {c}), got values in [{min}, {max}].");
        }
        return labels.to(ScalarType.Int64);
    }
}
