namespace MarginFace.Interop.FaceApi;

/// <summary>
/// The networks of face-api's npm package (<see cref="FaceApiModelCache.Spec"/>), each a TF.js weights manifest and one
/// <c>.bin</c> in its <c>model/</c> folder, named <c>{FileStem}-weights_manifest.json</c> and <c>{FileStem}.bin</c>.
/// </summary>
internal enum FaceApiNet
{
    /// <summary>dlib's 128-D ResNet face descriptor (<c>face_recognition_model</c>).</summary>
    Recognition,

    /// <summary>SSD MobileNet V1 face detector (<c>ssd_mobilenetv1_model</c>).</summary>
    SsdMobileNetV1,

    /// <summary>Tiny YOLO-v2-style face detector (<c>tiny_face_detector_model</c>).</summary>
    TinyFaceDetector,

    /// <summary>68-point landmark network (<c>face_landmark_68_model</c>).</summary>
    Landmark68,

    /// <summary>The small 68-point landmark network (<c>face_landmark_68_tiny_model</c>).</summary>
    Landmark68Tiny,

    /// <summary>Age regression and gender classification (<c>age_gender_model</c>).</summary>
    AgeGender,

    /// <summary>Seven facial expressions (<c>face_expression_model</c>).</summary>
    Expression,
}
