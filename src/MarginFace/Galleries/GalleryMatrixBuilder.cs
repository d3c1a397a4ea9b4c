namespace MarginFace.Galleries;

/// <summary>
/// Builds the exact search matrix (<see cref="GalleryIndex"/>) from a store's rows ordered by person: the size is checked
/// against one array before anything is allocated, each vector is checked (<see cref="GalleryVectors"/>) and L2-normalised,
/// and a snapshot whose rows do not match its count is refused as damaged.
/// </summary>
internal sealed class GalleryMatrixBuilder
{
    private readonly string gallery;
    private readonly long count;
    private readonly int dimension;
    private readonly float[] matrix;
    private readonly int[] owners;
    private readonly List<string> names = [];
    private long row;
    private long lastPerson = long.MinValue;

    /// <summary>A builder for <paramref name="count"/> rows of <paramref name="dimension"/> values of <paramref name="gallery"/>.</summary>
    public GalleryMatrixBuilder(string gallery, long count, int dimension)
    {
        if (count > 0 && dimension == 0) throw new MarginFaceException($"{gallery}: the gallery holds embeddings but no dimension (edited or damaged)");
        if (count * dimension > Array.MaxLength)
            throw new MarginFaceException($"{gallery}: {count} embeddings of {dimension} values do not fit in one search matrix");
        (this.gallery, this.count, this.dimension) = (gallery, count, dimension);
        matrix = new float[count * dimension];
        owners = new int[count];
    }

    /// <summary>Adds the next row: an embedding of person <paramref name="person"/> (rows of one person come together).</summary>
    public void Add(long person, string name, ReadOnlySpan<byte> blob)
    {
        if (row == count) throw new MarginFaceException($"{gallery}: more embeddings than counted (damaged)");
        if (person != lastPerson) { names.Add(name); lastPerson = person; }
        var target = matrix.AsSpan((int)(row * dimension), dimension);
        var norm = GalleryVectors.DecodeInto(gallery, name, blob, target);
        for (int i = 0; i < dimension; i++) target[i] /= norm;
        owners[row++] = names.Count - 1;
    }

    /// <summary>The matrix, once every counted row was added.</summary>
    public GalleryIndex Build()
    {
        if (row != count) throw new MarginFaceException($"{gallery}: fewer embeddings than counted (damaged)");
        return new GalleryIndex(matrix, owners, [.. names], dimension);
    }
}
