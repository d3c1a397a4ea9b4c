using System.Text.Json.Serialization;
using System.Text.Json;

namespace MarginFace.Data;

/// <summary>A <see cref="FaceCrop"/> in a settings file: its text (<c>none</c>, <c>center:150</c>, <c>landmarks:112</c>), read by <see cref="FaceCrop.Parse"/>.</summary>
internal sealed class FaceCropJsonConverter : JsonConverter<FaceCrop>
{
    public override FaceCrop Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? FaceCrop.Parse(reader.GetString()!) : throw new JsonException("a crop is text, e.g. \"landmarks:112\"");

    public override void Write(Utf8JsonWriter writer, FaceCrop value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
