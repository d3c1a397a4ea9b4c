using System.CommandLine;
using MarginFace.Interop.PyTorch;
using MarginFace.Models;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface import pytorch</c>: a PyTorch state dict (arcface_torch's backbones) into a MarginFace face model file.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "a state dict saved by torch.save (zip format), e.g. arcface_torch's backbone.pth" };
        var backbone = new Option<string>("--backbone") { Description = $"the network it holds: {string.Join(", ", BackboneFactory.Names)}", Required = true };
        var embedding = new Option<int?>("--embedding") { Description = "embedding size (default: the backbone's)" };
        var output = new Option<string>("--out") { Description = "the face model file to write", Required = true };
        var pytorch = new Command("pytorch", "Read a PyTorch state dict with a restricted unpickler (nothing in it is executed) and write a face model (112x112 RGB, (x-127.5)/127.5)")
        {
            checkpoint, backbone, embedding, output,
        };
        pytorch.SetAction(parse =>
        {
            TorchRuntime.Initialize();
            try
            {
                BackboneFactory.CheckName(parse.GetValue(backbone)!);
            }
            catch (ArgumentException e)
            {
                throw new MarginFaceException($"--backbone: {e.Message.Split(" (Parameter")[0]}");
            }
            var info = PyTorchImporter.ImportToModelFile(parse.GetValue(checkpoint)!, parse.GetValue(backbone)!, parse.GetValue(output)!, parse.GetValue(embedding));
            System.Console.WriteLine($"wrote {parse.GetValue(output)}: {info.Backbone}, {info.InputWidth}x{info.InputHeight}x{info.Channels}, {info.EmbeddingSize}-D, model id {info.ModelId}");
            return 0;
        });
        return new Command("import", "Bring models from other frameworks into MarginFace") { pytorch };
    }
}
