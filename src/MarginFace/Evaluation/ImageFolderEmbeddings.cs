using System.Runtime.ExceptionServices;
using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using static TorchSharp.torch;

namespace MarginFace.Evaluation;

/// <summary>
/// Embeds images named relative to <paramref name="root"/> (e.g. LFW's <c>Name/Name_0001.jpg</c>) with a backbone in
/// evaluation mode, reading and embedding <paramref name="batchSize"/> images at a time so memory stays bounded. Each batch's
/// files are read and cropped by <paramref name="workers"/> threads, or taken from <paramref name="crops"/> when given (a face
/// cropped before, e.g. while training, is not read again). The embeddings do not depend on either.
/// </summary>
public sealed class ImageFolderEmbeddings(string root, nn.Module<Tensor, Tensor> module, FacePreprocessing preprocessing, Device device,
    bool flip = false, int batchSize = 64, FaceCropCache? crops = null, int workers = 1) : IEmbeddingSource
{
    /// <inheritdoc/>
    public IReadOnlyList<float[]> Embed(IReadOnlyList<string> images)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var cropped = preprocessing with { Crop = new NoFaceCrop() };
        var result = new List<float[]>(images.Count);
        foreach (var chunk in images.Chunk(batchSize))
        {
            var faces = new RgbImage[chunk.Length];
            var failures = new Exception?[chunk.Length];
            Parallel.For(0, chunk.Length, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
            {
                var path = Path.Combine(root, chunk[i]);
                try
                {
                    faces[i] = crops is null ? preprocessing.Crop.Apply(ImageFile.Read(path)) : crops.Get(preprocessing.Crop, path);
                }
                catch (Exception e)
                {
                    failures[i] = e;
                }
            });
            if (failures.FirstOrDefault(e => e is not null) is { } first) ExceptionDispatchInfo.Capture(first).Throw();
            result.AddRange(FaceModel.Embed(module, cropped, device, faces, flip, batchSize));
        }
        return result;
    }
}
