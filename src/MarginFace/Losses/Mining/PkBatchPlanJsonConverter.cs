using System.Text.Json.Serialization;
using System.Text.Json;

namespace MarginFace.Losses.Mining;

/// <summary>A <see cref="PkBatchPlan"/> in a settings file: its text "P,K" (e.g. <c>"16,4"</c>), read by <see cref="PkBatchPlan.Parse"/>.</summary>
internal sealed class PkBatchPlanJsonConverter : JsonConverter<PkBatchPlan>
{
    public override PkBatchPlan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? PkBatchPlan.Parse(reader.GetString()!) : throw new JsonException("a P×K plan is text, e.g. \"16,4\"");

    public override void Write(Utf8JsonWriter writer, PkBatchPlan value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
