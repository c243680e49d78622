namespace ChatBots.Testing.OpenAI;

/// <summary>A message as the fake received it; array content is flattened to its text parts.</summary>
public sealed record RecordedChatMessage(string Role, string? Name, string Content);
