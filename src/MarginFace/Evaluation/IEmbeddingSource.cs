namespace MarginFace.Evaluation;

/// <summary>
/// Where evaluation gets embeddings from: a precomputed <see cref="EmbeddingsFile"/> (<see cref="EmbeddingLookup"/>), or a model that embeds
/// the images of a directory. Images are named relative to the images directory, '/'-separated, e.g. <c>Name/Name_0001.jpg</c>.
/// </summary>
public interface IEmbeddingSource
{
    /// <summary>The embedding of each of <paramref name="images"/>, in order, all of one length; a missing image is a <see cref="MarginFaceException"/>.</summary>
    IReadOnlyList<float[]> Embed(IReadOnlyList<string> images);
}
