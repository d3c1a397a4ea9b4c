using System.Text.Json;
using MarginFace.Training;

namespace MarginFace.Tests.Training;

public class EpochMetricsTests
{
    [Fact]
    public void RowsCarryTheHeldOutAccuracyUnderTheGivenKeyAndNullWhereAnEpochHasNone()
    {
        EpochResult[] epochs = [new(1, 2.5, double.NaN, 100, TimeSpan.FromSeconds(4)), new(2, 1.25, 0.5, 100, TimeSpan.FromSeconds(2))];
        var json = JsonSerializer.Serialize(EpochMetrics.Rows(epochs, "validationAccuracy", new Dictionary<int, double> { [2] = 0.75 }));
        using var document = JsonDocument.Parse(json);
        var rows = document.RootElement.EnumerateArray().ToArray();
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("trainAccuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("validationAccuracy").ValueKind);
        Assert.Equal(25, rows[0].GetProperty("imagesPerSecond").GetDouble());
        Assert.Equal(2, rows[1].GetProperty("epoch").GetInt32());
        Assert.Equal(1.25, rows[1].GetProperty("loss").GetDouble());
        Assert.Equal(0.5, rows[1].GetProperty("trainAccuracy").GetDouble());
        Assert.Equal(0.75, rows[1].GetProperty("validationAccuracy").GetDouble());
        Assert.Equal(2, rows[1].GetProperty("seconds").GetDouble());
    }
}
