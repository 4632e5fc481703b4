using Parley.Abstractions.Model;

namespace Parley.Abstractions.Stores;

/// <summary>One draft's outcome in <see cref="ISequencingMessageStore.AppendSequencedAsync"/>.</summary>
/// <param name="Message">The stored message: the draft with its sequence number, or the original one for a duplicate.</param>
/// <param name="Duplicate">True when the sender had already stored a message with the draft's client message id.</param>
public readonly record struct SequencedAppend(ChatMessage Message, bool Duplicate);

/// <summary>
/// A message store shared by several writers (server nodes): it assigns sequence numbers itself, inside the
/// commit transaction, so they stay gap-free per conversation whoever writes. The engine uses this instead of its
/// in-memory numbering when the store implements it.
/// </summary>
public interface ISequencingMessageStore : IMessageStore
{
    /// <summary>
    /// Commits the drafts in one transaction (durable when the task completes). Each conversation's drafts get
    /// its next sequence numbers in list order (the drafts' own <see cref="ChatMessage.Seq"/> is ignored). A draft
    /// whose (sender, client message id) is already stored, by any writer, is not stored again: its result is the
    /// original message, marked duplicate. Results are in draft order. On failure nothing is committed.
    /// </summary>
    Task<IReadOnlyList<SequencedAppend>> AppendSequencedAsync(IReadOnlyList<ChatMessage> drafts, CancellationToken ct = default);
}
