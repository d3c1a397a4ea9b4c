using MarginFace.FaceModels;
using MarginFace.Imaging;

namespace MarginFace.Evaluation;

/// <summary>
/// Embeds images named relative to <paramref name="root"/> (e.g. LFW's <c>Name/Name_0001.jpg</c>) with a face model of either
/// runtime and its own preprocessing (or <paramref name="preprocessing"/>, e.g. another crop), reading and embedding <paramref name="batchSize"/> images at a time so memory stays bounded.
/// </summary>
public sealed class FaceModelFolderEmbeddings(string root, IFaceModel model, bool flip = false, int batchSize = 64, FacePreprocessing? preprocessing = null) : IEmbeddingSource
{
    /// <inheritdoc/>
    public IReadOnlyList<float[]> Embed(IReadOnlyList<string> images)
    {
        var result = new List<float[]>(images.Count);
        foreach (var chunk in images.Chunk(batchSize))
        {
            var decoded = chunk.Select(image => ImageFile.Read(Path.Combine(root, image))).ToList();
            result.AddRange(model.Embed(decoded, preprocessing ?? model.Preprocessing, flip, batchSize));
        }
        return result;
    }
}
