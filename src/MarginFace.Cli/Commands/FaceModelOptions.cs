using System.CommandLine;
using MarginFace.Cli.Console;
using MarginFace.FaceModels;

namespace MarginFace.Cli.Commands;

/// <summary>
/// The one place where the commands that embed (<c>embed</c>, <c>verify</c>, <c>enroll</c>, <c>identify</c>, <c>eval lfw</c>) open
/// their <c>--model</c>: a MarginFace face model file (TorchSharp), <c>pretrained</c> (face-api's model), or an ONNX model (ONNX Runtime; by extension or content, see
/// <see cref="FaceModelLoader"/>), with the <c>--onnx-preprocessing</c> option for ONNX models that lack MarginFace's metadata.
/// </summary>
internal sealed class FaceModelOptions
{
    public const string Help = "face model file (marginface train/export/import), ONNX model, or 'pretrained' (the default): face-api's 128-D ResNet, fetched from npm into the cache on first use";

    /// <summary>The model of the commands that embed when <c>--model</c> is not given.</summary>
    public const string Default = FaceModelLoader.Pretrained;

    public Option<string?> OnnxPreprocessing { get; } = new("--onnx-preprocessing")
    {
        Description = "how to feed an ONNX --model without MarginFace metadata: arcface (InsightFace's convention: 112x112 RGB, (x - 127.5)/127.5, NCHW)",
    };

    public void AddTo(Command command) => command.Add(OnnxPreprocessing);

    /// <summary>The request for <paramref name="path"/> with this command's options.</summary>
    public FaceModelRequest Request(ParseResult parse, string path, int threads = 0) => new(path, Convention(parse), threads);

    /// <summary>Opens <paramref name="path"/> with this command's options; <paramref name="threads"/> are ONNX Runtime's (0: all cores).</summary>
    public IFaceModel Open(ParseResult parse, string path, int threads = 0) => Open(Request(parse, path, threads));

    /// <summary>The model of <paramref name="request"/>; an ONNX model without metadata and without a convention is a one-line error saying which option is missing.</summary>
    public static IFaceModel Open(FaceModelRequest request)
    {
        try
        {
            return FaceModelLoader.Open(request.Path, request.Convention, request.Threads, new SynchronousProgress(message => System.Console.Error.WriteLine(message)));
        }
        catch (OnnxPreprocessingUnknownException e)
        {
            throw new MarginFaceException(
                $"{e.Path}: this ONNX model has no MarginFace metadata (input size, channels, normalisation); for a third-party ArcFace-style model (112x112 RGB, (x - 127.5)/127.5) add --onnx-preprocessing arcface");
        }
    }

    /// <summary>The aligned-face embedder of <paramref name="request"/>'s model (enroll, identify).</summary>
    public static IFaceEmbedder OpenEmbedder(FaceModelRequest request) => new FaceModelEmbedder(Open(request));

    /// <summary>The request for a gallery's remembered model: its convention, unless <c>--onnx-preprocessing</c> says otherwise.</summary>
    public FaceModelRequest Request(ParseResult parse, FaceModelReference stored, int threads = 0) =>
        new(stored.Path, parse.GetValue(OnnxPreprocessing) is null ? stored.Convention : Convention(parse), threads);

    private OnnxModelConvention Convention(ParseResult parse) => parse.GetValue(OnnxPreprocessing)?.Trim().ToLowerInvariant() switch
    {
        null => OnnxModelConvention.Metadata,
        "arcface" => OnnxModelConvention.ArcFace,
        var other => throw new MarginFaceException($"--onnx-preprocessing: unknown convention '{other}'; known: arcface"),
    };
}
