namespace MarginFace.FaceModels;

/// <summary>How <see cref="OnnxFaceModel"/> learns to feed an ONNX model: its input size, channels and normalisation.</summary>
public enum OnnxModelConvention
{
    /// <summary>From the metadata MarginFace's exporter writes (<see cref="Interop.Onnx.OnnxExporter.MetadataKeys"/>); a model without it is refused.</summary>
    Metadata,

    /// <summary>
    /// InsightFace's ArcFace convention, for third-party models without MarginFace's metadata: input [N, 3, 112, 112] float32,
    /// RGB, (x − 127.5) / 127.5 on 0..255 pixels, the whole (already aligned) image; the output is the embedding (512-D for
    /// InsightFace's models). Overrides metadata when the model has some.
    /// </summary>
    ArcFace,
}
