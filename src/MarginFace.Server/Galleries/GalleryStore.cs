using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Server.Problems;

namespace MarginFace.Server.Galleries;

/// <summary>
/// The one place the server touches galleries, all through <see cref="IFaceGallery"/>: the default gallery
/// (<see cref="ServerOptions.GalleryPath"/>, named <c>default</c>: a SQLite file or a PostgreSQL database, opened by
/// <see cref="FaceGalleries.Open"/>) and named SQLite galleries <c>NAME.db</c> in the folder the server owns
/// (<see cref="ServerOptions.GalleriesDirectory"/>). A request names a gallery, never a path: names are 1..64 letters,
/// digits, '-' and '_'. Each open gallery is used under its own lock (a SQLite connection serves one thread at a time); each
/// search brings the gallery's index up to date with its store first (both stores do), so enrolments by another process
/// sharing the file or database are searched too. The library's one-line errors (which name a PostgreSQL server without its
/// password) are turned into problem kinds here.
/// </summary>
public sealed partial class GalleryStore : IDisposable
{
    private readonly ServerOptions options;
    private readonly ConcurrentDictionary<string, Handle> open = new(StringComparer.Ordinal);
    private readonly object directoryGate = new();

    public GalleryStore(ServerOptions options)
    {
        this.options = options;
        if (options.GalleriesDirectory is { } directory) Directory.CreateDirectory(directory);
        // The default gallery is opened (and made) now, so that a bad file or an unreachable database stops the server at start
        // with the library's one line, not at the first request.
        try
        {
            Get(ServerOptions.DefaultGallery);
        }
        catch (ApiProblemException e)
        {
            throw new MarginFaceException(e.Message);
        }
    }

    /// <summary>The galleries: the default one, then the named ones by name.</summary>
    public IReadOnlyList<(string Name, int People, string? ModelId)> List()
    {
        var names = new List<string> { ServerOptions.DefaultGallery };
        if (options.GalleriesDirectory is { } directory)
            names.AddRange(Directory.EnumerateFiles(directory, "*.db").Select(f => Path.GetFileNameWithoutExtension(f)!)
                .Where(n => NamePattern().IsMatch(n) && n != ServerOptions.DefaultGallery).Order(StringComparer.Ordinal));
        return [.. names.Select(name => Use(name, g => (name, g.List().Count, g.ModelId)))];
    }

    /// <summary>Makes an empty named gallery; 409 when it exists, or when the server has no galleries folder.</summary>
    public void Create(string name)
    {
        CheckGalleryName(name);
        if (options.GalleriesDirectory is null)
            throw new ApiProblemException(ProblemKind.Conflict, $"this server was started without a galleries folder (--galleries DIR): only '{ServerOptions.DefaultGallery}'");
        var path = NamedPath(name);
        lock (directoryGate)
        {
            if (File.Exists(path) || name == ServerOptions.DefaultGallery)
                throw new ApiProblemException(ProblemKind.Conflict, $"gallery '{name}' already exists");
            Wrap(() => { FaceGallery.Open(path, create: true).Dispose(); return 0; });
        }
    }

    /// <summary>Deletes a named gallery and its files; the default gallery cannot be deleted (409).</summary>
    public void Delete(string name)
    {
        CheckGalleryName(name);
        if (name == ServerOptions.DefaultGallery) throw new ApiProblemException(ProblemKind.Conflict, "the default gallery cannot be deleted");
        var path = NamedPath(name);
        lock (directoryGate)
        {
            if (!File.Exists(path)) throw new ApiProblemException(ProblemKind.NotFound, $"no gallery named '{name}'");
            if (open.TryRemove(name, out var handle))
                lock (handle) handle.Gallery.Dispose();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                if (File.Exists(file)) File.Delete(file);
        }
    }

    /// <summary>Everyone in the gallery, by name.</summary>
    public IReadOnlyList<GalleryPerson> People(string gallery) => Use(gallery, g => g.List());

    /// <summary>The SHA-256 of each image of a person; 404 for an unknown person.</summary>
    public IReadOnlyList<string> Images(string gallery, string name) => Use(gallery, g =>
    {
        name = CheckPersonName(name);
        RequirePerson(g, name);
        return g.Images(name);
    });

    /// <summary>Adds embeddings to a person (made when new), committed before this returns; 409 for a gallery of another model.</summary>
    public EnrolmentResult Enrol(string gallery, string name, IReadOnlyList<GalleryEntry> entries, IFaceEmbedder model, FaceModelReference reference) =>
        Use(gallery, g =>
        {
            name = CheckPersonName(name);
            if (g.ModelId is { } stored && stored != model.ModelId)
                throw new ApiProblemException(ProblemKind.ModelMismatch, $"gallery '{gallery}' holds embeddings of model '{stored}', not the server's '{model.ModelId}'");
            return g.Enrol(name, entries, model.ModelId, reference);
        });

    /// <summary>Renames a person: 404 for an unknown one, 409 when the new name is taken.</summary>
    public void Rename(string gallery, string name, string newName) => Use(gallery, g =>
    {
        name = CheckPersonName(name);
        newName = CheckPersonName(newName);
        RequirePerson(g, name);
        if (name != newName && g.List().Any(p => p.Name == newName))
            throw new ApiProblemException(ProblemKind.Conflict, $"a person named '{newName}' already exists in gallery '{gallery}'");
        g.Rename(name, newName);
        return 0;
    });

    /// <summary>Removes a person; returns how many embeddings went; 404 for an unknown one.</summary>
    public int Remove(string gallery, string name) => Use(gallery, g =>
    {
        name = CheckPersonName(name);
        RequirePerson(g, name);
        return g.Remove(name);
    });

    /// <summary>The best people for each embedding (cosine similarity, at or above <paramref name="threshold"/>).</summary>
    public IReadOnlyList<IReadOnlyList<GalleryMatch>> Search(string gallery, IReadOnlyList<float[]> queries, string modelId, int top, float threshold)
    {
        var handle = Get(gallery);
        lock (handle)
        {
            return Wrap(() =>
            {
                var g = handle.Gallery;
                if (g.ModelId is { } stored && stored != modelId)
                    throw new ApiProblemException(ProblemKind.ModelMismatch, $"gallery '{gallery}' holds embeddings of model '{stored}', not the server's '{modelId}'");
                return (IReadOnlyList<IReadOnlyList<GalleryMatch>>)[.. queries.Select(q => g.Search(q, top, threshold))];
            });
        }
    }

    /// <summary>Checks a name as a gallery name (400 otherwise).</summary>
    public static string CheckGalleryName(string name) => NamePattern().IsMatch(name)
        ? name
        : throw new ApiProblemException(ProblemKind.BadRequest, $"gallery name '{Shorten(name)}' must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit");

    public void Dispose()
    {
        foreach (var handle in open.Values)
            lock (handle) handle.Gallery.Dispose();
        open.Clear();
    }

    private T Use<T>(string gallery, Func<IFaceGallery, T> action)
    {
        var handle = Get(gallery);
        lock (handle) return Wrap(() => action(handle.Gallery));
    }

    private Handle Get(string name)
    {
        CheckGalleryName(name);
        if (open.TryGetValue(name, out var found)) return found;
        lock (directoryGate)
        {
            if (open.TryGetValue(name, out found)) return found;
            string path;
            if (name == ServerOptions.DefaultGallery) path = options.GalleryPath;
            else
            {
                path = NamedPath(name);
                if (!File.Exists(path)) throw new ApiProblemException(ProblemKind.NotFound, $"no gallery named '{name}'");
            }
            var gallery = Wrap(() => FaceGalleries.Open(path, create: name == ServerOptions.DefaultGallery));
            gallery.SearchThreads = 1;
            gallery.SearchExpansion = options.SearchExpansion;
            // A shared gallery's HNSW index is kept in the user cache, as identify keeps it, so a restart reopens it rather than rebuilding.
            if (gallery is PostgresFaceGallery shared) shared.IndexFile = shared.CacheIndexFile;
            var handle = new Handle(gallery);
            open[name] = handle;
            return handle;
        }
    }

    private string NamedPath(string name) => options.GalleriesDirectory is { } directory
        ? Path.Combine(directory, name + ".db")
        : throw new ApiProblemException(name == ServerOptions.DefaultGallery ? ProblemKind.Conflict : ProblemKind.NotFound,
            $"no gallery named '{name}' (this server was started without a galleries folder: only '{ServerOptions.DefaultGallery}')");

    private static void RequirePerson(IFaceGallery gallery, string name)
    {
        if (!gallery.List().Any(p => p.Name == name)) throw new ApiProblemException(ProblemKind.NotFound, $"no person named '{name}'");
    }

    private static string CheckPersonName(string name)
    {
        try
        {
            return FaceGallery.CheckName(name);
        }
        catch (MarginFaceException e)
        {
            throw new ApiProblemException(ProblemKind.BadRequest, e.Message);
        }
    }

    /// <summary>The gallery's own problems (a damaged file, locked past the busy timeout) are the server's, not the client's: 500 with the one-line reason.</summary>
    private static T Wrap<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (MarginFaceException e)
        {
            throw new ApiProblemException(ProblemKind.Internal, e.Message);
        }
    }

    private static string Shorten(string text) => (text.Length > 40 ? text[..40] + "…" : text).ReplaceLineEndings(" ");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();

    private sealed class Handle(IFaceGallery gallery)
    {
        public IFaceGallery Gallery { get; } = gallery;
    }
}
