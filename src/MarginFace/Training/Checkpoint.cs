using System.Text;
using System.Text.Json;
using MarginFace.Runtime;
using TorchSharp;

namespace MarginFace.Training;

/// <summary>
/// One-file training checkpoint: a header, the <see cref="TrainingCheckpointState"/> as JSON, then the state of every
/// module and optimiser in a fixed order. Written to a temporary file and renamed, so a crash never leaves half a checkpoint.
/// </summary>
internal static class Checkpoint
{
    private const string Magic = "MarginFace.Checkpoint";
    private const int FormatVersion = 2;
    private static readonly JsonSerializerOptions StateJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Save(string path, TrainingCheckpointState state, IEnumerable<torch.nn.Module> modules, IEnumerable<TorchSharp.Modules.OptimizerHelper> optimizers)
    {
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            using var writer = new BinaryWriter(stream, Encoding.UTF8);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(JsonSerializer.Serialize(state, StateJson));
            foreach (var module in modules) module.save(writer);
            foreach (var optimizer in optimizers)
                if (optimizer is FlatSgd flat) flat.SaveSgdState(writer);
                else optimizer.save_state_dict(writer);
        });
    }

    /// <summary>Reads only the state, without touching any module.</summary>
    public static TrainingCheckpointState ReadState(string path)
    {
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return ReadHeader(path, reader);
    }

    /// <summary>Restores modules and optimisers (same order as saved) and returns the state.</summary>
    public static TrainingCheckpointState Load(string path, IEnumerable<torch.nn.Module> modules, IEnumerable<TorchSharp.Modules.OptimizerHelper> optimizers)
    {
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        var state = ReadHeader(path, reader);
        try
        {
            foreach (var module in modules) module.load(reader);
            foreach (var optimizer in optimizers)
                if (optimizer is FlatSgd flat) flat.LoadSgdState(reader);
                else optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException or InvalidDataException)
        {
            throw new MarginFaceException($"{path}: checkpoint does not match this model ({e.Message.ReplaceLineEndings(" ")})");
        }
        return state;
    }

    /// <summary>Restores only the modules (the first ones saved, in order), e.g. to export a model; the optimiser state is not read.</summary>
    public static TrainingCheckpointState LoadModules(string path, IEnumerable<torch.nn.Module> modules)
    {
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        var state = ReadHeader(path, reader);
        try
        {
            foreach (var module in modules) module.load(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException or InvalidDataException)
        {
            throw new MarginFaceException($"{path}: checkpoint does not match this model ({e.Message.ReplaceLineEndings(" ")})");
        }
        return state;
    }

    private static FileStream Open(string path)
    {
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: checkpoint not found");
        return File.OpenRead(path);
    }

    private static TrainingCheckpointState ReadHeader(string path, BinaryReader reader)
    {
        try
        {
            if (reader.ReadString() != Magic) throw new InvalidDataException("not a MarginFace checkpoint");
            var version = reader.ReadInt32();
            if (version != FormatVersion) throw new InvalidDataException($"checkpoint format {version}, expected {FormatVersion}");
            return JsonSerializer.Deserialize<TrainingCheckpointState>(reader.ReadString(), StateJson)
                ?? throw new InvalidDataException("empty checkpoint state");
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or JsonException or FormatException)
        {
            throw new MarginFaceException($"{path}: not a valid MarginFace checkpoint ({e.Message.ReplaceLineEndings(" ")})");
        }
    }
}
