using System.Text.Json;
using TorchSharp;
using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Runtime;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// Copies a PyTorch state dict into a TorchSharp module whose parameter and buffer names equal PyTorch's (MarginFace's
/// backbones follow InsightFace's arcface_torch key for key). All names and shapes are checked before anything is copied,
/// so a mismatch leaves the module unchanged.
/// </summary>
public static class PyTorchImporter
{
    private const string DataParallelPrefix = "module.";
    private const string BatchCounter = "num_batches_tracked";

    /// <summary>
    /// A new backbone <paramref name="backboneName"/> of <see cref="BackboneFactory"/> (e.g. <c>iresnet50</c>, <c>mbf</c>)
    /// holding the weights of the arcface_torch state dict <paramref name="checkpointPath"/>
    /// (<c>torch.save(backbone.state_dict(), path)</c>), in training mode as the factory creates it.
    /// </summary>
    /// <param name="checkpointPath">The <c>torch.save</c> zip file.</param>
    /// <param name="backboneName">A name of <see cref="BackboneFactory"/>.</param>
    /// <param name="embeddingSize">The checkpoint's embedding size (arcface_torch's <c>num_features</c>); the backbone's default when null.</param>
    public static Backbone ImportBackbone(string checkpointPath, string backboneName, int? embeddingSize = null)
    {
        var backbone = BackboneFactory.Create(backboneName, embeddingSize);
        try
        {
            Load(ReadFor(checkpointPath, backbone.Module, backbone.Spec.Name), backbone.Module, backbone.Spec.Name);
            return backbone;
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Imports the arcface_torch state dict <paramref name="checkpointPath"/> into backbone <paramref name="backboneName"/>
    /// and writes it as a MarginFace face model file (<see cref="FaceModelFile"/>) with the backbone's input and
    /// normalisation (112×112 RGB, no crop, (x − 127.5)/127.5 for arcface_torch's networks), ready for evaluation,
    /// the pipeline, fine-tuning and ONNX export. Nothing is written when the import fails.
    /// </summary>
    public static FaceModelInfo ImportToModelFile(string checkpointPath, string backboneName, string outputPath, int? embeddingSize = null)
    {
        using var backbone = ImportBackbone(checkpointPath, backboneName, embeddingSize);
        var spec = backbone.Spec;
        return FaceModelFile.Save(outputPath, backbone.Module, new FaceModelInfo
        {
            Backbone = spec.Name,
            EmbeddingSize = spec.EmbeddingSize,
            InputWidth = spec.InputWidth,
            InputHeight = spec.InputHeight,
            Channels = spec.Channels,
            Normalization = spec.Normalization,
            Crop = "none",
            TrainingConfig = JsonSerializer.Serialize(new { importedFrom = "pytorch", checkpoint = Path.GetFileName(checkpointPath) }),
        });
    }

    /// <summary>Reads <paramref name="checkpointPath"/> (see <see cref="PyTorchCheckpoint"/>) and loads it into <paramref name="module"/>.</summary>
    /// <param name="checkpointPath">The <c>torch.save</c> zip file.</param>
    /// <param name="module">Receives the weights.</param>
    /// <param name="modelName">Names the module in errors, e.g. <c>iresnet50</c>.</param>
    public static void Load(string checkpointPath, torch.nn.Module module, string modelName) =>
        Load(ReadFor(checkpointPath, module, modelName), module, modelName);

    /// <summary>
    /// Reads <paramref name="checkpointPath"/> refusing, before any storage is read, storages that total more than
    /// <paramref name="module"/> can use (<see cref="ReadLimits.StorageBudgetFor"/> its parameter and buffer bytes).
    /// </summary>
    private static PyTorchStateDict ReadFor(string checkpointPath, torch.nn.Module module, string modelName)
    {
        var targetBytes = 0L;
        foreach (var (_, tensor) in module.state_dict()) targetBytes += tensor.NumberOfElements * tensor.ElementSize;
        return PyTorchCheckpoint.ReadStateDict(checkpointPath, ReadLimits.StorageBudgetFor(targetBytes), modelName);
    }

    /// <summary>
    /// Copies every tensor of <paramref name="state"/> into the parameter or buffer of <paramref name="module"/> with the
    /// same name, converted to its type and device. Keys wrapped by <c>nn.DataParallel</c> (all starting <c>module.</c>)
    /// are unwrapped. A key the module lacks, one the checkpoint lacks, or a shape that differs is a
    /// <see cref="MarginFaceException"/> naming the key; only BatchNorm's <c>num_batches_tracked</c> counter may be
    /// absent on either side, as it does not change what the network computes.
    /// </summary>
    internal static void Load(PyTorchStateDict state, torch.nn.Module module, string modelName)
    {
        var source = Unwrapped(state);
        var targets = module.state_dict();
        foreach (var (name, stored) in source)
        {
            if (!targets.TryGetValue(name, out var target))
            {
                if (IsBatchCounter(name)) continue;
                throw new MarginFaceException($"{state.Source}: '{name}' is in the checkpoint but not in {modelName}; is it a checkpoint of another architecture?");
            }
            if (!stored.Shape.SequenceEqual(target.shape))
                throw new MarginFaceException($"{state.Source}: '{name}' has shape {Shape(stored.Shape)} in the checkpoint but {Shape(target.shape)} in {modelName}");
        }
        foreach (var name in targets.Keys)
            if (!source.ContainsKey(name) && !IsBatchCounter(name))
                throw new MarginFaceException($"{state.Source}: '{name}' of {modelName} is missing from the checkpoint");

        using var noGrad = torch.no_grad();
        foreach (var (name, target) in targets)
        {
            if (!source.TryGetValue(name, out var stored)) continue;
            using var values = stored.ToTensor();
            target.copy_(values);
        }
    }

    private static Dictionary<string, StoredTensor> Unwrapped(PyTorchStateDict state)
    {
        var wrapped = state.Count > 0 && state.Names.All(name => name.StartsWith(DataParallelPrefix, StringComparison.Ordinal));
        return state.Entries.ToDictionary(
            entry => wrapped ? entry.Key[DataParallelPrefix.Length..] : entry.Key,
            entry => entry.Value,
            StringComparer.Ordinal);
    }

    private static bool IsBatchCounter(string name) => name == BatchCounter || name.EndsWith("." + BatchCounter, StringComparison.Ordinal);

    private static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
}
