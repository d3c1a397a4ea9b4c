using System.Collections.Concurrent;
using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Imaging;

namespace MarginFace.Evaluation;

/// <summary>
/// Embeds images named relative to <paramref name="root"/> (e.g. LFW's <c>Name/Name_0001.jpg</c>) with a face model of either
/// runtime and its own preprocessing (or <paramref name="preprocessing"/>, e.g. another crop), reading and embedding <paramref name="batchSize"/> images at a time so memory stays bounded.
/// The crop runs on every core (detection, with a landmarks crop). A protocol scores every pair, so an image in which a
/// landmarks crop finds no face is embedded whole (the crop <c>none</c>) rather than stopping the evaluation; such images are
/// listed in <see cref="Unaligned"/>.
/// </summary>
public sealed class FaceModelFolderEmbeddings(string root, IFaceModel model, bool flip = false, int batchSize = 64, FacePreprocessing? preprocessing = null) : IEmbeddingSource
{
    private readonly ConcurrentBag<string> unaligned = [];

    /// <summary>The images in which the landmarks crop found no face, embedded whole instead.</summary>
    public IReadOnlyList<string> Unaligned => unaligned.Order(StringComparer.Ordinal).ToList();

    /// <inheritdoc/>
    public IReadOnlyList<float[]> Embed(IReadOnlyList<string> images)
    {
        var steps = preprocessing ?? model.Preprocessing;
        var rest = steps with { Crop = FaceCrop.None };
        var result = new List<float[]>(images.Count);
        foreach (var chunk in images.Chunk(batchSize))
        {
            var cropped = new RgbImage[chunk.Length];
            var errors = new MarginFaceException?[chunk.Length];
            Parallel.For(0, chunk.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                RgbImage image;
                try
                {
                    image = ImageFile.Read(Path.Combine(root, chunk[i]));
                }
                catch (MarginFaceException e)
                {
                    errors[i] = e;
                    return;
                }
                try
                {
                    cropped[i] = steps.Crop.Apply(image);
                }
                catch (MarginFaceException) when (steps.Crop is LandmarkFaceCrop)
                {
                    unaligned.Add(chunk[i]);
                    cropped[i] = image;
                }
            });
            // The first unreadable image in order, as a sequential reading would report it.
            if (errors.FirstOrDefault(e => e is not null) is { } error) throw error;
            result.AddRange(model.Embed(cropped, rest, flip, batchSize));
        }
        return result;
    }
}
