using System.Text.RegularExpressions;

namespace ChatBots.Testing.Discord;

/// <summary>A canned REST answer, served instead of the default for the next matching requests.</summary>
internal sealed class ScriptedResponse(string method, Regex path, int status, string body, IReadOnlyDictionary<string, string> headers, int times)
{
    public string Method { get; } = method;

    public Regex Path { get; } = path;

    public int Status { get; } = status;

    public string Body { get; } = body;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public int Remaining { get; set; } = times;
}
