namespace MarginFace.Tests.Support;

/// <summary>Doubles equal within an absolute <paramref name="tolerance"/>, for comparing sequences.</summary>
internal sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

    public int GetHashCode(double obj) => 0;
}
