namespace MarginFace.Pipeline;

/// <summary>Which network <see cref="FaceDetector"/> runs.</summary>
public enum FaceDetectorKind
{
    /// <summary>face-api's SSD MobileNet V1 (512×512 input, boxes and scores; fetched into the cache): the default.</summary>
    SsdMobileNetV1,

    /// <summary>face-api's tiny face detector (Tiny-YOLO-v2-style, 416×416 by default, boxes and scores; fetched into the cache): faster, less accurate.</summary>
    Tiny,

    /// <summary>YuNet from an ONNX file the user gives (boxes, scores and five landmarks).</summary>
    YuNet,
}
