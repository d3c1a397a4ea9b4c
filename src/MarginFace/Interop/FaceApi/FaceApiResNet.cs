using TorchSharp.Modules;
using MarginFace.Models;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// The face descriptor network of face-api (<c>FaceRecognitionNet</c>), a port of dlib's ResNet-29 metric network
/// (dlib_face_recognition_resnet_model_v1, King 2017; 99.38 % on LFW by dlib): input 150×150 RGB normalised by
/// <see cref="Normalize"/>; conv 7×7/2 (valid) → ReLU → max-pool 3×3/2; residual stages of 32 (3 units), 64, 128, 256
/// channels (each opened by a down unit), a final 256 down unit; global average → linear 256 → 128 without bias.
/// Module names follow face-api's weight names (<c>conv32_1/conv1/conv/filters</c> → <c>conv32_1.conv1.conv.weight</c>).
/// </summary>
internal sealed class FaceApiResNet : Module<Tensor, Tensor>
{
    /// <summary>Input side in pixels.</summary>
    public const int InputSize = 150;

    /// <summary>Size of the descriptor.</summary>
    public const int EmbeddingSize = 128;

    private readonly ScaledConv conv32_down;
    private readonly FaceApiResidual conv32_1, conv32_2, conv32_3;
    private readonly FaceApiResidual conv64_down, conv64_1, conv64_2, conv64_3;
    private readonly FaceApiResidual conv128_down, conv128_1, conv128_2;
    private readonly FaceApiResidual conv256_down, conv256_1, conv256_2, conv256_down_out;
    private readonly Linear fc;

    public FaceApiResNet() : base(nameof(FaceApiResNet))
    {
        conv32_down = new ScaledConv(3, 32, 7, 2);
        conv32_1 = new FaceApiResidual(32, 32, down: false);
        conv32_2 = new FaceApiResidual(32, 32, down: false);
        conv32_3 = new FaceApiResidual(32, 32, down: false);
        conv64_down = new FaceApiResidual(32, 64, down: true);
        conv64_1 = new FaceApiResidual(64, 64, down: false);
        conv64_2 = new FaceApiResidual(64, 64, down: false);
        conv64_3 = new FaceApiResidual(64, 64, down: false);
        conv128_down = new FaceApiResidual(64, 128, down: true);
        conv128_1 = new FaceApiResidual(128, 128, down: false);
        conv128_2 = new FaceApiResidual(128, 128, down: false);
        conv256_down = new FaceApiResidual(128, 256, down: true);
        conv256_1 = new FaceApiResidual(256, 256, down: false);
        conv256_2 = new FaceApiResidual(256, 256, down: false);
        conv256_down_out = new FaceApiResidual(256, 256, down: true);
        fc = Linear(256, EmbeddingSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The first layer (conv 7×7/2, valid), for ONNX export.</summary>
    internal ScaledConv Stem => conv32_down;

    /// <summary>The final linear map 256 → 128, for ONNX export.</summary>
    internal Linear Head => fc;

    /// <summary>The residual units in order.</summary>
    internal IEnumerable<FaceApiResidual> Units =>
    [
        conv32_1, conv32_2, conv32_3, conv64_down, conv64_1, conv64_2, conv64_3,
        conv128_down, conv128_1, conv128_2, conv256_down, conv256_1, conv256_2, conv256_down_out,
    ];

    /// <summary>Input <c>[N,3,150,150]</c> from <see cref="Normalize"/>, output the 128-D descriptors <c>[N,128]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.max_pool2d(functional.relu(conv32_down.forward(input)), 3, 2);
        foreach (var unit in Units) x = unit.forward(x);
        return fc.forward(x.mean([2, 3])).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// face-api's normalisation (<see cref="PixelNormalization.FaceApiMeanRgb"/>): (p − mean RGB) / 255 for RGB pixels p in
    /// 0..255, <c>[N,3,H,W]</c>.
    /// </summary>
    public static Tensor Normalize(Tensor pixels)
    {
        var (meanRgb, scale) = PixelNormalization.FaceApiMeanRgb.Constants(3);
        using var mean = tensor(meanRgb, device: pixels.device).view(1, 3, 1, 1);
        using var floats = pixels.to_type(ScalarType.Float32);
        var centred = floats - mean;
        return centred.div_(scale[0]);
    }

    /// <summary>
    /// Copies face-api's weights (<see cref="TfjsWeightManifest"/>) into this network: TensorFlow's filters
    /// <c>[kh,kw,in,out]</c> become <c>[out,in,kh,kw]</c> and <c>fc</c> <c>[256,128]</c> is transposed. Every weight
    /// must be used and every parameter set, with matching shapes, else nothing is copied.
    /// </summary>
    /// <param name="weights">The manifest's weights.</param>
    /// <param name="source">Named in errors (the manifest).</param>
    public void LoadWeights(IReadOnlyList<TfjsWeight> weights, string source)
    {
        var parameters = state_dict();
        var converted = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var weight in weights)
            {
                var name = ParameterName(weight.Name);
                if (!parameters.TryGetValue(name, out var target))
                    throw new MarginFaceException($"{source}: weight '{weight.Name}' has no place in face-api's recognition network");
                if (converted.ContainsKey(name))
                    throw new MarginFaceException($"{source}: weight '{weight.Name}' appears twice");
                var values = Converted(weight);
                converted[name] = values;
                if (!values.shape.SequenceEqual(target.shape))
                    throw new MarginFaceException($"{source}: weight '{weight.Name}' has shape [{string.Join(", ", weight.Shape)}], expected the TensorFlow layout of [{string.Join(", ", target.shape)}]");
            }
            foreach (var name in parameters.Keys)
                if (!converted.ContainsKey(name))
                    throw new MarginFaceException($"{source}: no weight for '{name}'");
            using var noGrad = no_grad();
            foreach (var (name, values) in converted) parameters[name].copy_(values);
        }
        finally
        {
            foreach (var values in converted.Values) values.Dispose();
        }
    }

    private static string ParameterName(string weightName)
    {
        if (weightName == "fc") return "fc.weight";
        var parts = weightName.Split('/');
        if (parts.Length < 3) return weightName;
        var prefix = string.Join('.', parts[..^2]);
        return (parts[^2], parts[^1]) switch
        {
            ("conv", "filters") => $"{prefix}.conv.weight",
            ("conv", "bias") => $"{prefix}.conv.bias",
            ("scale", "weights") => $"{prefix}.scale_weight",
            ("scale", "biases") => $"{prefix}.scale_bias",
            _ => weightName,
        };
    }

    private static Tensor Converted(TfjsWeight weight)
    {
        using var values = tensor(weight.Values).reshape(weight.Shape);
        return weight.Shape.Length switch
        {
            4 => values.permute(3, 2, 0, 1).contiguous(),
            2 => values.t().contiguous(),
            _ => values.clone(),
        };
    }
}
