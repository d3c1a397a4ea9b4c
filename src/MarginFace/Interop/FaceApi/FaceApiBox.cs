namespace MarginFace.Interop.FaceApi;

/// <summary>A box found by one of face-api's detectors, in the units its caller maps to pixels, with its score.</summary>
internal readonly record struct FaceApiBox(float Left, float Top, float Right, float Bottom, float Score);
