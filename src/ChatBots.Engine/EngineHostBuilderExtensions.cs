using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Models;
using ChatBots.Engine.Options;
using ChatBots.Engine.Processing;
using ChatBots.Engine.Tokens;
using ChatBots.Engine.Voice;
using ChatBots.Engine.Window;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBots.Engine;

public static class EngineHostBuilderExtensions
{
    /// <summary>
    /// Registers the conversation engine and its options (<c>Engine</c>, <c>Budgets</c>, <c>Access</c>, <c>Models</c>,
    /// and the model names under <c>OpenAI</c>). The host also registers the stores, an <see cref="IChatClientFactory"/> and an <see cref="ITranscriber"/>.
    /// </summary>
    public static IHostApplicationBuilder AddConversationEngine(this IHostApplicationBuilder builder)
    {
        builder.Services.AddConversationEngine();
        return builder;
    }

    /// <summary>The same registrations on a bare service collection (tests, the console, benchmarks).</summary>
    public static IServiceCollection AddConversationEngine(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<EngineOptions>().BindConfiguration(EngineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BudgetOptions>().BindConfiguration(BudgetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section);
        services.AddOptions<ModelSelectionOptions>().BindConfiguration(ModelSelectionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ModelCatalogueOptions>().BindConfiguration(ModelCatalogueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelCatalogueOptions>, ModelCatalogueOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<EngineMetrics>();
        services.TryAddSingleton<TokenCounter>();
        services.TryAddSingleton<ModelCatalogue>();
        services.TryAddSingleton<PromptFactory>();
        services.TryAddSingleton<ModelCaller>();
        services.TryAddSingleton<LedgerRecorder>();
        services.TryAddSingleton<Summarizer>();
        services.TryAddSingleton<BudgetGuard>();
        services.AddOptions<VoiceOptions>().BindConfiguration(VoiceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<VoicePipeline>();
        services.TryAddSingleton<ConversationEngine>();
        services.TryAddSingleton<IConversationEngine>(sp => sp.GetRequiredService<ConversationEngine>());
        services.AddHostedService(sp => sp.GetRequiredService<ConversationEngine>());
        return services;
    }
}
