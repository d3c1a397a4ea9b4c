using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using MarginFace.Data;
using MarginFace.Imaging;
using MarginFace.Interop.Onnx;
using MarginFace.Models;
using MarginFace.Runtime;

namespace MarginFace.FaceModels;

/// <summary>
/// A face embedding model in ONNX run by ONNX Runtime on the CPU: one float32 input [N, C, H, W], one output [N, D] (the
/// output named <c>embedding</c> when there are several). How to feed it comes from MarginFace's export metadata
/// (<see cref="OnnxExporter.MetadataKeys"/>, plus <c>crop</c>, <c>model_id</c> and <c>verification_threshold</c> when the
/// export came from a face model file) or, for a third-party model, from <see cref="OnnxModelConvention.ArcFace"/>.
/// Embeddings are e / max(‖e‖, 1e-12); with flip, e(x) + e(mirror of x) before normalising — as <see cref="FaceModel"/>, so
/// the two runtimes give the same embeddings to float32 rounding. The model id is the metadata's <c>model_id</c> (the face
/// model file's, so a gallery enrolled with one runtime serves the other), else the first 16 hex digits of the file's SHA-256.
/// A batch axis fixed in the graph (e.g. 1) is honoured by running batches of that size. Thread-safe.
/// </summary>
public sealed class OnnxFaceModel : IFaceModel
{
    private const string ArcFaceName = "arcface-onnx";

    /// <summary>Largest input side accepted: <see cref="ReadLimits.MaxInputSide"/>.</summary>
    public const int MaxInputSide = ReadLimits.MaxInputSide;

    /// <summary>Largest batch axis a graph may fix (buffers are allocated for that many images): <see cref="ReadLimits.MaxFixedBatch"/>.</summary>
    public const int MaxFixedBatch = ReadLimits.MaxFixedBatch;
    private readonly InferenceSession session;
    private readonly string inputName;
    private readonly string outputName;
    private readonly int? fixedBatch;

    private OnnxFaceModel(string path, InferenceSession session, string inputName, string outputName, int? fixedBatch, FaceModelInfo info)
    {
        ModelPath = path;
        this.session = session;
        this.inputName = inputName;
        this.outputName = outputName;
        this.fixedBatch = fixedBatch;
        Info = info;
        Preprocessing = info.Preprocessing();
    }

    /// <summary>The ONNX file.</summary>
    public string ModelPath { get; }

    /// <inheritdoc/>
    public FaceModelInfo Info { get; }

    /// <inheritdoc/>
    public FacePreprocessing Preprocessing { get; }

    /// <summary>
    /// Opens <paramref name="path"/>. A missing, corrupt or truncated file, a graph that is not one image input → one embedding
    /// output, metadata that contradicts the graph, or (by <see cref="OnnxModelConvention.Metadata"/>) no metadata at all
    /// (<see cref="OnnxPreprocessingUnknownException"/>) is a one-line <see cref="MarginFaceException"/> naming the file.
    /// </summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="convention">Where the preprocessing comes from: the file's metadata, or the ArcFace convention.</param>
    /// <param name="threads">ONNX Runtime's intra-op threads; 0 lets it choose (all physical cores).</param>
    public static OnnxFaceModel Open(string path, OnnxModelConvention convention = OnnxModelConvention.Metadata, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: model file not found");
        return Open(path, options => new InferenceSession(path, options), convention, threads);
    }

    /// <summary>The serialised ONNX model <paramref name="model"/>, named <paramref name="name"/> in messages and <see cref="ModelPath"/>; its metadata must describe it.</summary>
    internal static OnnxFaceModel Open(byte[] model, string name, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        return Open(name, options => new InferenceSession(model, options), OnnxModelConvention.Metadata, threads);
    }

    private static OnnxFaceModel Open(string path, Func<SessionOptions, InferenceSession> start, OnnxModelConvention convention, int threads)
    {
        using var options = Runtime.OnnxSessionOptions.Create(threads);
        InferenceSession session;
        try
        {
            session = start(options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new MarginFaceException($"{path}: not a valid ONNX model ({OneLine(e.Message)})", e);
        }
        try
        {
            return Create(path, session, convention);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static OnnxFaceModel Create(string path, InferenceSession session, OnnxModelConvention convention)
    {
        if (session.InputMetadata.Count != 1)
            throw new MarginFaceException($"{path}: the model has {session.InputMetadata.Count} inputs; a face embedding model has one, [N, C, H, W]");
        var (inputName, input) = session.InputMetadata.Single();
        if (!input.IsTensor || input.ElementType != typeof(float) || input.Dimensions.Length != 4)
            throw new MarginFaceException($"{path}: input '{inputName}' is {Describe(input)}; a face embedding model takes float32 [N, C, H, W]");
        if (session.OutputMetadata.Count == 0) throw new MarginFaceException($"{path}: the model has no output");
        var outputName = session.OutputMetadata.ContainsKey(OnnxExporter.OutputName) ? OnnxExporter.OutputName : session.OutputMetadata.Keys.First();
        var output = session.OutputMetadata[outputName];
        if (!output.IsTensor || output.ElementType != typeof(float))
            throw new MarginFaceException($"{path}: output '{outputName}' is {Describe(output)}; a face embedding model gives float32 [N, D]");

        var metadata = session.ModelMetadata.CustomMetadataMap;
        CheckMetadataSizes(path, metadata);
        var info = convention == OnnxModelConvention.ArcFace ? ArcFaceInfo(path, session) : MetadataInfo(path, metadata);
        var dims = input.Dimensions;
        if ((dims[1] > 0 && dims[1] != info.Channels) || (dims[2] > 0 && dims[2] != info.InputHeight) || (dims[3] > 0 && dims[3] != info.InputWidth))
            throw new MarginFaceException(
                $"{path}: input '{inputName}' is {Describe(input)}, but {(convention == OnnxModelConvention.ArcFace ? "the ArcFace convention says" : "its metadata says")} [N, {info.Channels}, {info.InputHeight}, {info.InputWidth}]");
        int? fixedBatch = dims[0] > 0 ? dims[0] : null;
        if (fixedBatch > MaxFixedBatch)
            throw new MarginFaceException($"{path}: input '{inputName}' fixes the batch axis to {fixedBatch} images; at most {MaxFixedBatch} are supported");
        var batchFloats = (long)(fixedBatch ?? 1) * info.Channels * info.InputHeight * info.InputWidth;
        if (batchFloats > ReadLimits.MaxBatchFloats)
            throw new MarginFaceException($"{path}: input '{inputName}' takes batches of {fixedBatch ?? 1} × {info.Channels} × {info.InputHeight} × {info.InputWidth} = {batchFloats} floats; at most {ReadLimits.MaxBatchFloats} are supported");
        var model = new OnnxFaceModel(path, session, inputName, outputName, fixedBatch, info);

        // The embedding size: the output's last axis when the graph fixes it, else one run on a blank input tells.
        var outputDims = output.Dimensions;
        long? declared = outputDims.Length >= 2 && outputDims.Skip(1).All(d => d > 0)
            ? outputDims.Skip(1).Aggregate(1L, (a, b) => Math.Min(a * b, long.MaxValue / int.MaxValue)) : null;
        long size = declared ?? model.RunBatch(new float[(fixedBatch ?? 1) * model.Preprocessing.Length], fixedBatch ?? 1).Length / (fixedBatch ?? 1);
        if (size < 1) throw new MarginFaceException($"{path}: output '{outputName}' is empty");
        if (size > ReadLimits.MaxEmbeddingSize)
            throw new MarginFaceException($"{path}: output '{outputName}' gives {size} values per image; at most {ReadLimits.MaxEmbeddingSize}-D embeddings are supported");
        if (info.EmbeddingSize > 0 && info.EmbeddingSize != size)
            throw new MarginFaceException($"{path}: its metadata says {info.EmbeddingSize}-D embeddings, output '{outputName}' gives {size}");
        return new OnnxFaceModel(path, session, inputName, outputName, fixedBatch, info with { EmbeddingSize = (int)size });
    }

    /// <inheritdoc/>
    public float[][] Embed(IReadOnlyList<RgbImage> images, FacePreprocessing preprocessing, bool flip = false, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var p = preprocessing;
        if (p.Width != Info.InputWidth || p.Height != Info.InputHeight || p.Channels != Info.Channels)
            throw new ArgumentException($"preprocessing gives {p.Channels}×{p.Height}×{p.Width}, the model takes {Info.Channels}×{Info.InputHeight}×{Info.InputWidth}.", nameof(preprocessing));
        var batch = fixedBatch ?? batchSize;
        var result = new float[images.Count][];
        for (int start = 0; start < images.Count; start += batch)
        {
            var count = Math.Min(batch, images.Count - start);
            var rows = fixedBatch ?? count;
            var values = new float[rows * p.Length];
            for (int i = 0; i < count; i++) p.Write(images[start + i], values.AsSpan(i * p.Length, p.Length));
            var embeddings = RunBatch(values, rows);
            if (flip)
            {
                var mirrored = RunBatch(Mirror(values, p.Width), rows);
                for (int i = 0; i < embeddings.Length; i++) embeddings[i] += mirrored[i];
            }
            var d = Info.EmbeddingSize;
            for (int i = 0; i < count; i++) result[start + i] = Normalise(embeddings.AsSpan(i * d, d));
        }
        return result;
    }

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose() => session.Dispose();

    /// <summary>The raw output of <paramref name="rows"/> preprocessed images (C·H·W floats each), row-major [rows, D].</summary>
    internal float[] RunBatch(float[] values, int rows)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(values, [rows, Info.Channels, Info.InputHeight, Info.InputWidth]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [inputValue], [outputName]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        var data = outputs[0].GetTensorDataAsSpan<float>();
        if (shape.Length < 2 || shape[0] != rows || data.Length % rows != 0 || (Info.EmbeddingSize > 0 && data.Length != rows * Info.EmbeddingSize))
            throw new MarginFaceException($"{ModelPath}: output '{outputName}' has shape [{string.Join(", ", shape)}] for {rows} images; expected [{rows}, D]");
        return data.ToArray();
    }

    /// <summary>Each row of each CHW plane reversed: the images mirrored left to right.</summary>
    private static float[] Mirror(float[] values, int width)
    {
        var mirrored = new float[values.Length];
        for (int row = 0; row < values.Length; row += width)
            for (int x = 0; x < width; x++)
                mirrored[row + x] = values[row + width - 1 - x];
        return mirrored;
    }

    private static float[] Normalise(ReadOnlySpan<float> e)
    {
        double sum = 0;
        foreach (var v in e) sum += (double)v * v;
        var norm = (float)Math.Max(Math.Sqrt(sum), Losses.AngularMath.NormEpsilon);
        var result = new float[e.Length];
        for (int i = 0; i < e.Length; i++) result[i] = e[i] / norm;
        return result;
    }

    /// <summary>The description MarginFace's exporter wrote; none at all is <see cref="OnnxPreprocessingUnknownException"/>.</summary>
    private static FaceModelInfo MetadataInfo(string path, IReadOnlyDictionary<string, string> metadata)
    {
        string[] needed = ["input_width", "input_height", "channels", "normalization"];
        var missing = needed.Where(k => !metadata.ContainsKey(k)).ToList();
        if (missing.Count == needed.Length)
            throw new OnnxPreprocessingUnknownException(path,
                $"{path}: no MarginFace metadata ({string.Join(", ", needed)}) to say how to feed this ONNX model; if it is an ArcFace-style model (112×112 RGB, (x − 127.5)/127.5, NCHW) open it with the ArcFace convention");
        if (missing.Count > 0) throw new MarginFaceException($"{path}: its MarginFace metadata lacks {string.Join(", ", missing)}");
        int Whole(string key, int min, int max) =>
            int.TryParse(metadata[key], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v : throw new MarginFaceException($"{path}: metadata {key} = '{metadata[key]}' is not a whole number in [{min}, {max}]");
        var width = Whole("input_width", 1, MaxInputSide);
        var height = Whole("input_height", 1, MaxInputSide);
        var channels = Whole("channels", 1, 3);
        if (channels == 2) throw new MarginFaceException($"{path}: metadata channels = 2; 1 (grey) or 3 (RGB) expected");
        if (!Enum.TryParse<PixelNormalization>(metadata["normalization"], ignoreCase: false, out var normalization) || !Enum.IsDefined(normalization))
            throw new MarginFaceException($"{path}: metadata normalization = '{metadata["normalization"]}' is not one of {string.Join(", ", Enum.GetNames<PixelNormalization>())}");
        var (mean, scale) = normalization.Constants(channels);
        foreach (var (key, expected) in new[] { ("normalization_mean", mean), ("normalization_scale", scale) })
            if (metadata.TryGetValue(key, out var text) && !MatchesPerChannel(text, expected))
                throw new MarginFaceException($"{path}: metadata {key} = '{text}' contradicts normalization {normalization} ({string.Join(",", (expected.Distinct().Count() == 1 ? [expected[0]] : expected).Select(v => v.ToString(CultureInfo.InvariantCulture)))})");
        var embedding = metadata.ContainsKey("embedding_size") ? Whole("embedding_size", 1, ReadLimits.MaxEmbeddingSize) : 0;
        var crop = metadata.GetValueOrDefault(OnnxExporter.CropKey, "none");
        try
        {
            FaceCrop.Parse(crop);
        }
        catch (MarginFaceException e)
        {
            throw new MarginFaceException($"{path}: metadata {e.Message}");
        }
        double? threshold = null;
        if (metadata.TryGetValue(OnnxExporter.VerificationThresholdKey, out var thresholdText))
            threshold = double.TryParse(thresholdText, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && double.IsFinite(t)
                ? t : throw new MarginFaceException($"{path}: metadata {OnnxExporter.VerificationThresholdKey} = '{thresholdText}' is not a number");
        return new FaceModelInfo
        {
            Backbone = metadata.GetValueOrDefault("backbone", Path.GetFileNameWithoutExtension(path)),
            EmbeddingSize = embedding,
            InputWidth = width,
            InputHeight = height,
            Channels = channels,
            Normalization = normalization,
            Crop = crop,
            VerificationThreshold = threshold,
            ModelId = metadata.TryGetValue(OnnxExporter.ModelIdKey, out var id) && id.Length > 0 ? id : FileId(path),
        };
    }

    /// <summary>Refuses more than <see cref="ReadLimits.MaxOnnxMetadataEntries"/> entries or a value longer than <see cref="ReadLimits.MaxOnnxMetadataChars"/>, before any is parsed.</summary>
    private static void CheckMetadataSizes(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count > ReadLimits.MaxOnnxMetadataEntries)
            throw new MarginFaceException($"{path}: {metadata.Count} metadata entries; at most {ReadLimits.MaxOnnxMetadataEntries} are read");
        foreach (var (key, value) in metadata)
            if (key.Length > ReadLimits.MaxOnnxMetadataChars || value.Length > ReadLimits.MaxOnnxMetadataChars)
                throw new MarginFaceException($"{path}: metadata '{Printable(key)}' is {Math.Max(key.Length, value.Length)} characters long; at most {ReadLimits.MaxOnnxMetadataChars} are read");
    }

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).Take(80).ToArray());

    private static FaceModelInfo ArcFaceInfo(string path, InferenceSession session) => new()
    {
        Backbone = session.ModelMetadata.GraphName is { Length: > 0 } graph ? graph : ArcFaceName,
        EmbeddingSize = 0,
        InputWidth = 112,
        InputHeight = 112,
        Channels = 3,
        Normalization = PixelNormalization.Symmetric,
        ModelId = FileId(path),
    };

    /// <summary>The first 16 hex digits of the file's SHA-256.</summary>
    private static string FileId(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }

    private static string Describe(NodeMetadata value) =>
        value.IsTensor ? $"{(value.ElementType == typeof(float) ? "float32" : value.ElementType.Name)} [{string.Join(", ", value.Dimensions.Select(d => d > 0 ? d.ToString(CultureInfo.InvariantCulture) : "?"))}]" : value.OnnxValueType.ToString();

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>Whether <paramref name="text"/> (one number for all channels, or one per channel, comma-separated) equals <paramref name="expected"/> to 1e-4 relative.</summary>
    private static bool MatchesPerChannel(string text, float[] expected)
    {
        var parts = text.Split(',');
        if (parts.Length != 1 && parts.Length != expected.Length) return false;
        for (int c = 0; c < expected.Length; c++)
        {
            if (!float.TryParse(parts[parts.Length == 1 ? 0 : c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return false;
            if (Math.Abs(value - expected[c]) > 1e-4 * Math.Max(1, Math.Abs(expected[c]))) return false;
        }
        return true;
    }
}
