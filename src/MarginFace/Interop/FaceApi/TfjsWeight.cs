namespace MarginFace.Interop.FaceApi;

/// <summary>One weight of a TensorFlow.js weights manifest, dequantised: its name, shape (TensorFlow's layout) and values.</summary>
internal sealed record TfjsWeight(string Name, long[] Shape, float[] Values);
