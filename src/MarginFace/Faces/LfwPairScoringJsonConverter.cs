using System.Text.Json;
using System.Text.Json.Serialization;

namespace MarginFace.Faces;

/// <summary>
/// Reads and writes <see cref="LfwPairScoring"/> by name ("cosine", "wccn", "mixed"); <c>null</c>, which result.json files
/// of the string-typed field held for plain cosine scoring, reads as <see cref="LfwPairScoring.Cosine"/>.
/// </summary>
internal sealed class LfwPairScoringJsonConverter : JsonConverter<LfwPairScoring>
{
    private static readonly JsonStringEnumConverter<LfwPairScoring> ByName = new();

    private static readonly JsonSerializerOptions NameOptions = new() { Converters = { ByName } };

    public override bool HandleNull => true;

    public override LfwPairScoring Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? LfwPairScoring.Cosine : NameConverter.Read(ref reader, typeToConvert, NameOptions);

    public override void Write(Utf8JsonWriter writer, LfwPairScoring value, JsonSerializerOptions options) =>
        NameConverter.Write(writer, value, NameOptions);

    private static JsonConverter<LfwPairScoring> NameConverter { get; } =
        (JsonConverter<LfwPairScoring>)ByName.CreateConverter(typeof(LfwPairScoring), NameOptions);
}
