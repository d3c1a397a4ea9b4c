using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;
using MarginFace.Models;
using MarginFace.Runtime;

namespace MarginFace.FaceModels;

/// <summary>
/// The deployable face model: one self-describing file holding a magic string, a format version, the
/// <see cref="FaceModelInfo"/> as JSON and the backbone's weights (TorchSharp's module format) — no head, no optimiser.
/// Loading needs no other setting. A file of another program, another format version, or cut short is a one-line
/// <see cref="MarginFaceException"/> naming it. Every size the file declares is checked against <see cref="ReadLimits"/>
/// and the bytes the file holds before anything is allocated for it (<see cref="TorchStateScan"/> for the weights).
/// </summary>
public static class FaceModelFile
{
    /// <summary>The string a face model file starts with; a file without it is refused as not a face model.</summary>
    public const string Magic = "MarginFace.FaceModel";
    /// <summary>The layout version written after <see cref="Magic"/>; a file of another version is refused.</summary>
    public const int FormatVersion = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <paramref name="backbone"/> with <paramref name="info"/> (its <see cref="FaceModelInfo.ModelId"/> is computed) atomically; returns the info written.</summary>
    public static FaceModelInfo Save(string path, TorchSharp.torch.nn.Module backbone, FaceModelInfo info)
    {
        var bytes = WeightBytes(backbone);
        info = info with { ModelId = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] };
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            using var writer = new BinaryWriter(stream, Encoding.UTF8);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(JsonSerializer.Serialize(info, Json));
            writer.Write(bytes);
        });
        return info;
    }

    /// <summary>The <see cref="FaceModelInfo.ModelId"/> a file of <paramref name="backbone"/>'s weights gets: the first 16 hex digits of their SHA-256.</summary>
    public static string ModelId(TorchSharp.torch.nn.Module backbone) => Convert.ToHexStringLower(SHA256.HashData(WeightBytes(backbone)))[..16];

    private static byte[] WeightBytes(TorchSharp.torch.nn.Module backbone)
    {
        using var weights = new MemoryStream();
        using (var writer = new BinaryWriter(weights, Encoding.UTF8, leaveOpen: true)) backbone.save(writer);
        return weights.ToArray();
    }

    /// <summary>Reads only the description.</summary>
    public static FaceModelInfo ReadInfo(string path)
    {
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return ReadHeader(path, reader, stream.Length);
    }

    /// <summary>Loads the backbone in evaluation mode on the CPU.</summary>
    public static FaceModel Load(string path)
    {
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        var info = ReadHeader(path, reader, stream.Length);
        var weights = stream.Position;
        new TorchStateScan(path, stream).Module(null, "the weights");
        Backbone backbone;
        try
        {
            backbone = BackboneFactory.Create(info.Backbone, info.EmbeddingSize);
        }
        catch (ArgumentException e)
        {
            throw new MarginFaceException($"{path}: {e.Message.Split(" (Parameter")[0]}");
        }
        try
        {
            stream.Position = weights;
            new TorchStateScan(path, stream).Module(backbone.Module.state_dict(), $"backbone {info.Backbone}");
            stream.Position = weights;
            backbone.Module.load(reader);
        }
        catch (MarginFaceException)
        {
            backbone.Dispose();
            throw;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
        {
            backbone.Dispose();
            throw new MarginFaceException($"{path}: the weights do not load ({e.Message.ReplaceLineEndings(" ")}); the file is damaged or cut short");
        }
        backbone.Module.eval();
        return new FaceModel(backbone, info);
    }

    private static FileStream Open(string path)
    {
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: model file not found");
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    /// <summary>The description's sizes, checked before a backbone or an input buffer is made from them.</summary>
    private static void CheckSizes(FaceModelInfo info)
    {
        if (string.IsNullOrWhiteSpace(info.Backbone)) throw new InvalidDataException("no backbone name");
        if (info.EmbeddingSize is < 1 or > ReadLimits.MaxEmbeddingSize)
            throw new InvalidDataException($"embedding size {info.EmbeddingSize}, outside [1, {ReadLimits.MaxEmbeddingSize}]");
        if (info.InputWidth is < 1 or > ReadLimits.MaxInputSide || info.InputHeight is < 1 or > ReadLimits.MaxInputSide)
            throw new InvalidDataException($"input {info.InputWidth}×{info.InputHeight}, outside 1–{ReadLimits.MaxInputSide} pixels a side");
        if (info.Channels is not (1 or 3)) throw new InvalidDataException($"{info.Channels} channels; 1 (grey) or 3 (RGB) expected");
        if (info.Crop is null || info.Identities is null || info.Identities.Any(name => name is null) || info.LossParameters is null || info.ModelId is null)
            throw new InvalidDataException("a field is null");
    }

    private static FaceModelInfo ReadHeader(string path, BinaryReader reader, long length)
    {
        try
        {
            var magicLength = reader.Read7BitEncodedInt();
            if (magicLength != Encoding.UTF8.GetByteCount(Magic)) throw new InvalidDataException("not a MarginFace face model");
            reader.BaseStream.Position = 0;
            if (reader.ReadString() != Magic) throw new InvalidDataException("not a MarginFace face model");
            var version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"face model format {version}; this MarginFace reads format {FormatVersion}");
            var position = reader.BaseStream.Position;
            var headerLength = reader.Read7BitEncodedInt();
            if (headerLength < 0 || headerLength > ReadLimits.MaxHeaderJsonBytes || position + headerLength > length)
                throw new InvalidDataException("the description is cut short or too long");
            reader.BaseStream.Position = position;
            var info = JsonSerializer.Deserialize<FaceModelInfo>(reader.ReadString(), Json) ?? throw new InvalidDataException("empty description");
            CheckSizes(info);
            info.Preprocessing();
            return info;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or JsonException or FormatException or ArgumentException or MarginFaceException)
        {
            throw new MarginFaceException($"{path}: not a valid MarginFace face model ({e.Message.ReplaceLineEndings(" ")})");
        }
    }
}
