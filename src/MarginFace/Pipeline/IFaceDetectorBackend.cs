using MarginFace.Imaging;

namespace MarginFace.Pipeline;

/// <summary>One detection network behind <see cref="FaceDetector"/>: YuNet, or face-api's SSD MobileNet V1 or tiny detector.</summary>
internal interface IFaceDetectorBackend : IDisposable
{
    /// <summary>The model file in use (an ONNX file, or a face-api weights manifest).</summary>
    string ModelPath { get; }

    /// <summary>Faces in <paramref name="image"/>, best score first, in its pixel coordinates.</summary>
    IReadOnlyList<DetectedFace> Detect(RgbImage image);
}
