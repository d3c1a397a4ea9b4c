namespace MarginFace.Interop.PyTorch;

/// <summary>A class or function a pickle names with <c>GLOBAL</c>; never imported, only compared by name.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}
