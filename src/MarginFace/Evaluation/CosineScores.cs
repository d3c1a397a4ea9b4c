using System.Numerics;

namespace MarginFace.Evaluation;

/// <summary>Verification scores from embeddings: the cosine similarity cos θ = (a/‖a‖)·(b/‖b‖) of the two images' embeddings, in float64.</summary>
internal static class CosineScores
{
    /// <summary>The score of each pair of <paramref name="pairs"/>, in pairs order; every image is embedded once by <paramref name="source"/>.</summary>
    public static double[] ForPairs(LfwPairs pairs, IEmbeddingSource source) => ForPairs(pairs.Pairs, source);

    /// <summary>The score of each of <paramref name="pairs"/>, in order; every distinct image is embedded once by <paramref name="source"/>.</summary>
    public static double[] ForPairs(IReadOnlyList<LfwPair> pairs, IEmbeddingSource source)
    {
        var images = LfwPairs.ImagesOf(pairs);
        var embeddings = source.Embed(images);
        if (embeddings.Count != images.Count) throw new InvalidOperationException($"{embeddings.Count} embeddings for {images.Count} images");
        var normalised = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int i = 0; i < images.Count; i++)
        {
            if (embeddings[i].Length != embeddings[0].Length)
                throw new MarginFaceException($"embedding of {images[i]} has {embeddings[i].Length} values, that of {images[0]} {embeddings[0].Length}");
            normalised[images[i]] = Normalise(embeddings[i], images[i]);
        }
        return pairs.Select(p => Dot(normalised[p.Image1], normalised[p.Image2])).ToArray();
    }

    /// <summary><paramref name="embedding"/> / ‖<paramref name="embedding"/>‖ in float64; a zero or non-finite vector is an error naming <paramref name="image"/>.</summary>
    public static double[] Normalise(float[] embedding, string image) => Normalise(Array.ConvertAll(embedding, v => (double)v), image);

    /// <summary><paramref name="vector"/> / ‖<paramref name="vector"/>‖, a new array; a zero or non-finite vector is an error naming <paramref name="image"/>.</summary>
    public static double[] Normalise(double[] vector, string image)
    {
        double sum = 0;
        foreach (var v in vector) sum += v * v;
        double norm = Math.Sqrt(sum);
        if (!(norm > 0) || !double.IsFinite(norm)) throw new MarginFaceException($"embedding of {image} has norm {norm}, cannot normalise it");
        var result = new double[vector.Length];
        for (int i = 0; i < vector.Length; i++) result[i] = vector[i] / norm;
        return result;
    }

    /// <summary>Σ aᵢbᵢ.</summary>
    public static double Dot(double[] a, double[] b)
    {
        int i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= 2 * Vector<double>.Count)
        {
            var partial = Vector<double>.Zero;
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
                partial += new Vector<double>(a, i) * new Vector<double>(b, i);
            sum = Vector.Sum(partial);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
