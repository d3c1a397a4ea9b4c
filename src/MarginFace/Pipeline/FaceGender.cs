namespace MarginFace.Pipeline;

/// <summary>The two classes of face-api's gender head (<see cref="FaceAnalyzer"/>), in its output order.</summary>
public enum FaceGender
{
    /// <summary>face-api's first softmax output.</summary>
    Male,

    /// <summary>face-api's second softmax output.</summary>
    Female,
}
