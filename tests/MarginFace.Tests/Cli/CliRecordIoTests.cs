namespace MarginFace.Tests.Cli;

/// <summary><c>marginface dataset pack|info</c>: pack an identity folder as RecordIO, describe it, refuse to overwrite.</summary>
public class CliRecordIoTests
{
    [Fact]
    public void PackThenInfoThenRefuseToOverwrite()
    {
        using var temp = new TempDirectory();
        var layout = SyntheticIdentities.Write(temp.Path, identities: 2, trainImages: 2, validationImages: 2, size: 24, pairsPerClass: 1);
        var output = temp.Combine("rec");

        var (exitCode, stdout, stderr) = CliProcess.Run(["dataset", "pack", layout.Train, "--out", output]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("packed 4 images of 2 identities", stdout);

        (exitCode, stdout, stderr) = CliProcess.Run(["dataset", "info", output]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("images:     4", stdout);
        Assert.Contains("identities: 2", stdout);
        Assert.Contains("property:   2 classes, 24×24", stdout);
        Assert.Contains("header:     flag=2 label=0 id=0 id2=0 labels=[5, 7]", stdout);

        var before = File.ReadAllBytes(Path.Combine(output, "train.rec"));
        (exitCode, _, stderr) = CliProcess.Run(["dataset", "pack", layout.Train, "--out", output]);
        Assert.Equal(4, exitCode);
        Assert.Contains("already exists", stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(output, "train.rec")));

        (exitCode, stdout, stderr) = CliProcess.Run(["dataset", "pack", layout.Train, "--out", temp.Combine("crops"), "--crop", "center:16"]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("packed 4 faces (center:16, JPEG) of 2 identities", stdout);
        (exitCode, _, stderr) = CliProcess.Run(["dataset", "pack", layout.Train, "--out", temp.Combine("both"), "--crop", "center:16", "--align"]);
        Assert.Equal(1, exitCode);
        Assert.Equal("error: --align and --crop exclude each other (--align is --crop landmarks:112)", stderr.Trim());

        (exitCode, _, stderr) = CliProcess.Run(["dataset", "info", temp.Combine("missing")]);
        Assert.Equal(1, exitCode);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void BinWritesAVerificationSetRefusesToOverwriteAndNamesBadInput()
    {
        using var temp = new TempDirectory();
        var layout = SyntheticIdentities.Write(temp.Path, identities: 3, trainImages: 1, validationImages: 3, size: 32, pairsPerClass: 3);
        var output = temp.Combine("lfw.bin");

        var (exitCode, stdout, stderr) = CliProcess.Run(["dataset", "bin", "--pairs", layout.ValidationPairs, "--images", layout.ValidationImages, "--out", output, "--protocol", "2"]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"wrote 6 pairs (3 same) to {output}", stdout);
        Assert.Contains("pickle protocol 2, crop none", stdout);
        Assert.Equal([true, true, true, false, false, false], MarginFace.Evaluation.VerificationBin.Read(output).SameLabels());

        var before = File.ReadAllBytes(output);
        (exitCode, _, stderr) = CliProcess.Run(["dataset", "bin", "--pairs", layout.ValidationPairs, "--images", layout.ValidationImages, "--out", output]);
        Assert.Equal(4, exitCode);
        Assert.Contains("already exists", stderr);
        Assert.Equal(before, File.ReadAllBytes(output));

        foreach (var (arguments, expected) in new (string[], string)[]
        {
            (["--images", layout.ValidationImages, "--crop", "middle"], "error: --crop: crop 'middle': expected"),
            (["--images", layout.ValidationImages, "--protocol", "3"], "error: --protocol: expected 2 or 4, got 3"),
            (["--images", temp.Combine("nowhere")], $"error: {temp.Combine("nowhere")}: images directory not found"),
        })
        {
            (exitCode, _, stderr) = CliProcess.Run(["dataset", "bin", "--pairs", layout.ValidationPairs, "--out", temp.Combine("other.bin"), .. arguments]);
            Assert.Equal(1, exitCode);
            Assert.StartsWith(expected, stderr.Trim());
            Assert.Single(stderr.Trim().Split('\n'));
        }
        Assert.False(File.Exists(temp.Combine("other.bin")));

        // train --val takes a comma-separated list and reads every set before training: 6 pairs cannot make 10 folds.
        (exitCode, _, stderr) = CliProcess.Run(["train", "--data", layout.Train, "--val", $"{output},{temp.Combine("cfp_fp.bin")}", "--out", temp.Combine("run")]);
        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {output}: 6 pairs; arcface_torch's rule needs at least 10 (one a fold)", stderr.Trim());
        Assert.False(File.Exists(Path.Combine(temp.Combine("run"), "config.json")));
    }
}
