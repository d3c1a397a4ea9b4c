namespace MarginFace.Pipeline;

/// <summary>Greedy non-maximum suppression: keep the best-scoring box, drop those overlapping it by more than the IoU threshold, repeat.</summary>
internal static class NonMaximumSuppression
{
    public static IReadOnlyList<DetectedFace> Apply(List<DetectedFace> candidates, float iouThreshold, int maxCandidates)
    {
        var sorted = candidates.OrderByDescending(face => face.Score).Take(maxCandidates).ToList();
        var kept = new List<DetectedFace>();
        foreach (var face in sorted)
            if (kept.All(k => k.IntersectionOverUnion(face) <= iouThreshold)) kept.Add(face);
        return kept;
    }
}
