namespace MarginFace.FaceModels;

/// <summary>
/// How to open a face model again later (what a gallery remembers of the model that made its embeddings): the reference
/// <see cref="FaceModelLoader.Open"/> takes — <c>pretrained</c> or a model file's full path — and, for an ONNX model without
/// MarginFace's metadata, the convention it is fed by.
/// </summary>
public sealed record FaceModelReference(string Path, OnnxModelConvention Convention = OnnxModelConvention.Metadata)
{
    /// <summary>The reference of <paramref name="path"/> as given to a program: <c>pretrained</c> as the word, a file as its full path (so it still names the file from another working folder).</summary>
    public static FaceModelReference Of(string path, OnnxModelConvention convention = OnnxModelConvention.Metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new(FaceModelLoader.IsPretrained(path) ? FaceModelLoader.Pretrained : System.IO.Path.GetFullPath(path), convention);
    }

    /// <summary>Whether it names the pretrained model.</summary>
    public bool IsPretrained => FaceModelLoader.IsPretrained(Path);
}
