using System.Runtime.InteropServices;

namespace MarginFace.Galleries;

/// <summary>
/// The one check of a stored embedding, for both stores: float32 bytes of the gallery's dimension, finite and non-zero. A
/// row that fails was edited or damaged outside MarginFace, and names the gallery and the person.
/// </summary>
internal static class GalleryVectors
{
    /// <summary>The vector stored as <paramref name="blob"/> (not normalised), after the checks.</summary>
    public static float[] Decode(string gallery, string name, ReadOnlySpan<byte> blob, int dimension)
    {
        var vector = new float[dimension];
        DecodeInto(gallery, name, blob, vector);
        return vector;
    }

    /// <summary>Decodes <paramref name="blob"/> into <paramref name="target"/> (whose length is the dimension) after the checks, and returns its norm.</summary>
    public static float DecodeInto(string gallery, string name, ReadOnlySpan<byte> blob, Span<float> target)
    {
        if (blob.Length != target.Length * sizeof(float))
            throw new MarginFaceException($"{gallery}: an embedding of {name} has {blob.Length} bytes, not {target.Length} float32 values");
        MemoryMarshal.Cast<byte, float>(blob).CopyTo(target);
        var norm = MathF.Sqrt(GalleryIndex.Dot(target, target));
        if (!(norm > 0) || !float.IsFinite(norm)) throw new MarginFaceException($"{gallery}: an embedding of {name} is zero or not finite (edited or damaged)");
        return norm;
    }
}
