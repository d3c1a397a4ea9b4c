namespace MarginFace.Tests.Interop;

/// <summary>A fact that runs only where a Python 3 with PyTorch is installed (it makes its checkpoint at test time).</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public PyTorchFactAttribute()
    {
        if (PythonTorch.Interpreter is null)
            Skip = "needs Python 3 with PyTorch (apt-get install python3-torch, or MARGINFACE_PYTHON=PATH) to make the checkpoint";
    }
}
