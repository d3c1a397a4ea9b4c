using System.Numerics;

namespace MarginFace.Pipeline;

/// <summary>
/// Least-squares similarity transform between point sets (Umeyama, "Least-squares estimation of transformation parameters
/// between two point patterns", IEEE TPAMI 13(4), 1991): the scale s, rotation R (det R = +1) and translation t minimising
/// Σᵢ |yᵢ − (s R xᵢ + t)|². In two dimensions Umeyama's SVD solution reduces to a closed form: with centred points
/// x̃ᵢ = xᵢ − x̄, ỹᵢ = yᵢ − ȳ and σ² = Σ |x̃ᵢ|², s R = [[a, −b], [b, a]] with a = Σ x̃ᵢ·ỹᵢ / σ², b = Σ x̃ᵢ × ỹᵢ / σ²
/// (× the 2-D cross product), and t = ȳ − s R x̄. The result is a row-major 2×3 matrix <c>[a, −b, tx, b, a, ty]</c>
/// as <see cref="MarginFace.Imaging.AffineWarp"/> takes it.
/// </summary>
internal static class SimilarityTransform
{
    /// <summary>The similarity mapping <paramref name="source"/> onto <paramref name="target"/> in the least-squares sense.</summary>
    public static double[] Estimate(IReadOnlyList<Vector2> source, IReadOnlyList<Vector2> target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Count != target.Count) throw new ArgumentException($"point sets differ in size ({source.Count} and {target.Count}).", nameof(target));
        if (source.Count < 2) throw new ArgumentException("a similarity needs at least two point pairs.", nameof(source));
        int n = source.Count;
        double sx = 0, sy = 0, tx = 0, ty = 0;
        for (int i = 0; i < n; i++)
        {
            if (!float.IsFinite(source[i].X) || !float.IsFinite(source[i].Y) || !float.IsFinite(target[i].X) || !float.IsFinite(target[i].Y))
                throw new ArgumentException($"point pair {i} is not finite.", nameof(source));
            sx += source[i].X; sy += source[i].Y; tx += target[i].X; ty += target[i].Y;
        }
        sx /= n; sy /= n; tx /= n; ty /= n;
        double variance = 0, dot = 0, cross = 0;
        for (int i = 0; i < n; i++)
        {
            double x = source[i].X - sx, y = source[i].Y - sy, u = target[i].X - tx, v = target[i].Y - ty;
            variance += x * x + y * y;
            dot += x * u + y * v;
            cross += x * v - y * u;
        }
        if (variance <= 1e-12) throw new MarginFaceException("landmarks coincide: no similarity transform can be estimated from them");
        double a = dot / variance, b = cross / variance;
        return [a, -b, tx - (a * sx - b * sy), b, a, ty - (b * sx + a * sy)];
    }

    /// <summary>Applies a 2×3 matrix to a point.</summary>
    public static Vector2 Apply(ReadOnlySpan<double> matrix, Vector2 point) =>
        new((float)(matrix[0] * point.X + matrix[1] * point.Y + matrix[2]), (float)(matrix[3] * point.X + matrix[4] * point.Y + matrix[5]));
}
