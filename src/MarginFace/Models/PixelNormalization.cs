namespace MarginFace.Models;

/// <summary>How a backbone expects 8-bit pixel values x ∈ [0, 255] to be mapped before its first layer.</summary>
public enum PixelNormalization
{
    /// <summary>(x − 127.5) / 128, InsightFace's MXNet convention (MobileFaceNet, Chen et al. 2018).</summary>
    Centered128,

    /// <summary>(x − 127.5) / 127.5, i.e. (x/255 − 0.5) / 0.5, as arcface_torch and the seeds' FaceMobileNet train.</summary>
    Symmetric,

    /// <summary>(x/255 − 0.1307) / 0.3081, MNIST's training-set mean and standard deviation.</summary>
    Mnist,

    /// <summary>
    /// (x_c − mean_c) / 255 per RGB channel with face-api's mean RGB (122.782, 117.001, 104.298), the input of face-api's
    /// (dlib's) ResNet face descriptor.
    /// </summary>
    FaceApiMeanRgb,
}
