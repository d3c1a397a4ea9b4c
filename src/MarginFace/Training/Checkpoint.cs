using System.Text.Json;
using System.Text;
using TorchSharp;
using MarginFace.Runtime;

namespace MarginFace.Training;

/// <summary>
/// One-file training checkpoint: a header, the <see cref="TrainingCheckpointState"/> as JSON, then the state of every
/// module and optimiser in a fixed order. Written to a temporary file and renamed, so a crash never leaves half a checkpoint.
/// Reading checks every declared size against <see cref="ReadLimits"/>, the modules' own tensors and the bytes the file
/// holds (<see cref="TorchStateScan"/>) before TorchSharp allocates anything for it; a damaged or hostile file is a
/// one-line <see cref="MarginFaceException"/> naming it.
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
            foreach (var module in modules)
                if (module is IStreamedState streamed) streamed.Save(writer);
                else module.save(writer);
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
        var moduleList = modules.ToList();
        var optimizerList = optimizers.ToList();
        Scan(path, stream, moduleList, optimizerList);
        try
        {
            foreach (var module in moduleList) module.load(reader);
            foreach (var optimizer in optimizerList)
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
        var moduleList = modules.ToList();
        Scan(path, stream, moduleList, []);
        try
        {
            foreach (var module in moduleList) module.load(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException or InvalidDataException)
        {
            throw new MarginFaceException($"{path}: checkpoint does not match this model ({e.Message.ReplaceLineEndings(" ")})");
        }
        return state;
    }

    /// <summary>Walks the saved states of <paramref name="modules"/> and <paramref name="optimizers"/> and returns to where it started.</summary>
    private static void Scan(string path, Stream stream, IReadOnlyList<torch.nn.Module> modules, IReadOnlyList<TorchSharp.Modules.OptimizerHelper> optimizers)
    {
        var start = stream.Position;
        var scan = new TorchStateScan(path, stream);
        for (var i = 0; i < modules.Count; i++) scan.Module(modules[i].state_dict(), $"module {i + 1} ({modules[i].GetName()})");
        for (var i = 0; i < optimizers.Count; i++)
            if (!scan.Optimizer(optimizers[i], optimizers[i] is FlatSgd ? nameof(TorchSharp.Modules.SGD) : optimizers[i].GetType().Name, $"optimiser {i + 1}"))
                break;
        stream.Position = start;
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
            if (reader.Read7BitEncodedInt() != Magic.Length) throw new InvalidDataException("not a MarginFace checkpoint");
            reader.BaseStream.Position = 0;
            if (reader.ReadString() != Magic) throw new InvalidDataException("not a MarginFace checkpoint");
            var version = reader.ReadInt32();
            if (version != FormatVersion) throw new InvalidDataException($"checkpoint format {version}, expected {FormatVersion}");
            var position = reader.BaseStream.Position;
            var jsonLength = reader.Read7BitEncodedInt();
            if (jsonLength < 0 || jsonLength > ReadLimits.MaxHeaderJsonBytes || jsonLength > reader.BaseStream.Length - reader.BaseStream.Position)
                throw new InvalidDataException($"the state declares {jsonLength} bytes; the file is cut short or damaged");
            reader.BaseStream.Position = position;
            return JsonSerializer.Deserialize<TrainingCheckpointState>(reader.ReadString(), StateJson)
                ?? throw new InvalidDataException("empty checkpoint state");
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or JsonException or FormatException or IOException)
        {
            throw new MarginFaceException($"{path}: not a valid MarginFace checkpoint ({e.Message.ReplaceLineEndings(" ")})");
        }
    }
}
