using MarginFace;
using MarginFace.Runtime;
using TorchSharp;
try
{
    var device = ComputeDevice.Open(args.Length > 0 ? args[0] : "cpu", null, null);
    Console.WriteLine($"{device} {TorchRuntime.Current} threads={torch.get_num_threads()}");
    var x = torch.randn(3, 3);
    Console.WriteLine(x.matmul(x).sum().item<float>());
}
catch (MarginFaceException e) { Console.Error.WriteLine("error: " + e.Message); return 1; }
return 0;
