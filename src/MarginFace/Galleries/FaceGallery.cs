using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using MarginFace.FaceModels;
using MarginFace.Runtime;

namespace MarginFace.Galleries;

/// <summary>
/// A gallery of known people in one SQLite file (WAL journal, full sync): people (unique names of 1..256 characters), their
/// embeddings (float32 blobs), the SHA-256 of each source image, and the id of the model that made them — a gallery accepts
/// embeddings of one model id and one dimension only — with the reference to open that model again (<see cref="ModelReference"/>). Each <see cref="Enrol"/>, <see cref="Rename"/> and <see cref="Remove"/> is one
/// transaction, so a crash or kill leaves the gallery as it was before or after it; readers keep reading while a writer writes.
/// <see cref="Search"/> compares the query by cosine similarity, best similarity per person, top k above a threshold: exactly,
/// over an L2-normalised in-memory matrix, below <see cref="GallerySearchEngine.ExactThreshold"/> embeddings or with
/// <see cref="GallerySearchMode.Exact"/>; else through an HNSW index persisted beside the file (<c>FILE.hnsw</c>, with
/// <c>.keys</c> and a <c>.stamp</c>; <see cref="GallerySearchEngine"/>). Both are reloaded when the store's version (meta
/// <c>generation</c>, bumped by every write, and the highest id) moved, whichever process wrote.
/// Problems with the file (not SQLite, not a gallery, a newer schema, locked past the busy timeout) are one-line
/// <see cref="MarginFaceException"/>s naming it.
/// </summary>
public sealed class FaceGallery : IFaceGallery, IGalleryStore
{
    /// <summary>The schema this code writes; a file with a larger version is refused.</summary>
    public const int SchemaVersion = 2;

    /// <summary>See <see cref="ReadLimits.MaxGalleryNameLength"/>, where every reader's budget is named with its reason.</summary>
    public const int MaxNameLength = ReadLimits.MaxGalleryNameLength;

    /// <summary>See <see cref="ReadLimits.MaxGalleryDimension"/>, where every reader's budget is named with its reason.</summary>
    public const int MaxDimension = ReadLimits.MaxGalleryDimension;

    private const string ModelKey = "model";
    private const string ConventionKey = "model_convention";

    private const string GenerationKey = "generation";

    private readonly SqliteConnection connection;
    private readonly GallerySearchEngine engine;

    private FaceGallery(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
        engine = new GallerySearchEngine(this);
    }

    /// <summary>The gallery file.</summary>
    public string Path { get; }

    /// <summary>Threads used by <see cref="Search"/> (default: all cores).</summary>
    public int SearchThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Exact, approximate, or exact below <see cref="GallerySearchEngine.ExactThreshold"/> embeddings (default).</summary>
    public GallerySearchMode SearchMode { get; set; } = GallerySearchMode.Auto;

    /// <summary>What the last preparation of the HNSW index did ("reopened", "updated (+A -R)", "rebuilt: REASON"); null before any.</summary>
    public string? IndexEvent => engine.LastIndexEvent;

    /// <summary>The search side, for benchmarks that compare its policies.</summary>
    internal GallerySearchEngine Engine => engine;

    /// <inheritdoc/>
    public int SearchExpansion { get => engine.ExpansionSearch; set => engine.ExpansionSearch = value; }

    /// <summary>Embeddings stored.</summary>
    public long Count => Guard(() => Scalar<long>("SELECT COUNT(*) FROM embeddings", null));

    /// <summary>The HNSW index file beside the gallery (<c>FILE.hnsw</c>; its keys and stamp add <c>.keys</c> and <c>.stamp</c>).</summary>
    public string IndexFile => Path + ".hnsw";

    string? IGalleryStore.IndexFile => IndexFile;

    /// <summary>The model id of the stored embeddings; null while the gallery is empty of them.</summary>
    public string? ModelId => ReadMeta("model_id");

    /// <summary>
    /// The model the embeddings were made with, as its first enrolment named it (meta <c>model</c> and
    /// <c>model_convention</c>), so a later search can open it again; null for a gallery enrolled without one (or by an older
    /// version). It is a hint: <see cref="ModelId"/> still decides whether a model's embeddings belong here.
    /// </summary>
    public FaceModelReference? ModelReference => Guard(() =>
    {
        if (ReadMeta(ModelKey) is not { Length: > 0 } path) return null;
        var convention = ReadMeta(ConventionKey) is { } text
            ? Enum.TryParse<OnnxModelConvention>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _)
                ? parsed
                : throw new MarginFaceException($"{Path}: the gallery's model convention '{Shorten(text)}' is not one this program knows (edited, or a newer marginface)")
            : OnnxModelConvention.Metadata;
        return new FaceModelReference(path, convention);
    });

    /// <summary>The embedding dimension; null while the gallery has none.</summary>
    public int? Dimension => Guard(() => ReadMeta("dimension") is { } text ? ParseDimension(text) : (int?)null);

    /// <summary>
    /// Opens the gallery at <paramref name="path"/>; with <paramref name="create"/> a missing (or empty) file becomes a new gallery,
    /// without it a missing file is an error. A writer waits up to <paramref name="busyTimeout"/> (default 5 s) for another writer.
    /// </summary>
    public static FaceGallery Open(string path, bool create = false, TimeSpan? busyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new MarginFaceException($"{path}: is a directory, not a gallery file");
        if (!create && !File.Exists(path)) throw new MarginFaceException($"{path}: gallery file not found");
        var timeout = busyTimeout ?? TimeSpan.FromSeconds(5);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        var gallery = new FaceGallery(path, connection);
        try
        {
            gallery.Guard(() =>
            {
                connection.Open();
                gallery.Execute($"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds}");
                gallery.Initialise();
                return 0;
            });
            return gallery;
        }
        catch
        {
            gallery.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds <paramref name="entries"/> to <paramref name="name"/> (created when new) in one transaction. Entries whose image the person
    /// already has (same SHA-256) are skipped and counted as duplicates, so enrolling the same images again changes nothing.
    /// </summary>
    /// <remarks><paramref name="model"/>, when given, is remembered as <see cref="ModelReference"/> if the gallery has none yet.</remarks>
    public EnrolmentResult Enrol(string name, IReadOnlyList<GalleryEntry> entries, string modelId, FaceModelReference? model = null) =>
        EnrolAll([(name, entries)], modelId, model: model)[0];

    /// <summary>
    /// Enrols several people in one transaction: every enrolment is checked before anything is written, and a failure (or a
    /// kill) part way leaves the gallery as it was, so an import is all or nothing. <paramref name="starting"/> is told each
    /// name and its number of entries before its rows are written (inside the transaction: nothing is committed until the end).
    /// <paramref name="model"/>, when given, is remembered as <see cref="ModelReference"/> if the gallery has none yet (in the
    /// same transaction).
    /// </summary>
    public IReadOnlyList<EnrolmentResult> EnrolAll(IReadOnlyList<(string Name, IReadOnlyList<GalleryEntry> Entries)> enrolments, string modelId,
        Action<string, int>? starting = null, FaceModelReference? model = null)
    {
        var (checkedEnrolments, dimension) = GalleryEnrolmentCheck.Check(Path, enrolments, modelId);
        var dimensionText = dimension.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Guard(() =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var storedModel = ReadMeta("model_id", transaction);
            if (storedModel is null)
            {
                WriteMeta("model_id", modelId, transaction);
                WriteMeta("dimension", dimensionText, transaction);
            }
            else if (storedModel != modelId)
                throw new MarginFaceException($"{Path}: gallery holds embeddings of model '{storedModel}', not '{modelId}'");
            else if (ReadMeta("dimension", transaction) is { } stored && ParseDimension(stored) != dimension)
                throw new MarginFaceException($"{Path}: gallery holds {stored}-dimensional embeddings, not {dimension}-dimensional");
            if (model is not null && ReadMeta(ModelKey, transaction) is null)
            {
                WriteMeta(ModelKey, model.Path, transaction);
                WriteMeta(ConventionKey, model.Convention.ToString().ToLowerInvariant(), transaction);
            }

            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO embeddings (person_id, image_sha256, vector) VALUES ($person, $sha, $vector) RETURNING id";
            var person = insert.Parameters.Add("$person", SqliteType.Integer);
            var sha = insert.Parameters.Add("$sha", SqliteType.Text);
            var vector = insert.Parameters.Add("$vector", SqliteType.Blob);
            var results = new List<EnrolmentResult>(checkedEnrolments.Count);
            var ids = new EnrolledIdRange();
            foreach (var (name, entries) in checkedEnrolments)
            {
                starting?.Invoke(name, entries.Count);
                var personId = Scalar<long?>("SELECT id FROM people WHERE name = $name", transaction, ("$name", name));
                var newPerson = personId is null;
                personId ??= Scalar<long>("INSERT INTO people (name) VALUES ($name) RETURNING id", transaction, ("$name", name));
                int added = 0;
                foreach (var entry in entries)
                {
                    person.Value = personId;
                    sha.Value = entry.ImageSha256.ToLowerInvariant();
                    vector.Value = MemoryMarshal.AsBytes(entry.Embedding.AsSpan()).ToArray();
                    if (insert.ExecuteScalar() is long id)
                    {
                        added++;
                        ids.Add(id);
                    }
                }
                results.Add(new EnrolmentResult(name, newPerson, added, entries.Count - added));
            }
            LogChange(transaction, GalleryChanges.Enrol, null, ids.First, ids.Last); // writers take turns: an immediate transaction
            transaction.Commit();
            return (IReadOnlyList<EnrolmentResult>)results;
        });
    }

    /// <summary>Everyone in the gallery with their number of embeddings, by name.</summary>
    public IReadOnlyList<GalleryPerson> List() => Guard(() =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT p.name, COUNT(e.id) FROM people p LEFT JOIN embeddings e ON e.person_id = p.id GROUP BY p.id ORDER BY p.name";
        using var reader = command.ExecuteReader();
        var people = new List<GalleryPerson>();
        while (reader.Read()) people.Add(new GalleryPerson(reader.GetString(0), reader.GetInt32(1)));
        return (IReadOnlyList<GalleryPerson>)people;
    });

    /// <summary>The SHA-256 (lower-case hex) of every image enrolled for <paramref name="name"/>, in enrolment order; an unknown name is an error.</summary>
    public IReadOnlyList<string> Images(string name)
    {
        name = CheckName(name);
        return Guard(() =>
        {
            using var transaction = connection.BeginTransaction(deferred: true);
            var id = Scalar<long?>("SELECT id FROM people WHERE name = $name", transaction, ("$name", name))
                ?? throw new MarginFaceException($"{Path}: no person named '{name}'");
            using var command = Command("SELECT image_sha256 FROM embeddings WHERE person_id = $id ORDER BY id", transaction, [("$id", id)]);
            using var reader = command.ExecuteReader();
            var images = new List<string>();
            while (reader.Read()) images.Add(reader.GetString(0));
            return (IReadOnlyList<string>)images;
        });
    }

    /// <summary>
    /// SQLite's <c>PRAGMA data_version</c> of this connection: it changes when another connection (another process, say) commits
    /// to the file, so a long-lived reader can reload its search matrix (<see cref="LoadIndex(bool)"/>) only when it must.
    /// </summary>
    public long DataVersion => Guard(() => Scalar<long>("PRAGMA data_version", null));

    /// <summary>Renames a person; an unknown old name or a taken new name is an error.</summary>
    public void Rename(string name, string newName)
    {
        name = CheckName(name);
        newName = CheckName(newName);
        Guard(() =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            if (Scalar<long?>("SELECT id FROM people WHERE name = $name", transaction, ("$name", name)) is null)
                throw new MarginFaceException($"{Path}: no person named '{name}'");
            if (name != newName && Scalar<long?>("SELECT id FROM people WHERE name = $name", transaction, ("$name", newName)) is not null)
                throw new MarginFaceException($"{Path}: a person named '{newName}' already exists");
            Execute("UPDATE people SET name = $new WHERE name = $name", transaction, ("$new", newName), ("$name", name));
            LogChange(transaction, GalleryChanges.Rename, Scalar<long>("SELECT id FROM people WHERE name = $name", transaction, ("$name", newName)), null, null);
            transaction.Commit();
            return 0;
        });
    }

    /// <summary>Removes a person and their embeddings; returns how many embeddings went.</summary>
    public int Remove(string name)
    {
        name = CheckName(name);
        return Guard(() =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var id = Scalar<long?>("SELECT id FROM people WHERE name = $name", transaction, ("$name", name))
                ?? throw new MarginFaceException($"{Path}: no person named '{name}'");
            var removed = Execute("DELETE FROM embeddings WHERE person_id = $id", transaction, ("$id", id));
            Execute("DELETE FROM people WHERE id = $id", transaction, ("$id", id));
            LogChange(transaction, GalleryChanges.Remove, id, null, null);
            transaction.Commit();
            return removed;
        });
    }

    /// <summary>
    /// The <paramref name="top"/> people most similar to <paramref name="query"/> (cosine similarity, best embedding per person),
    /// best first, keeping only those at or above <paramref name="threshold"/>.
    /// </summary>
    public IReadOnlyList<GalleryMatch> Search(ReadOnlySpan<float> query, int top = 5, float threshold = -1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        return engine.Search(query, top, threshold, SearchMode, SearchThreads);
    }

    /// <summary>Loads (or reloads) the search matrix or index now; <see cref="Search"/> otherwise does so on first use.</summary>
    public void LoadIndex(bool force) => engine.Prepare(SearchMode, force, SearchThreads);

    /// <summary>Every embedding, by person name then image SHA-256, read as consumed.</summary>
    public IEnumerable<(string Name, GalleryEntry Entry)> Entries()
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT p.name, e.image_sha256, e.vector FROM embeddings e JOIN people p ON p.id = e.person_id ORDER BY p.name, e.image_sha256";
        SqliteDataReader reader;
        try { reader = command.ExecuteReader(); }
        catch (SqliteException e) { throw Wrap(e); }
        using (reader)
        {
            while (true)
            {
                bool more;
                try { more = reader.Read(); }
                catch (SqliteException e) { throw Wrap(e); }
                if (!more) yield break;
                var name = reader.GetString(0);
                yield return (name, new GalleryEntry(reader.GetString(1), Vector(reader.GetValue(2), name, ReadDimensionOrZero())));
            }
        }
    }

    /// <summary>Closes the gallery's database connection and frees its HNSW index.</summary>
    public void Dispose()
    {
        engine.Dispose();
        connection.Dispose();
    }

    GalleryVersion IGalleryStore.ReadVersion() => Guard(() =>
    {
        using var transaction = connection.BeginTransaction(deferred: true);
        return ReadVersion(transaction);
    });

    private GalleryVersion ReadVersion(SqliteTransaction transaction)
    {
        var dimension = ReadMeta("dimension", transaction) is { } text ? ParseDimension(text) : 0;
        var generation = ReadMeta(GenerationKey, transaction) is { } g && long.TryParse(g, out var parsed) ? parsed : 0;
        return new GalleryVersion(ReadMeta("model_id", transaction), dimension, Scalar<long?>("SELECT MAX(id) FROM embeddings", transaction) ?? 0, generation);
    }

    GalleryChanges? IGalleryStore.ReadChanges(long since) => Guard(() =>
    {
        // One read transaction: the log, the rows it names and the version it reaches are one snapshot.
        using var transaction = connection.BeginTransaction(deferred: true);
        var version = ReadVersion(transaction);
        return GalleryChangeLog.Read(version, since, Path,
            () => Command("SELECT seq, kind, person_id, first_id, last_id FROM changes WHERE seq > $since ORDER BY seq", transaction, [("$since", since)]),
            (first, last) => Command("SELECT e.id, e.image_sha256, e.person_id, p.name FROM embeddings e JOIN people p ON p.id = e.person_id WHERE e.id BETWEEN $first AND $last ORDER BY e.id",
                transaction, [("$first", first), ("$last", last)]),
            person => Scalar<string?>("SELECT name FROM people WHERE id = $id", transaction, ("$id", person)));
    });

    GalleryOwners IGalleryStore.ReadOwners() => Guard(() =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT e.id, e.image_sha256, e.person_id, p.name FROM embeddings e JOIN people p ON p.id = e.person_id ORDER BY e.id";
        using var reader = command.ExecuteReader();
        return GalleryOwners.Read(reader, Path);
    });

    GalleryIndex IGalleryStore.ReadMatrix() => LoadIndex();

    void IGalleryStore.ReadVectors(IReadOnlyList<long>? ids, Action<long, float[]> each) => Guard(() =>
    {
        var dimension = ReadDimensionOrZero();
        using var command = connection.CreateCommand();
        if (ids is null)
        {
            command.CommandText = "SELECT e.id, e.vector, p.name FROM embeddings e JOIN people p ON p.id = e.person_id ORDER BY e.id";
            using var reader = command.ExecuteReader();
            while (reader.Read()) each(reader.GetInt64(0), Vector(reader.GetValue(1), reader.GetString(2), dimension));
            return 0;
        }
        command.CommandText = "SELECT e.id, e.vector, p.name FROM embeddings e JOIN people p ON p.id = e.person_id WHERE e.id = $id";
        var parameter = command.Parameters.Add("$id", SqliteType.Integer);
        foreach (var id in ids)
        {
            parameter.Value = id;
            using var reader = command.ExecuteReader();
            if (reader.Read()) each(reader.GetInt64(0), Vector(reader.GetValue(1), reader.GetString(2), dimension));
        }
        return 0;
    });

    private int ReadDimensionOrZero() => ReadMeta("dimension") is { } text ? ParseDimension(text) : 0;

    /// <summary>A stored vector as floats, after the checks the exact matrix makes (<see cref="GalleryVectors"/>).</summary>
    private float[] Vector(object stored, string name, int dimension) => GalleryVectors.Decode(Path, name, Blob(stored, name), dimension);

    /// <summary>The bytes of a stored vector; SQLite's dynamic types let an edited file hold text or a number there.</summary>
    private byte[] Blob(object stored, string name)
    {
        if (stored is byte[] blob) return blob;
        var kind = stored switch { string => "text", long => "integer", double => "real", DBNull => "null", _ => stored.GetType().Name };
        throw new MarginFaceException($"{Path}: an embedding of {name} is stored as {kind}, not as float32 bytes (edited or damaged)");
    }

    /// <summary>
    /// Counts writes in meta <c>generation</c>, so that every process's search index sees that the store moved, and logs what
    /// the write did in <c>changes</c> under that number, so that an index can replay it instead of re-reading the gallery;
    /// rows more than <see cref="GalleryChanges.MaxReplayed"/> writes old are dropped (a reader that far behind re-reads all).
    /// </summary>
    private void LogChange(SqliteTransaction transaction, string kind, long? person, long? firstId, long? lastId)
    {
        var current = ReadMeta(GenerationKey, transaction) is { } text && long.TryParse(text, out var value) ? value : 0;
        var next = current + 1;
        WriteMeta(GenerationKey, next.ToString(System.Globalization.CultureInfo.InvariantCulture), transaction);
        Execute("INSERT OR REPLACE INTO changes (seq, kind, person_id, first_id, last_id) VALUES ($seq, $kind, $person, $first, $last)", transaction,
            ("$seq", next), ("$kind", kind), ("$person", (object?)person ?? DBNull.Value), ("$first", (object?)firstId ?? DBNull.Value), ("$last", (object?)lastId ?? DBNull.Value));
        Execute("DELETE FROM changes WHERE seq <= $old", transaction, ("$old", next - GalleryChanges.MaxReplayed));
    }

    private MarginFaceException Wrap(SqliteException e)
    {
        try { return Guard<MarginFaceException>(() => throw e); }
        catch (MarginFaceException wrapped) { return wrapped; }
    }

    /// <summary>Trims <paramref name="name"/> and checks it is 1..256 characters, not blank, without control characters.</summary>
    public static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        if (trimmed.Length == 0) throw new MarginFaceException("name is empty or only whitespace");
        if (trimmed.Length > MaxNameLength) throw new MarginFaceException($"name is {trimmed.Length} characters long, more than {MaxNameLength}");
        if (trimmed.Any(char.IsControl)) throw new MarginFaceException("name contains a control character (e.g. a line break)");
        return trimmed;
    }

    private GalleryIndex LoadIndex() => Guard(() =>
    {
        // One read transaction: the count and the rows come from the same snapshot even while another process enrols.
        using var transaction = connection.BeginTransaction(deferred: true);
        var dimension = ReadMeta("dimension", transaction) is { } text ? ParseDimension(text) : 0;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT e.person_id, p.name, e.vector FROM embeddings e JOIN people p ON p.id = e.person_id ORDER BY e.person_id, e.id";
        var count = Scalar<long>("SELECT COUNT(*) FROM embeddings e JOIN people p ON p.id = e.person_id", transaction);
        var builder = new GalleryMatrixBuilder(Path, count, dimension);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var name = reader.GetString(1);
            builder.Add(reader.GetInt64(0), name, Blob(reader.GetValue(2), name));
        }
        return builder.Build();
    });

    /// <summary>
    /// Checks an existing gallery, or makes a new one. Two processes (or connections) may find the same empty file at once: the
    /// tables are made inside an immediate (write-locked) transaction that looks again first, and with IF NOT EXISTS, so the
    /// second waits for the first and then finds its gallery instead of failing with "table already exists".
    /// </summary>
    private void Initialise()
    {
        var tables = Tables(null);
        if (tables.Count == 0)
        {
            // 16 KiB pages hold seven 512-d embeddings (2 KiB each) where 4 KiB pages hold one; set before the first write
            // (ignored when another connection wrote first).
            Execute("PRAGMA page_size = 16384", null);
            Execute("PRAGMA journal_mode = WAL", null);
            using var transaction = connection.BeginTransaction(deferred: false);
            tables = Tables(transaction);
            if (tables.Count == 0)
            {
                Execute("""
                    CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE IF NOT EXISTS embeddings (
                        id INTEGER PRIMARY KEY,
                        person_id INTEGER NOT NULL REFERENCES people (id),
                        image_sha256 TEXT NOT NULL,
                        vector BLOB NOT NULL,
                        UNIQUE (person_id, image_sha256));
                    """ + ChangesTable, transaction);
                Execute("INSERT INTO schema_version (version) VALUES ($v)", transaction, ("$v", SchemaVersion));
                transaction.Commit();
                Execute("PRAGMA synchronous = FULL", null);
                return;
            }
            transaction.Commit();
        }
        if (!tables.Contains("schema_version"))
            throw new MarginFaceException($"{Path}: a SQLite database but not a MarginFace gallery (no schema_version table)");
        var version = Scalar<long?>("SELECT MAX(version) FROM schema_version", null);
        if (version > SchemaVersion)
            throw new MarginFaceException($"{Path}: gallery has schema version {version}, newer than this program's {SchemaVersion}; use a newer marginface");
        if (version == 1) MigrateFrom1();
        else if (version != SchemaVersion) throw new MarginFaceException($"{Path}: gallery has an unknown schema version ({version?.ToString() ?? "none"})");
        // A damaged or edited dimension is reported on open, not when the first search needs it.
        if (ReadMeta("dimension") is { } dimension) ParseDimension(dimension);
        Execute("PRAGMA journal_mode = WAL", null);
        Execute("PRAGMA synchronous = FULL", null);
    }

    /// <summary>
    /// The change log (schema 2): one row per write under its generation number: an enrolment's range of new embedding ids
    /// (0..-1 when it added none), or the person renamed or removed.
    /// </summary>
    private const string ChangesTable = """
        CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, person_id INTEGER, first_id INTEGER, last_id INTEGER);
        """;

    /// <summary>
    /// Schema 1 → 2: adds the change log. Writes before it are not logged, so an index older than the migration finds a gap in
    /// the log and re-reads the gallery once. Another process migrating at once waits for the write lock and finds it done.
    /// </summary>
    private void MigrateFrom1()
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Scalar<long?>("SELECT MAX(version) FROM schema_version", transaction) == 1)
        {
            Execute(ChangesTable, transaction);
            Execute("UPDATE schema_version SET version = $v", transaction, ("$v", SchemaVersion));
        }
        transaction.Commit();
    }

    private HashSet<string> Tables(SqliteTransaction? transaction)
    {
        var tables = new HashSet<string>();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        using var reader = command.ExecuteReader();
        while (reader.Read()) tables.Add(reader.GetString(0));
        return tables;
    }

    /// <summary>The stored dimension as a number from 1 to <see cref="MaxDimension"/>; anything else names the file as edited or damaged.</summary>
    private int ParseDimension(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxDimension
            ? value
            : throw new MarginFaceException($"{Path}: the gallery's dimension '{Shorten(text)}' is not a whole number from 1 to {MaxDimension} (edited or damaged)");

    private static string Shorten(string text) => (text.Length > 40 ? text[..40] + "…" : text).ReplaceLineEndings(" ");

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            throw new MarginFaceException($"{Path}: gallery is locked by another process (gave up after the busy timeout)", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 or 11)
        {
            throw new MarginFaceException($"{Path}: not a SQLite gallery file (or a corrupt one)", e);
        }
        catch (SqliteException e)
        {
            throw new MarginFaceException($"{Path}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            // A column edited to hold a value of another type (text for a number, say): the file is damaged, not the program.
            throw new MarginFaceException($"{Path}: a value of the wrong type in the gallery (edited or damaged): {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private string? ReadMeta(string key, SqliteTransaction? transaction = null) =>
        Scalar<string?>("SELECT value FROM meta WHERE key = $key", transaction, ("$key", key));

    private void WriteMeta(string key, string value, SqliteTransaction transaction) =>
        Execute("INSERT OR REPLACE INTO meta (key, value) VALUES ($key, $value)", transaction, ("$key", key), ("$value", value));

    private int Execute(string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    private void Execute(string sql) => Execute(sql, null);

    private T Scalar<T>(string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        var value = command.ExecuteScalar();
        if (value is null or DBNull) return default!;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    private SqliteCommand Command(string sql, SqliteTransaction? transaction, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }
}
