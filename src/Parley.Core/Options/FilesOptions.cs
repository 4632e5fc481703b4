using System.ComponentModel.DataAnnotations;

namespace Parley.Core.Options;

/// <summary>Where upload bytes live.</summary>
public enum FileStorageProvider
{
    /// <summary>Content-addressed files under <see cref="FilesOptions.Directory"/> (default: the data directory's <c>files</c>).</summary>
    Local = 0,
    /// <summary>An S3-compatible bucket (AWS S3, MinIO …), see <see cref="FilesOptions.S3"/>.</summary>
    S3 = 1,
}

/// <summary><c>Parley:Files</c>: uploads, their limits and their storage.</summary>
public sealed class FilesOptions
{
    public FileStorageProvider Provider { get; set; } = FileStorageProvider.Local;

    /// <summary>Local provider: the blob directory. Empty = <c>{DataDirectory}/files</c>.</summary>
    public string? Directory { get; set; }

    [Range(1, long.MaxValue)] public long MaxImageBytes { get; set; } = 20L * 1024 * 1024;
    [Range(1, long.MaxValue)] public long MaxAudioBytes { get; set; } = 50L * 1024 * 1024;
    [Range(1, long.MaxValue)] public long MaxVideoBytes { get; set; } = 512L * 1024 * 1024;
    [Range(1, long.MaxValue)] public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;
    [Range(1, long.MaxValue)] public long MaxAvatarBytes { get; set; } = 5L * 1024 * 1024;

    /// <summary>An upload no message refers to and that is nobody's avatar is deleted this long after it was made.</summary>
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the orphan sweeper runs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    public FilesS3Options S3 { get; set; } = new();

    /// <summary>The size limit of an upload kind (<c>avatar</c> included); 0 for an unknown kind.</summary>
    public long LimitFor(string kind) => kind switch
    {
        "image" => MaxImageBytes,
        "audio" => MaxAudioBytes,
        "video" => MaxVideoBytes,
        "file" => MaxFileBytes,
        "avatar" => MaxAvatarBytes,
        _ => 0,
    };

    /// <summary>Checks what attributes cannot express; returns messages naming the settings.</summary>
    public IEnumerable<string> Problems()
    {
        if (!Enum.IsDefined(Provider)) yield return "Parley:Files:Provider must be Local or S3";
        if (OrphanAfter < TimeSpan.FromSeconds(1)) yield return "Parley:Files:OrphanAfter must be at least 1 second";
        if (SweepInterval < TimeSpan.FromMilliseconds(100)) yield return "Parley:Files:SweepInterval must be at least 100 ms";
        if (Provider != FileStorageProvider.S3) yield break;
        if (string.IsNullOrWhiteSpace(S3.Bucket)) yield return "Parley:Files:S3:Bucket is required when Parley:Files:Provider is S3";
        if (string.IsNullOrWhiteSpace(S3.ServiceUrl) && string.IsNullOrWhiteSpace(S3.Region))
            yield return "Parley:Files:S3:ServiceUrl or Parley:Files:S3:Region is required when Parley:Files:Provider is S3";
        if (!string.IsNullOrWhiteSpace(S3.ServiceUrl) && !Uri.TryCreate(S3.ServiceUrl, UriKind.Absolute, out _))
            yield return "Parley:Files:S3:ServiceUrl must be an absolute URL";
        if (string.IsNullOrEmpty(S3.AccessKey) != string.IsNullOrEmpty(S3.SecretKey))
            yield return "Parley:Files:S3:AccessKey and SecretKey go together (leave both empty for the AWS default credentials)";
        if (S3.PartSizeBytes is < 5L * 1024 * 1024 or > 512L * 1024 * 1024)
            yield return "Parley:Files:S3:PartSizeBytes must be between 5 MiB and 512 MiB";
        var largest = new[] { MaxImageBytes, MaxAudioBytes, MaxVideoBytes, MaxFileBytes, MaxAvatarBytes }.Max();
        if (largest > 5L * 1024 * 1024 * 1024) yield return "Parley:Files size limits must not exceed 5 GiB with the S3 provider (single-request copy)";
    }
}

/// <summary><c>Parley:Files:S3</c>: an S3-compatible bucket.</summary>
public sealed class FilesS3Options
{
    /// <summary>Endpoint of an S3-compatible service (MinIO: <c>http://127.0.0.1:9000</c>). Empty = AWS, by <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }
    public string? Region { get; set; }
    public string? Bucket { get; set; }
    /// <summary>Key prefix inside the bucket (e.g. <c>parley/</c>).</summary>
    public string Prefix { get; set; } = "";
    /// <summary>Static credentials; empty = the AWS SDK's default chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which MinIO and most S3-compatible servers want.</summary>
    public bool ForcePathStyle { get; set; }
    /// <summary>Multipart upload part size; also the memory one upload holds at a time.</summary>
    public long PartSizeBytes { get; set; } = 8L * 1024 * 1024;
    /// <summary>Create the bucket at start when it does not exist.</summary>
    public bool CreateBucket { get; set; }
}
