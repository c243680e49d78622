using ChatBots.Engine.Conversations;

namespace ChatBots.Engine.Processing;

/// <summary>A queued message and where its replies go.</summary>
internal sealed record WorkItem(IncomingMessage Message, IReplySink Sink);
