using System.Globalization;
using MarginFace.FaceModels;
using MarginFace.Models;

namespace MarginFace.Interop.Onnx;

/// <summary>
/// The metadata_props MarginFace writes into an ONNX face model, and <see cref="OnnxFaceModel"/> reads back: the network's
/// description (<see cref="OnnxExporter.MetadataKeys"/>) and, for a face model, its crop, id and verification threshold. One
/// writer for the exporter and for the pretrained model's in-memory graph; no TorchSharp type is touched.
/// </summary>
internal static class OnnxModelMetadata
{
    /// <summary>
    /// <see cref="OnnxExporter.MetadataKeys"/> with their values: backbone name, input width, height, channels, normalisation
    /// (enum name), its formula, mean and scale on 0..255 pixels (one number when all channels share it, else one per channel,
    /// comma-separated), embedding size.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Describe(BackboneSpec spec)
    {
        var (mean, scale) = spec.Normalization.Constants(spec.Channels);
        string[] values =
        [
            spec.Name, Invariant(spec.InputWidth), Invariant(spec.InputHeight), Invariant(spec.Channels),
            spec.Normalization.ToString(), spec.Normalization.Formula(), PerChannel(mean), PerChannel(scale),
            Invariant(spec.EmbeddingSize),
        ];
        return OnnxExporter.MetadataKeys.Zip(values, KeyValuePair.Create);
    }

    /// <summary>A face model's own entries: <see cref="OnnxExporter.CropKey"/>, <see cref="OnnxExporter.ModelIdKey"/> and, when known, <see cref="OnnxExporter.VerificationThresholdKey"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> FaceModel(FaceModelInfo info)
    {
        yield return KeyValuePair.Create(OnnxExporter.CropKey, Data.FaceCrop.Parse(info.Crop).ToString());
        yield return KeyValuePair.Create(OnnxExporter.ModelIdKey, info.ModelId);
        if (info.VerificationThreshold is double threshold)
            yield return KeyValuePair.Create(OnnxExporter.VerificationThresholdKey, threshold.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>The description of a face model's network, as <see cref="Describe(BackboneSpec)"/> of its spec.</summary>
    public static BackboneSpec Spec(FaceModelInfo info, long parameters = 0) =>
        new(info.Backbone, info.InputWidth, info.InputHeight, info.Channels, info.Normalization, info.EmbeddingSize, parameters);

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string PerChannel(float[] values) =>
        values.All(v => v == values[0]) ? Invariant(values[0]) : string.Join(",", values.Select(v => Invariant(v)));
}
