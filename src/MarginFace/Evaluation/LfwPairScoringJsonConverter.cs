using System.Text.Json.Serialization;
using System.Text.Json;

namespace MarginFace.Evaluation;

/// <summary>
/// Reads and writes <see cref="LfwPairScoring"/> by name ("cosine", "wccn", "mixed"); <c>null</c>, which result.json files
/// of the string-typed field held for plain cosine scoring, reads as <see cref="LfwPairScoring.Cosine"/>.
/// </summary>
internal sealed class LfwPairScoringJsonConverter : JsonConverter<LfwPairScoring>
{
    private static readonly JsonConverter<LfwPairScoring> ByName = (JsonConverter<LfwPairScoring>)new JsonStringEnumConverter<LfwPairScoring>()
        .CreateConverter(typeof(LfwPairScoring), JsonSerializerOptions.Default);

    public override bool HandleNull => true;

    public override LfwPairScoring Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? LfwPairScoring.Cosine : ByName.Read(ref reader, typeToConvert, options);

    public override void Write(Utf8JsonWriter writer, LfwPairScoring value, JsonSerializerOptions options) =>
        ByName.Write(writer, value, options);
}
