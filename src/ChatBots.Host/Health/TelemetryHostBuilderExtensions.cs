using ChatBots.Engine.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace ChatBots.Host.Health;

internal static class TelemetryHostBuilderExtensions
{
    /// <summary>
    /// Exports the <c>ChatBots</c> meter over OTLP when <c>OpenTelemetry:OtlpEndpoint</c> is set; otherwise the counters
    /// still exist for <c>dotnet-counters</c> and in-process listeners. Microsoft.Extensions.AI's meter is not exported:
    /// nothing wraps the chat client in <c>UseOpenTelemetry()</c>, and the engine's own instruments already count tokens,
    /// cost and model latency per call.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetryExport(this IHostApplicationBuilder builder)
    {
        string? endpoint = builder.Configuration["OpenTelemetry:OtlpEndpoint"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return builder;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri))
        {
            throw new FormatException("OpenTelemetry:OtlpEndpoint must be an absolute URL such as http://localhost:4317.");
        }

        builder.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EngineMetrics.MeterName)
            .AddOtlpExporter(o => o.Endpoint = uri));
        return builder;
    }
}
