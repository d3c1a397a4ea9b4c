using MarginFace.Data;
using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.FaceModels;

/// <summary>Turns a training run's checkpoint into the deployable <see cref="FaceModelFile"/> (backbone only).</summary>
internal static class FaceModelExport
{
    /// <summary>
    /// Reads <paramref name="checkpoint"/> (a face run's <c>model.bin</c>, with <c>config.json</c> and <c>classes.json</c> beside it)
    /// and writes the face model to <paramref name="output"/>; a face model file, or "pretrained" (<see cref="FaceModelLoader.OpenTorch"/>),
    /// given instead is written as it is.
    /// </summary>
    public static FaceModelInfo FromCheckpoint(string checkpoint, string output)
    {
        if (FaceModelLoader.IsPretrained(checkpoint) || IsFaceModel(checkpoint))
        {
            using var model = FaceModelLoader.OpenTorch(checkpoint);
            return FaceModelFile.Save(output, model.Module, model.Info);
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        var configPath = Path.Combine(directory, "config.json");
        var classesPath = Path.Combine(directory, "classes.json");
        if (!File.Exists(configPath)) throw new MarginFaceException($"{checkpoint}: no config.json beside it; export needs the run's directory as `marginface train` wrote it");
        var options = JsonConfig.Read<FaceTrainingOptions>(configPath);
        var identities = IdentityFolderDataset.ReadClasses(classesPath);
        using var backbone = BackboneFactory.Create(options.Backbone, options.Embedding);
        using var objective = LossRegistry.Create(options.Loss, backbone.Spec.EmbeddingSize, identities.Count,
            options.LossSettingsOn([.. Enumerable.Repeat(TorchSharp.torch.CPU, options.CentreShards)]));
        var state = Checkpoint.LoadModules(checkpoint, objective.Modules.Prepend(backbone.Module));
        if (state.Fingerprint != FaceTraining.Fingerprint(options))
            throw new MarginFaceException($"{checkpoint}: the checkpoint was not written with {configPath}");
        var info = FaceTraining.ModelInfo(backbone.Spec, FaceTraining.Preprocessing(backbone.Spec, options), identities, options, state.Fingerprint);
        return FaceModelFile.Save(output, backbone.Module, info);
    }

    private static bool IsFaceModel(string path)
    {
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: file not found");
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        try
        {
            return reader.Read7BitEncodedInt() == FaceModelFile.Magic.Length && Equals(stream.Position = 0, 0L) && reader.ReadString() == FaceModelFile.Magic;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            return false;
        }
    }
}
