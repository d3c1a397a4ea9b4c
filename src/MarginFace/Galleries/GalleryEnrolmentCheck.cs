namespace MarginFace.Galleries;

/// <summary>The checks every store makes on an enrolment before writing anything: names, hashes, one dimension, finite non-zero vectors.</summary>
internal static class GalleryEnrolmentCheck
{
    /// <summary>The enrolments with their names trimmed and checked, and their common dimension; the first problem is thrown.</summary>
    public static (List<(string Name, IReadOnlyList<GalleryEntry> Entries)> Enrolments, int Dimension) Check(
        string path, IReadOnlyList<(string Name, IReadOnlyList<GalleryEntry> Entries)> enrolments, string modelId)
    {
        ArgumentNullException.ThrowIfNull(enrolments);
        if (string.IsNullOrWhiteSpace(modelId)) throw new ArgumentException("model id must not be blank.", nameof(modelId));
        if (enrolments.Count == 0) throw new ArgumentException("nothing to enrol.", nameof(enrolments));
        var checkedEnrolments = new List<(string Name, IReadOnlyList<GalleryEntry> Entries)>(enrolments.Count);
        int dimension = -1;
        foreach (var (rawName, entries) in enrolments)
        {
            var name = FaceGallery.CheckName(rawName);
            ArgumentNullException.ThrowIfNull(entries);
            if (entries.Count == 0) throw new ArgumentException("nothing to enrol.", nameof(enrolments));
            if (dimension < 0) dimension = entries[0].Embedding.Length;
            foreach (var entry in entries)
            {
                if (entry.Embedding.Length != dimension)
                    throw new MarginFaceException($"{path}: embeddings to enrol differ in size ({dimension} and {entry.Embedding.Length})");
                if (entry.ImageSha256 is not { Length: 64 } || !entry.ImageSha256.All(Uri.IsHexDigit))
                    throw new ArgumentException($"'{entry.ImageSha256}' is not a hex SHA-256.", nameof(enrolments));
                if (!entry.Embedding.All(float.IsFinite) || entry.Embedding.All(v => v == 0))
                    throw new MarginFaceException($"{path}: an embedding for {name} is zero or not finite");
            }
            checkedEnrolments.Add((name, entries));
        }
        if (dimension > FaceGallery.MaxDimension) throw new MarginFaceException($"{path}: embeddings of {dimension} values, more than {FaceGallery.MaxDimension}");
        return (checkedEnrolments, dimension);
    }
}
