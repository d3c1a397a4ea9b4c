using MarginFace.Data;

namespace MarginFace.Tests.Data;

public class IdentityFolderDatasetTests
{
    [Fact]
    public void LabelsFollowOrdinalOrderOfIdentitiesAndImagesAreSortedWithinEach()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("faces");
        foreach (var name in new[] { "bob", "Alice", "ÉLodie", "alice" })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            foreach (var file in new[] { "b.png", "a.jpg", "C.PGM", "notes.txt", ".hidden.png" }) File.WriteAllText(Path.Combine(root, name, file), "x");
        }
        Directory.CreateDirectory(Path.Combine(root, ".cache", "x"));
        File.WriteAllText(Path.Combine(root, "loose.png"), "x");
        var dataset = IdentityFolderDataset.Scan(root);
        Assert.Equal(["Alice", "alice", "bob", "ÉLodie"], dataset.Identities);
        Assert.Equal(12, dataset.Samples.Count);
        Assert.Equal(["C.PGM", "a.jpg", "b.png"], dataset.Samples.Take(3).Select(s => Path.GetFileName(s.Path)));
        Assert.Equal([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], dataset.Samples.Select(s => s.Label));
    }

    [Fact]
    public void MinImagesDropsSmallIdentitiesAndRelabelsTheRest()
    {
        using var dir = new TempDirectory();
        var root = FaceFolder.Write(dir, identities: 3, images: 2);
        File.Delete(Path.Combine(root, FaceFolder.Identity(1), "0001.png"));
        var dataset = IdentityFolderDataset.Scan(root, new IdentityFolderOptions(MinImages: 2));
        Assert.Equal([FaceFolder.Identity(0), FaceFolder.Identity(2)], dataset.Identities);
        Assert.Equal([0, 0, 1, 1], dataset.Samples.Select(s => s.Label));
    }

    [Fact]
    public void IncludeAndExcludeListsKeepExactlyTheAllowedPeople()
    {
        using var dir = new TempDirectory();
        var root = FaceFolder.Write(dir, identities: 5, images: 1);
        var list = dir.Combine("include.txt");
        File.WriteAllText(list, $"# fold 1\n {FaceFolder.Identity(3)} \n\n{FaceFolder.Identity(0)}\n{FaceFolder.Identity(4)}\n");
        var include = IdentityFolderDataset.ReadIdentityList(list);
        var dataset = IdentityFolderDataset.Scan(root, new IdentityFolderOptions(Include: include, Exclude: [FaceFolder.Identity(4), "nobody"]));
        Assert.Equal([FaceFolder.Identity(0), FaceFolder.Identity(3)], dataset.Identities);
    }

    [Fact]
    public void UnknownNamesInAnIncludeListAreAnErrorNamingThem()
    {
        using var dir = new TempDirectory();
        var root = FaceFolder.Write(dir, identities: 3, images: 1);
        var e = Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(root,
            new IdentityFolderOptions(Include: [FaceFolder.Identity(0), "Ghost_One", "Ghost_Two"]) { IncludeSource = "keep.txt" }));
        Assert.Equal($"keep.txt: 2 identities are not a folder of {root} with images: Ghost_One, Ghost_Two", e.Message);
    }

    [Fact]
    public void MissingEmptyAndSingleIdentityFoldersAreOneLineErrorsNamingTheFolder()
    {
        using var dir = new TempDirectory();
        var missing = dir.Combine("nope");
        Assert.Equal($"{missing}: folder not found", Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(missing)).Message);

        var empty = dir.Combine("empty");
        Directory.CreateDirectory(Path.Combine(empty, "someone"));
        File.WriteAllText(Path.Combine(empty, "someone", "readme.txt"), "no images");
        Assert.StartsWith($"{empty}: no identity folder with images", Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(empty)).Message);

        var root = FaceFolder.Write(dir, identities: 2, images: 2);
        File.Delete(Path.Combine(root, FaceFolder.Identity(1), "0000.png"));
        var e = Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(root, new IdentityFolderOptions(MinImages: 2)));
        Assert.Equal($"{root}: only one identity ({FaceFolder.Identity(0)}) is left; training needs at least two", e.Message);
        e = Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(root, new IdentityFolderOptions(MinImages: 3)));
        Assert.StartsWith($"{root}: no identity is left with at least 3 images", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void NoReadableImageIsAnErrorAndAFewBadHeadersAreReportedAndLeftOut()
    {
        using var dir = new TempDirectory();
        var root = FaceFolder.Write(dir, identities: 2, images: 1);
        foreach (var file in Directory.EnumerateFiles(root, "*.png", SearchOption.AllDirectories)) File.WriteAllText(file, "not a png");
        var e = Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(root).WithoutUnreadableHeaders());
        Assert.StartsWith($"{root}: no readable image among 2 files (first: ", e.Message);

        using var bigDir = new TempDirectory();
        var big = FaceFolder.Write(bigDir, identities: 4, images: 30, size: 4);
        var bad = Path.Combine(big, FaceFolder.Identity(2), "0007.png");
        File.WriteAllBytes(bad, []);
        var warnings = new List<string>();
        var dataset = IdentityFolderDataset.Scan(big);
        var kept = dataset.WithoutUnreadableHeaders((path, problem) => warnings.Add($"{path}: {problem}"));
        Assert.Equal([$"{bad}: empty file"], warnings);
        Assert.Equal(119, kept.Samples.Count);
        Assert.Equal(dataset.Identities, kept.Identities);
        File.WriteAllBytes(Path.Combine(big, FaceFolder.Identity(3), "0001.png"), []);
        e = Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(big).WithoutUnreadableHeaders());
        Assert.StartsWith($"{big}: 2 of 120 images are unreadable, more than 1% (first: ", e.Message);
    }

    [Fact]
    public void ClassesJsonRoundTripsAndAChangedFolderIsAnErrorNamingTheFirstDifference()
    {
        using var dir = new TempDirectory();
        var root = FaceFolder.Write(dir, identities: 4, images: 1);
        var dataset = IdentityFolderDataset.Scan(root);
        var classes = dir.Combine("run", "classes.json");
        dataset.WriteClasses(classes);
        Assert.Contains($"\"{FaceFolder.Identity(3)}\": 3", File.ReadAllText(classes));
        var saved = IdentityFolderDataset.ReadClasses(classes);
        Assert.Equal(dataset.Identities, saved);
        dataset.EnsureSameIdentities(saved, classes);

        Directory.Move(Path.Combine(root, FaceFolder.Identity(1)), Path.Combine(root, "person_01b"));
        var e = Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(root).EnsureSameIdentities(saved, classes));
        Assert.Equal($"{root}: its identities differ from {classes} at label 1: the folder has 'person_01b', the saved list '{FaceFolder.Identity(1)}'", e.Message);

        Directory.Move(Path.Combine(root, "person_01b"), Path.Combine(root, FaceFolder.Identity(1)));
        Directory.Delete(Path.Combine(root, FaceFolder.Identity(3)), recursive: true);
        e = Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.Scan(root).EnsureSameIdentities(saved, classes));
        Assert.Equal($"{root}: has 3 identities, {classes} 4; the saved list goes on with '{FaceFolder.Identity(3)}' at label 3", e.Message);
    }

    [Fact]
    public void MalformedClassesJsonIsAOneLineErrorNamingTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("classes.json");
        File.WriteAllText(path, "{\"a\": 0, \"b\": 0}");
        Assert.Equal($"{path}: label 0 is given to both 'a' and 'b'", Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.ReadClasses(path)).Message);
        File.WriteAllText(path, "{\"a\": 0, \"b\": 2}");
        Assert.Equal($"{path}: label 2 of 'b' is outside 0..1", Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.ReadClasses(path)).Message);
        File.WriteAllText(path, "{\"a\": 0, ");
        Assert.StartsWith($"{path}: not valid JSON", Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.ReadClasses(path)).Message);
        File.WriteAllText(path, "[1, 2]");
        Assert.StartsWith($"{path}: not an identity list", Assert.Throws<MarginFaceException>(() => IdentityFolderDataset.ReadClasses(path)).Message);
    }
}
