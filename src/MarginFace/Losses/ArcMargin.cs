using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>The additive angular margin of ArcFace on a target cosine, shared by the ArcFace-like heads.</summary>
internal static class ArcMargin
{
    /// <summary>cos(θ + m) = cos θ cos m − sin θ sin m, with sin θ from <see cref="AngularMath.Sin"/>.</summary>
    public static Tensor CosPlus(Tensor cos, double m)
    {
        using var sin = AngularMath.Sin(cos);
        return cos * Math.Cos(m) - sin * Math.Sin(m);
    }

    /// <summary>
    /// cos(θ + m) where cos θ > cos(π − m), else cos θ − m·sin(π − m) (InsightFace); with
    /// <paramref name="easyMargin"/>, cos(θ + m) where cos θ > 0, else cos θ.
    /// </summary>
    public static Tensor Apply(Tensor cos, double m, bool easyMargin)
    {
        using var scope = NewDisposeScope();
        var phi = CosPlus(cos, m);
        var result = easyMargin
            ? where(cos > 0.0, phi, cos)
            : where(cos > Math.Cos(Math.PI - m), phi, cos - m * Math.Sin(Math.PI - m));
        return result.MoveToOuterDisposeScope();
    }
}
