using System.Text.Json;
using TorchSharp;

namespace MarginFace.Tests.Interop;

/// <summary>The checkpoints and expected values that <c>Fixtures/make_fixtures.py</c> made with PyTorch.</summary>
public static class PyTorchFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Interop", "Fixtures");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static JsonElement Json(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name))).RootElement;

    public static long[] Shape(JsonElement described) =>
        described.GetProperty("shape").EnumerateArray().Select(size => size.GetInt64()).ToArray();

    public static double[] Doubles(JsonElement described) =>
        described.GetProperty("values").EnumerateArray().Select(value => value.ValueKind switch
        {
            JsonValueKind.True => 1.0,
            JsonValueKind.False => 0.0,
            _ => value.GetDouble(),
        }).ToArray();

    public static torch.Tensor Tensor(JsonElement described, torch.ScalarType type = torch.ScalarType.Float32) =>
        torch.tensor(Doubles(described), torch.ScalarType.Float64).reshape(Shape(described)).to_type(type);
}
