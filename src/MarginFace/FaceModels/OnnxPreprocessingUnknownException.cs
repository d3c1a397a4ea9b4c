namespace MarginFace.FaceModels;

/// <summary>An ONNX model without MarginFace's preprocessing metadata was opened by metadata: the caller must name a convention.</summary>
public sealed class OnnxPreprocessingUnknownException(string path, string message) : MarginFaceException(message)
{
    /// <summary>The model file.</summary>
    public string Path { get; } = path;
}
