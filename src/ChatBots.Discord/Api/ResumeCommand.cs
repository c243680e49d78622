namespace ChatBots.Discord.Api;

/// <summary>Op 6: continues a session on <c>resume_gateway_url</c>.</summary>
internal sealed record ResumeCommand(ResumeData D)
{
    public int Op => 6;
}
