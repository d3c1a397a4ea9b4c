using MarginFace.Cli.Console;
using MarginFace.Faces;
using MarginFace.Inference;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary>The <c>--model</c> value of the commands that embed: a face model file or "pretrained" (<see cref="FaceModelReference"/>).</summary>
internal static class FaceModelOption
{
    public const string Help = "face model file (marginface train/export/import), or 'pretrained': face-api's 128-D ResNet, fetched from npm into the cache on first use";

    /// <summary>Loads libtorch and the model; messages about fetching the pretrained one go to stderr.</summary>
    public static FaceModel Load(string reference)
    {
        TorchRuntime.Initialize();
        return FaceModelReference.Load(reference, new SynchronousProgress(message => System.Console.Error.WriteLine(message)));
    }

    /// <summary>The embedder of aligned crops for enrol and identify (which, unlike the other commands, did not load libtorch themselves).</summary>
    public static IFaceEmbedder OpenEmbedder(string reference) => new FaceModelEmbedder(Load(reference));
}
