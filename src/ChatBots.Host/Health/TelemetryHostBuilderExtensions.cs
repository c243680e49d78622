using ChatBots.Engine.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace ChatBots.Host.Health;

internal static class TelemetryHostBuilderExtensions
{
    /// <summary>
    /// Exports the <c>ChatBots</c> meter (and Microsoft.Extensions.AI's) over OTLP when <c>OpenTelemetry:OtlpEndpoint</c>
    /// is set; otherwise the counters still exist for <c>dotnet-counters</c> and in-process listeners.
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
            .AddMeter(EngineMetrics.MeterName, "Experimental.Microsoft.Extensions.AI")
            .AddOtlpExporter(o => o.Endpoint = uri));
        return builder;
    }
}
