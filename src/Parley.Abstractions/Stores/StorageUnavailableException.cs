namespace Parley.Abstractions.Stores;

/// <summary>
/// Storage cannot be reached or did not answer in time (a network store that is down or restarting). The request
/// was not carried out; it may be retried once storage is back. Front ends report it as "unavailable" (HTTP 503,
/// reply error <see cref="ErrorCodes.StorageFailed"/>).
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception with a message safe to show to clients.</summary>
    public StorageUnavailableException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>Creates the exception with a default message.</summary>
    public StorageUnavailableException() : base("storage is unavailable") { }

    /// <summary>Creates the exception with a message safe to show to clients.</summary>
    public StorageUnavailableException(string message) : base(message) { }
}
