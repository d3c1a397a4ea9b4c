using System.Globalization;
using System.Text.Json;
using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// The outcome of <see cref="IdentificationProtocol.Evaluate"/>. <see cref="Cmc"/>[r − 1] is the fraction of known probes (whose identity is
/// in the gallery) with their identity at rank r or better; <see cref="Rank1"/> and <see cref="Rank5"/> are read from it (rank 5 is 1 when the
/// gallery has at most five identities). With a <see cref="Threshold"/>: <see cref="UnknownRejectionRate"/> is the fraction of unknown
/// probes whose best similarity is below it (null without unknown probes), <see cref="KnownIdentificationRate"/> the fraction of known
/// probes whose best similarity reaches it and belongs to their own identity (the detection-and-identification rate).
/// </summary>
public sealed record IdentificationResult(GalleryTemplate Template, int GalleryIdentities, int GalleryImages, int KnownProbes, int UnknownProbes,
    IReadOnlyList<double> Cmc, double? Threshold, double? UnknownRejectionRate, double? KnownIdentificationRate)
{
    /// <summary>Cmc[0]: fraction of known probes whose best match is their own identity.</summary>
    public double Rank1 => Cmc[0];

    /// <summary>Cmc[4] (or the last rank for galleries of fewer than five identities).</summary>
    public double Rank5 => Cmc[Math.Min(5, Cmc.Count) - 1];

    /// <summary>
    /// Writes <c>report.json</c> atomically: <c>template</c>, <c>galleryIdentities</c>, <c>galleryImages</c>, <c>knownProbes</c>,
    /// <c>unknownProbes</c>, <c>rank1</c>, <c>rank5</c>, <c>cmc</c> (rank 1 first), and with a threshold <c>threshold</c>,
    /// <c>unknownRejectionRate</c>, <c>knownIdentificationRate</c>.
    /// </summary>
    public void Save(string path)
    {
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("template", Template.ToString().ToLowerInvariant());
            json.WriteNumber("galleryIdentities", GalleryIdentities);
            json.WriteNumber("galleryImages", GalleryImages);
            json.WriteNumber("knownProbes", KnownProbes);
            json.WriteNumber("unknownProbes", UnknownProbes);
            json.WriteNumber("rank1", Rank1);
            json.WriteNumber("rank5", Rank5);
            json.WriteStartArray("cmc");
            foreach (var value in Cmc) json.WriteNumberValue(value);
            json.WriteEndArray();
            if (Threshold is double threshold)
            {
                json.WriteNumber("threshold", threshold);
                if (UnknownRejectionRate is double rejection) json.WriteNumber("unknownRejectionRate", rejection);
                else json.WriteNull("unknownRejectionRate");
                json.WriteNumber("knownIdentificationRate", KnownIdentificationRate ?? double.NaN);
            }
            json.WriteEndObject();
        });
    }

    /// <summary>The result as plain text (rates in percent).</summary>
    public string ToTable()
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.AppendLine(string.Format(culture, "gallery        {0} identities, {1} images (template: {2})", GalleryIdentities, GalleryImages, Template.ToString().ToLowerInvariant()));
        text.AppendLine(string.Format(culture, "probes         {0} known, {1} unknown", KnownProbes, UnknownProbes));
        text.AppendLine(string.Format(culture, "rank-1         {0:F2} %", 100 * Rank1));
        text.AppendLine(string.Format(culture, "rank-5         {0:F2} %", 100 * Rank5));
        if (Threshold is double threshold)
        {
            text.AppendLine(string.Format(culture, "threshold      {0:G6}", threshold));
            text.AppendLine(UnknownRejectionRate is double rejection
                ? string.Format(culture, "unknown rejected          {0:F2} %", 100 * rejection)
                : "unknown rejected          - (no unknown probes)");
            text.AppendLine(string.Format(culture, "known accepted and right  {0:F2} %", 100 * KnownIdentificationRate!.Value));
        }
        return text.ToString();
    }
}
