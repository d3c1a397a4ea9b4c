using System.Net.Sockets;
using System.Runtime.InteropServices;
using MarginFace.FaceModels;
using Npgsql;
using NpgsqlTypes;

namespace MarginFace.Galleries;

/// <summary>
/// A gallery in a PostgreSQL database (schema <c>marginface</c>), shared by every process and machine that opens it: the same
/// tables as the SQLite gallery (meta, people, embeddings as float32 <c>bytea</c>) plus <c>changes</c>, a bigserial change log
/// with one row per committed write. Each write is one transaction that first takes <c>LOCK TABLE changes IN EXCLUSIVE MODE</c>,
/// so writers take turns (readers are not blocked) and change numbers are in commit order. Each process keeps its own search
/// index (exact matrix or HNSW, in memory unless <see cref="IndexFile"/> is set) and reads <c>MAX(seq)</c> before every search,
/// one index lookup, to see whether another process wrote — chosen over LISTEN/NOTIFY, which needs a connection held open per
/// process and loses what happened while it was down, where the change number cannot be missed and is also the index's stamp.
/// The schema is made and migrated on open, under an advisory lock, with its version in <c>schema_version</c>.
/// Connections come from Npgsql's pool, opened per call: a server that went away fails the call in progress (its transaction
/// rolls back) with a one-line error, and the next call connects afresh. Messages name the server without the password.
/// </summary>
public sealed class PostgresFaceGallery : IFaceGallery, IGalleryStore
{
    /// <summary>The schema version this code migrates to; a database at a later version is refused.</summary>
    public const int SchemaVersion = 2;

    /// <summary>The PostgreSQL schema holding the tables.</summary>
    public const string Schema = "marginface";

    // Migration n (1-based) takes the schema from version n-1 to n; never edit one that shipped, add the next.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE marginface.meta (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE marginface.people (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);
        CREATE TABLE marginface.embeddings (
            id bigserial PRIMARY KEY,
            person_id bigint NOT NULL REFERENCES marginface.people (id) ON DELETE CASCADE,
            image_sha256 text NOT NULL,
            vector bytea NOT NULL,
            UNIQUE (person_id, image_sha256));
        CREATE TABLE marginface.changes (seq bigserial PRIMARY KEY, kind text NOT NULL, at timestamptz NOT NULL DEFAULT now());
        """,
        // 2: what each write did, so that an index replays the log instead of re-reading the gallery (rows of schema 1 have
        // none of these and make a reader that far behind re-read once).
        """
        ALTER TABLE marginface.changes ADD COLUMN person_id bigint, ADD COLUMN first_id bigint, ADD COLUMN last_id bigint;
        """,
    ];

    // pg_advisory_xact_lock key for migrations: "marginfa" as a number, any constant will do.
    private const long MigrationLock = 0x6D617267696E6661;

    private readonly NpgsqlDataSource source;
    private readonly string? password;
    private readonly TimeSpan lockTimeout;
    private readonly GallerySearchEngine engine;

    private PostgresFaceGallery(string path, NpgsqlDataSource source, string? password, TimeSpan lockTimeout)
    {
        Path = path;
        this.source = source;
        this.password = password;
        this.lockTimeout = lockTimeout;
        engine = new GallerySearchEngine(this);
    }

    /// <summary>The server and database as <c>postgres://USER@HOST:PORT/DB</c> (never the password).</summary>
    public string Path { get; }

    /// <summary>Threads used by <see cref="Search"/> and by building the HNSW index (default: all cores).</summary>
    public int SearchThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Exact, approximate, or exact below <see cref="GallerySearchEngine.ExactThreshold"/> embeddings (default).</summary>
    public GallerySearchMode SearchMode { get; set; } = GallerySearchMode.Auto;

    /// <summary>Where this process persists its HNSW index (with <c>.keys</c> and <c>.stamp</c>); null (default) keeps it in memory.</summary>
    public string? IndexFile { get; set; }

    /// <summary>
    /// A per-user cache file for this gallery's HNSW index (<c>CACHE/galleries/HASH.hnsw</c>, HASH from <see cref="Path"/>), so that
    /// short-lived processes (each <c>marginface identify</c>) reopen and update the index rather than build it; processes that
    /// write it at once can leave files that do not match their stamp, which the next one rebuilds, never uses.
    /// </summary>
    public string CacheIndexFile => System.IO.Path.Combine(Runtime.CachePaths.Root, "galleries",
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path)))[..16] + ".hnsw");

    /// <summary>What the last preparation of the HNSW index did; null before any.</summary>
    public string? IndexEvent => engine.LastIndexEvent;

    /// <summary>The search side, for benchmarks that compare its policies.</summary>
    internal GallerySearchEngine Engine => engine;

    /// <inheritdoc/>
    public int SearchExpansion { get => engine.ExpansionSearch; set => engine.ExpansionSearch = value; }

    /// <summary>The model id of the stored embeddings; null while there are none.</summary>
    public string? ModelId => Guard(connection => ReadMeta(connection, null, "model_id"));

    /// <summary>The embedding dimension; null while there are none.</summary>
    public int? Dimension => Guard(connection => ReadMeta(connection, null, "dimension") is { } text ? ParseDimension(text) : (int?)null);

    /// <summary>The model the first enrolment named (meta <c>model</c> and <c>model_convention</c>); null when none.</summary>
    public FaceModelReference? ModelReference => Guard(connection =>
    {
        if (ReadMeta(connection, null, "model") is not { Length: > 0 } path) return null;
        var text = ReadMeta(connection, null, "model_convention");
        var convention = text is null ? OnnxModelConvention.Metadata
            : Enum.TryParse<OnnxModelConvention>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _) ? parsed
            : throw new MarginFaceException($"{Path}: the gallery's model convention '{text}' is not one this program knows (edited, or a newer marginface)");
        return new FaceModelReference(path, convention);
    });

    /// <summary>Embeddings stored.</summary>
    public long Count => Guard(connection => Scalar<long>(connection, null, "SELECT COUNT(*) FROM marginface.embeddings"));

    /// <summary>
    /// Opens the gallery in the database <paramref name="spec"/> names (<c>postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…</c> or a
    /// keyword string <c>Host=…;Database=…</c>), making or migrating its tables. A writer waits up to <paramref name="lockTimeout"/>
    /// (default 5 s) for another. The password may also come from <c>PGPASSWORD</c> or a pgpass file, as for psql.
    /// </summary>
    public static PostgresFaceGallery Open(string spec, TimeSpan? lockTimeout = null)
    {
        var builder = Parse(spec);
        var path = Describe(builder);
        builder.Timeout = builder.Timeout is 15 ? 5 : builder.Timeout; // Npgsql's default connect timeout 15 s → 5 s
        var password = builder.Password;
        var gallery = new PostgresFaceGallery(path, new NpgsqlDataSourceBuilder(builder.ConnectionString).Build(), password, lockTimeout ?? TimeSpan.FromSeconds(5));
        try
        {
            gallery.Migrate();
            _ = gallery.Dimension; // a damaged dimension is reported on open
            return gallery;
        }
        catch
        {
            gallery.Dispose();
            throw;
        }
    }

    /// <summary>Adds <paramref name="entries"/> to <paramref name="name"/> in one transaction (see <see cref="EnrolAll"/>).</summary>
    public EnrolmentResult Enrol(string name, IReadOnlyList<GalleryEntry> entries, string modelId, FaceModelReference? model = null) =>
        EnrolAll([(name, entries)], modelId, model: model)[0];

    /// <summary>
    /// Enrols several people in one transaction: all checked first, then written under the writers' lock; a failure or a lost
    /// connection part way rolls everything back. Images a person already has (same SHA-256) are duplicates, skipped.
    /// </summary>
    public IReadOnlyList<EnrolmentResult> EnrolAll(IReadOnlyList<(string Name, IReadOnlyList<GalleryEntry> Entries)> enrolments, string modelId,
        Action<string, int>? starting = null, FaceModelReference? model = null)
    {
        var (checkedEnrolments, dimension) = GalleryEnrolmentCheck.Check(Path, enrolments, modelId);
        var dimensionText = dimension.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Write(GalleryChanges.Enrol, (connection, transaction) =>
        {
            var storedModel = ReadMeta(connection, transaction, "model_id");
            if (storedModel is null)
            {
                WriteMeta(connection, transaction, "model_id", modelId);
                WriteMeta(connection, transaction, "dimension", dimensionText);
            }
            else if (storedModel != modelId)
                throw new MarginFaceException($"{Path}: gallery holds embeddings of model '{storedModel}', not '{modelId}'");
            else if (ReadMeta(connection, transaction, "dimension") is { } stored && ParseDimension(stored) != dimension)
                throw new MarginFaceException($"{Path}: gallery holds {stored}-dimensional embeddings, not {dimension}-dimensional");
            if (model is not null && ReadMeta(connection, transaction, "model") is null)
            {
                WriteMeta(connection, transaction, "model", model.Path);
                WriteMeta(connection, transaction, "model_convention", model.Convention.ToString().ToLowerInvariant());
            }
            using var insert = new NpgsqlCommand(
                "INSERT INTO marginface.embeddings (person_id, image_sha256, vector) VALUES ($1, $2, $3) ON CONFLICT (person_id, image_sha256) DO NOTHING RETURNING id",
                connection, transaction);
            var person = insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
            var sha = insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text });
            var vector = insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea });
            var results = new List<EnrolmentResult>(checkedEnrolments.Count);
            var ids = new EnrolledIdRange();
            foreach (var (name, entries) in checkedEnrolments)
            {
                starting?.Invoke(name, entries.Count);
                var personId = Scalar<long?>(connection, transaction, "SELECT id FROM marginface.people WHERE name = $1", name);
                var newPerson = personId is null;
                personId ??= Scalar<long>(connection, transaction, "INSERT INTO marginface.people (name) VALUES ($1) RETURNING id", name);
                int added = 0;
                foreach (var entry in entries)
                {
                    person.Value = personId.Value;
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
            // Writers take turns under the lock (the range has gaps where a duplicate drew a number).
            return ((IReadOnlyList<EnrolmentResult>)results, (long?)null, (long?)ids.First, (long?)ids.Last);
        });
    }

    /// <summary>Everyone with their number of embeddings, by name (ordinal).</summary>
    public IReadOnlyList<GalleryPerson> List() => Guard(connection =>
    {
        using var command = new NpgsqlCommand(
            "SELECT p.name, COUNT(e.id) FROM marginface.people p LEFT JOIN marginface.embeddings e ON e.person_id = p.id GROUP BY p.id ORDER BY p.name COLLATE \"C\"", connection);
        using var reader = command.ExecuteReader();
        var people = new List<GalleryPerson>();
        while (reader.Read()) people.Add(new GalleryPerson(reader.GetString(0), (int)reader.GetInt64(1)));
        return (IReadOnlyList<GalleryPerson>)people;
    });

    /// <summary>The SHA-256 (lower-case hex) of every image enrolled for <paramref name="name"/>, in enrolment order; an unknown name is an error.</summary>
    public IReadOnlyList<string> Images(string name)
    {
        name = FaceGallery.CheckName(name);
        return Guard(connection =>
        {
            using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
            var id = Scalar<long?>(connection, transaction, "SELECT id FROM marginface.people WHERE name = $1", name)
                ?? throw new MarginFaceException($"{Path}: no person named '{name}'");
            using var command = Command(connection, transaction, "SELECT image_sha256 FROM marginface.embeddings WHERE person_id = $1 ORDER BY id", [id]);
            using var reader = command.ExecuteReader();
            var images = new List<string>();
            while (reader.Read()) images.Add(reader.GetString(0));
            return (IReadOnlyList<string>)images;
        });
    }

    /// <summary>Renames a person; an unknown old name or a taken new name is an error.</summary>
    public void Rename(string name, string newName)
    {
        name = FaceGallery.CheckName(name);
        newName = FaceGallery.CheckName(newName);
        Write(GalleryChanges.Rename, (connection, transaction) =>
        {
            var id = Scalar<long?>(connection, transaction, "SELECT id FROM marginface.people WHERE name = $1", name)
                ?? throw new MarginFaceException($"{Path}: no person named '{name}'");
            if (name != newName && Scalar<long?>(connection, transaction, "SELECT id FROM marginface.people WHERE name = $1", newName) is not null)
                throw new MarginFaceException($"{Path}: a person named '{newName}' already exists");
            Execute(connection, transaction, "UPDATE marginface.people SET name = $1 WHERE name = $2", newName, name);
            return (0, (long?)id, (long?)null, (long?)null);
        });
    }

    /// <summary>Removes a person and their embeddings; returns how many embeddings went.</summary>
    public int Remove(string name)
    {
        name = FaceGallery.CheckName(name);
        return Write(GalleryChanges.Remove, (connection, transaction) =>
        {
            var id = Scalar<long?>(connection, transaction, "SELECT id FROM marginface.people WHERE name = $1", name)
                ?? throw new MarginFaceException($"{Path}: no person named '{name}'");
            var removed = Execute(connection, transaction, "DELETE FROM marginface.embeddings WHERE person_id = $1", id);
            Execute(connection, transaction, "DELETE FROM marginface.people WHERE id = $1", id);
            return (removed, (long?)id, (long?)null, (long?)null);
        });
    }

    /// <summary>The <paramref name="top"/> people most similar to <paramref name="query"/> at or above <paramref name="threshold"/>, best first.</summary>
    public IReadOnlyList<GalleryMatch> Search(ReadOnlySpan<float> query, int top = 5, float threshold = -1) =>
        engine.Search(query, top, threshold, SearchMode, SearchThreads);

    /// <summary>Loads (or reloads) the search index now; <see cref="Search"/> otherwise does so on first use.</summary>
    public void LoadIndex(bool force) => engine.Prepare(SearchMode, force, SearchThreads);

    /// <summary>Every embedding, by person name (ordinal) then image SHA-256, streamed from the server as consumed.</summary>
    public IEnumerable<(string Name, GalleryEntry Entry)> Entries()
    {
        var dimension = Dimension ?? 0;
        using var connection = Connect();
        using var command = new NpgsqlCommand(
            "SELECT p.name, e.image_sha256, e.vector FROM marginface.embeddings e JOIN marginface.people p ON p.id = e.person_id ORDER BY p.name COLLATE \"C\", e.image_sha256",
            connection);
        using var reader = Run(() => command.ExecuteReader());
        while (Run(reader.Read))
        {
            var name = reader.GetString(0);
            yield return (name, new GalleryEntry(reader.GetString(1), Vector((byte[])reader.GetValue(2), name, dimension)));
        }
    }

    /// <summary>Frees the search index and the connection pool.</summary>
    public void Dispose()
    {
        engine.Dispose();
        source.Dispose();
    }

    GalleryVersion IGalleryStore.ReadVersion() => Guard(connection => ReadVersion(connection, null));

    private GalleryVersion ReadVersion(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using var command = new NpgsqlCommand("""
            SELECT (SELECT value FROM marginface.meta WHERE key = 'model_id'), (SELECT value FROM marginface.meta WHERE key = 'dimension'),
                   (SELECT COALESCE(MAX(id), 0) FROM marginface.embeddings), (SELECT COALESCE(MAX(seq), 0) FROM marginface.changes)
            """, connection, transaction);
        using var reader = command.ExecuteReader();
        reader.Read();
        var dimension = reader.IsDBNull(1) ? 0 : ParseDimension(reader.GetString(1));
        return new GalleryVersion(reader.IsDBNull(0) ? null : reader.GetString(0), dimension, reader.GetInt64(2), reader.GetInt64(3));
    }

    GalleryChanges? IGalleryStore.ReadChanges(long since) => Guard(connection =>
    {
        // One repeatable-read transaction: the log, the rows it names and the version it reaches are one snapshot.
        using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        var version = ReadVersion(connection, transaction);
        return GalleryChangeLog.Read(version, since, Path,
            () => Command(connection, transaction, "SELECT seq, kind, person_id, first_id, last_id FROM marginface.changes WHERE seq > $1 ORDER BY seq", [since]),
            (first, last) => Command(connection, transaction,
                "SELECT e.id, e.image_sha256, e.person_id, p.name FROM marginface.embeddings e JOIN marginface.people p ON p.id = e.person_id WHERE e.id BETWEEN $1 AND $2 ORDER BY e.id",
                [first, last]),
            person => Scalar<string?>(connection, transaction, "SELECT name FROM marginface.people WHERE id = $1", person));
    });

    GalleryOwners IGalleryStore.ReadOwners() => Guard(connection =>
    {
        using var command = new NpgsqlCommand(
            "SELECT e.id, e.image_sha256, e.person_id, p.name FROM marginface.embeddings e JOIN marginface.people p ON p.id = e.person_id ORDER BY e.id", connection);
        using var reader = command.ExecuteReader();
        return GalleryOwners.Read(reader, Path);
    });

    GalleryIndex IGalleryStore.ReadMatrix() => Guard(connection =>
    {
        // One repeatable-read transaction: the rows are one snapshot even while another process enrols.
        using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        var dimension = ReadMeta(connection, transaction, "dimension") is { } text ? ParseDimension(text) : 0;
        var count = Scalar<long>(connection, transaction, "SELECT COUNT(*) FROM marginface.embeddings");
        var builder = new GalleryMatrixBuilder(Path, count, dimension);
        using var command = new NpgsqlCommand(
            "SELECT e.person_id, p.name, e.vector FROM marginface.embeddings e JOIN marginface.people p ON p.id = e.person_id ORDER BY e.person_id, e.id",
            connection, transaction);
        using var reader = command.ExecuteReader();
        while (reader.Read()) builder.Add(reader.GetInt64(0), reader.GetString(1), (byte[])reader.GetValue(2));
        return builder.Build();
    });

    void IGalleryStore.ReadVectors(IReadOnlyList<long>? ids, Action<long, float[]> each) => Guard(connection =>
    {
        var dimension = ReadMeta(connection, null, "dimension") is { } text ? ParseDimension(text) : 0;
        using var command = ids is null
            ? new NpgsqlCommand("SELECT e.id, e.vector, p.name FROM marginface.embeddings e JOIN marginface.people p ON p.id = e.person_id ORDER BY e.id", connection)
            : new NpgsqlCommand("SELECT e.id, e.vector, p.name FROM marginface.embeddings e JOIN marginface.people p ON p.id = e.person_id WHERE e.id = ANY($1) ORDER BY e.id", connection)
            {
                Parameters = { new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint } },
            };
        using var reader = command.ExecuteReader();
        while (reader.Read()) each(reader.GetInt64(0), Vector((byte[])reader.GetValue(1), reader.GetString(2), dimension));
        return 0;
    });

    private void Migrate() => Guard(connection =>
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "SELECT pg_advisory_xact_lock($1)", MigrationLock);
        Execute(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {Schema}");
        Execute(connection, transaction, $"CREATE TABLE IF NOT EXISTS {Schema}.schema_version (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())");
        var version = Scalar<int?>(connection, transaction, $"SELECT MAX(version) FROM {Schema}.schema_version") ?? 0;
        if (version > SchemaVersion)
            throw new MarginFaceException($"{Path}: gallery has schema version {version}, newer than this program's {SchemaVersion}; use a newer marginface");
        for (int next = version + 1; next <= SchemaVersion; next++)
        {
            Execute(connection, transaction, Migrations[next - 1]);
            Execute(connection, transaction, $"INSERT INTO {Schema}.schema_version (version) VALUES ($1)", next);
        }
        transaction.Commit();
        return 0;
    });

    /// <summary>
    /// One write: a transaction under the writers' lock, a row in <c>changes</c> saying what it did (the person, or the range of
    /// embedding ids it added), commit; any failure rolls back. Rows more than <see cref="GalleryChanges.MaxReplayed"/> writes
    /// old are dropped (a reader that far behind re-reads the gallery).
    /// </summary>
    private T Write<T>(string kind, Func<NpgsqlConnection, NpgsqlTransaction, (T Result, long? Person, long? FirstId, long? LastId)> write) => Guard(connection =>
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SET LOCAL lock_timeout = {(long)lockTimeout.TotalMilliseconds}");
        Execute(connection, transaction, "LOCK TABLE marginface.changes IN EXCLUSIVE MODE");
        var (result, person, firstId, lastId) = write(connection, transaction);
        using (var log = new NpgsqlCommand("INSERT INTO marginface.changes (kind, person_id, first_id, last_id) VALUES ($1, $2, $3, $4) RETURNING seq", connection, transaction))
        {
            log.Parameters.Add(new NpgsqlParameter { Value = kind, NpgsqlDbType = NpgsqlDbType.Text });
            foreach (var value in new[] { person, firstId, lastId })
                log.Parameters.Add(new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            var seq = (long)log.ExecuteScalar()!;
            Execute(connection, transaction, "DELETE FROM marginface.changes WHERE seq <= $1", seq - GalleryChanges.MaxReplayed);
        }
        transaction.Commit();
        return result;
    });

    private NpgsqlConnection Connect() => Run(source.OpenConnection);

    private T Guard<T>(Func<NpgsqlConnection, T> action) => Run(() =>
    {
        using var connection = source.OpenConnection();
        return action(connection);
    });

    /// <summary>Runs <paramref name="action"/>, turning Npgsql's exceptions into one line that names the server (never the password).</summary>
    private T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (PostgresException e)
        {
            var what = e.SqlState switch
            {
                "3D000" => "the database does not exist",
                "28P01" or "28000" => $"the server refused the login ({e.MessageText})",
                "55P03" => "another process holds the gallery's write lock (gave up after the lock timeout)",
                "57P01" or "57P02" or "57P03" => $"the server is shutting down or restarting ({e.MessageText}); the write was rolled back",
                _ => $"PostgreSQL error {e.SqlState}: {e.MessageText}",
            };
            throw new MarginFaceException(Scrub($"{Path}: {what}"), e);
        }
        catch (NpgsqlException e)
        {
            var cause = e.InnerException is SocketException or IOException or EndOfStreamException or TimeoutException
                ? $"{e.Message} ({e.InnerException.Message})" : e.Message;
            throw new MarginFaceException(Scrub($"{Path}: cannot reach the PostgreSQL server, or lost it part way: {cause}; nothing of the call in progress was committed unless its commit had been sent (writes are safe to repeat: duplicates are skipped)"), e);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw new MarginFaceException(Scrub($"{Path}: a value of the wrong type in the gallery (edited or damaged): {e.Message}"), e);
        }
    }

    private string Scrub(string message)
    {
        message = message.ReplaceLineEndings(" ");
        return string.IsNullOrEmpty(password) ? message : message.Replace(password, "***", StringComparison.Ordinal);
    }

    private float[] Vector(byte[] blob, string name, int dimension) => GalleryVectors.Decode(Path, name, blob, dimension);

    private int ParseDimension(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= FaceGallery.MaxDimension
            ? value
            : throw new MarginFaceException($"{Path}: the gallery's dimension '{(text.Length > 40 ? text[..40] + "…" : text)}' is not a whole number from 1 to {FaceGallery.MaxDimension} (edited or damaged)");

    private static string? ReadMeta(NpgsqlConnection connection, NpgsqlTransaction? transaction, string key) =>
        Scalar<string?>(connection, transaction, "SELECT value FROM marginface.meta WHERE key = $1", key);

    private static void WriteMeta(NpgsqlConnection connection, NpgsqlTransaction transaction, string key, string value) =>
        Execute(connection, transaction, "INSERT INTO marginface.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", key, value);

    private static int Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object[] values)
    {
        using var command = Command(connection, transaction, sql, values);
        return command.ExecuteNonQuery();
    }

    private static T Scalar<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object[] values)
    {
        using var command = Command(connection, transaction, sql, values);
        var value = command.ExecuteScalar();
        if (value is null or DBNull) return default!;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    /// <summary>A connection string builder from a <c>postgres://</c> URI or a keyword string; a malformed one is a one-line error without the password.</summary>
    internal static NpgsqlConnectionStringBuilder Parse(string spec)
    {
        if (!spec.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !spec.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(spec);
            }
            catch (ArgumentException e)
            {
                throw new MarginFaceException($"PostgreSQL connection string not understood ({e.Message.ReplaceLineEndings(" ")})");
            }
        }
        if (!Uri.TryCreate(spec, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new MarginFaceException($"{Redact(spec)}: not a PostgreSQL URI (postgres://USER:PASSWORD@HOST:PORT/DATABASE)");
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw new MarginFaceException($"{Redact(spec)}: URI option '{key}' not understood ({e.Message.ReplaceLineEndings(" ")})");
            }
        }
        return builder;
    }

    /// <summary><c>postgres://USER@HOST:PORT/DB</c>: what messages print.</summary>
    internal static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"postgres://{(string.IsNullOrEmpty(builder.Username) ? "" : Uri.EscapeDataString(builder.Username) + "@")}{builder.Host}:{builder.Port}/{builder.Database}";

    /// <summary>A URI with any password replaced by <c>***</c>.</summary>
    internal static string Redact(string spec)
    {
        var at = spec.IndexOf('@');
        var scheme = spec.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme) return spec;
        var colon = spec.IndexOf(':', scheme + 3);
        return colon >= 0 && colon < at ? spec[..(colon + 1)] + "***" + spec[at..] : spec;
    }
}
