using System.Numerics;
using System.Runtime.InteropServices;

namespace MarginFace.Galleries;

/// <summary>
/// The in-memory search matrix of a <see cref="FaceGallery"/>: L2-normalised rows (one per embedding) and each row's person.
/// A query's cosine similarity to a row is their dot product over the query's norm; each person scores their best row.
/// </summary>
internal sealed class GalleryIndex(float[] matrix, int[] owners, string[] names, int dimension)
{
    public int Count => owners.Length;

    public int Dimension => dimension;

    public IReadOnlyList<GalleryMatch> Search(ReadOnlySpan<float> query, int top, float threshold, int threads)
    {
        var norm = MathF.Sqrt(Dot(query, query));
        if (!(norm > 0) || !float.IsFinite(norm)) throw new MarginFaceException("query embedding is zero or not finite");
        var unit = new float[dimension];
        for (int i = 0; i < dimension; i++) unit[i] = query[i] / norm;
        var best = new float[names.Length];
        Array.Fill(best, float.NegativeInfinity);
        var parts = Math.Clamp(threads, 1, Math.Max(1, Count / 1024));
        var partial = new float[parts][];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            var local = new float[names.Length];
            Array.Fill(local, float.NegativeInfinity);
            long start = (long)Count * part / parts, end = (long)Count * (part + 1) / parts;
            for (long row = start; row < end; row++)
            {
                var similarity = Dot(matrix.AsSpan((int)(row * dimension), dimension), unit);
                ref var slot = ref local[owners[row]];
                if (similarity > slot) slot = similarity;
            }
            partial[part] = local;
        });
        foreach (var local in partial)
            for (int i = 0; i < best.Length; i++) best[i] = Math.Max(best[i], local[i]);
        // Top k by insertion into a short sorted list: O(people · k), no sort of everyone.
        var chosen = new List<int>(top + 1);
        for (int person = 0; person < best.Length; person++)
        {
            if (!(best[person] >= threshold)) continue;
            if (chosen.Count == top && !Better(person, chosen[^1])) continue;
            var at = chosen.Count;
            while (at > 0 && Better(person, chosen[at - 1])) at--;
            chosen.Insert(at, person);
            if (chosen.Count > top) chosen.RemoveAt(top);
        }
        return chosen.Select(person => new GalleryMatch(names[person], best[person])).ToList();

        bool Better(int p, int q) => best[p] > best[q] || (best[p] == best[q] && string.CompareOrdinal(names[p], names[q]) < 0);
    }

    /// <summary>Σ aᵢ bᵢ with SIMD vectors.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        int i = 0, width = Vector<float>.Count;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (int k = 0; k < va.Length; k++) sum += va[k] * vb[k];
        i = va.Length * width;
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }
}
