using ChatBots.Engine.Conversations;
using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;

namespace ChatBots.Storage.Tests;

/// <summary>
/// What every implementation of the engine's store contracts must do, written only against the interfaces so a
/// second implementation (PostgreSQL) runs the same suite by deriving from this class.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2Start = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    private static readonly ConversationKey TelegramGroup = new(Platform.Telegram, "-100123");
    private static readonly ConversationKey TelegramTopic = new(Platform.Telegram, "-100123", "45");
    private static readonly ConversationKey DiscordChannel = new(Platform.Discord, "777");

    private readonly List<StoreUnderTest> _opened = [];

    // A failure guard only: generous for a loaded 2-core machine, but a hung store still fails the test.
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    protected CancellationToken Ct => _timeout.Token;

    /// <summary>
    /// Opens the store at this test's own location: the first call creates it, later calls (after the previous
    /// store was disposed) reopen the same data.
    /// </summary>
    protected abstract Task<StoreUnderTest> OpenStoreCoreAsync(CancellationToken cancellationToken);

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (StoreUnderTest store in _opened)
        {
            await store.DisposeAsync();
        }

        _timeout.Dispose();
    }

    // ---- Conversations ----

    [Fact]
    public async Task LoadAsync_UnknownConversation_ReturnsEmptySnapshot()
    {
        StoreUnderTest store = await OpenStoreAsync();

        ConversationSnapshot snapshot = await store.Conversations.LoadAsync(TelegramGroup, Ct);

        Assert.Null(snapshot.Summary);
        Assert.Empty(snapshot.Turns);
        Assert.Equal(0, await store.Conversations.CountConversationsAsync(Ct));
    }

    [Fact]
    public async Task AppendTurnsAsync_SeveralBatches_LoadReturnsEveryFieldInSequenceOrder()
    {
        StoreUnderTest store = await OpenStoreAsync();
        StoredTurn[] turns =
        [
            UserTurn(1, "hello"),
            AssistantTurn(2, "hi, how can I help?"),
            new StoredTurn(3, TurnRole.User, "telegram:43", null, "second user, no name", 9, "cl100k_base", Day1.AddMinutes(2)),
            AssistantTurn(4, "answer"),
        ];

        await store.Conversations.AppendTurnsAsync(TelegramGroup, turns[..2], Ct);
        await store.Conversations.AppendTurnsAsync(TelegramGroup, [turns[2]], Ct);
        await store.Conversations.AppendTurnsAsync(TelegramGroup, [turns[3]], Ct);

        ConversationSnapshot snapshot = await store.Conversations.LoadAsync(TelegramGroup, Ct);
        Assert.Null(snapshot.Summary);
        Assert.Equal(turns, snapshot.Turns);
    }

    [Fact]
    public async Task AppendTurnsAsync_StoreClosedAndReopened_TurnsSurvive()
    {
        StoreUnderTest store = await OpenStoreAsync();
        // The source message id is what recognises a replayed message after the restart.
        StoredTurn[] turns = [UserTurn(1, "remember me") with { SourceMessageId = "1001" }, AssistantTurn(2, "I will")];
        await store.Conversations.AppendTurnsAsync(TelegramGroup, turns, Ct);
        await store.DisposeAsync();

        StoreUnderTest reopened = await OpenStoreAsync();

        Assert.Equal(turns, (await reopened.Conversations.LoadAsync(TelegramGroup, Ct)).Turns);
        Assert.Equal(1, await reopened.Conversations.CountConversationsAsync(Ct));
    }

    [Fact]
    public async Task AppendTurnsAsync_BatchRepeatingAStoredSequence_FailsAndStoresNoneOfTheBatch()
    {
        StoreUnderTest store = await OpenStoreAsync();
        StoredTurn[] stored = [UserTurn(1, "one"), AssistantTurn(2, "two")];
        await store.Conversations.AppendTurnsAsync(TelegramGroup, stored, Ct);

        // Turn 3 is new, turn 2 clashes: the batch is one transaction, so turn 3 must not land either.
        await Assert.ThrowsAnyAsync<Exception>(
            () => store.Conversations.AppendTurnsAsync(TelegramGroup, [UserTurn(3, "three"), AssistantTurn(2, "clash")], Ct));

        Assert.Equal(stored, (await store.Conversations.LoadAsync(TelegramGroup, Ct)).Turns);
    }

    [Fact]
    public async Task ApplySummaryAsync_ThroughSequence_RemovesExactlyTheFoldedTurns()
    {
        StoreUnderTest store = await OpenStoreAsync();
        StoredTurn[] turns = [.. Enumerable.Range(1, 6).Select(i => i % 2 == 1 ? UserTurn(i, $"q{i}") : AssistantTurn(i, $"a{i}"))];
        await store.Conversations.AppendTurnsAsync(TelegramGroup, turns, Ct);
        var summary = new ConversationSummary("They asked q1 and q3.", 42, "o200k_base", ThroughSequence: 3);

        await store.Conversations.ApplySummaryAsync(TelegramGroup, summary, Ct);

        ConversationSnapshot snapshot = await store.Conversations.LoadAsync(TelegramGroup, Ct);
        Assert.Equal(summary, snapshot.Summary);
        Assert.Equal(turns[3..], snapshot.Turns);
    }

    [Fact]
    public async Task ApplySummaryAsync_StoreReopened_SummaryAndRemainingTurnsSurvive()
    {
        StoreUnderTest store = await OpenStoreAsync();
        StoredTurn[] turns = [UserTurn(1, "one"), AssistantTurn(2, "two"), UserTurn(3, "three")];
        await store.Conversations.AppendTurnsAsync(TelegramGroup, turns, Ct);
        var summary = new ConversationSummary("one, two", 11, "o200k_base", ThroughSequence: 2);
        await store.Conversations.ApplySummaryAsync(TelegramGroup, summary, Ct);
        await store.DisposeAsync();

        StoreUnderTest reopened = await OpenStoreAsync();

        ConversationSnapshot snapshot = await reopened.Conversations.LoadAsync(TelegramGroup, Ct);
        Assert.Equal(summary, snapshot.Summary);
        Assert.Equal([turns[2]], snapshot.Turns);
    }

    [Fact]
    public async Task ApplySummaryAsync_SecondSummary_ReplacesTheFirstAndFoldsFurther()
    {
        StoreUnderTest store = await OpenStoreAsync();
        StoredTurn[] turns = [UserTurn(1, "one"), AssistantTurn(2, "two"), UserTurn(3, "three"), AssistantTurn(4, "four")];
        await store.Conversations.AppendTurnsAsync(TelegramGroup, turns, Ct);
        await store.Conversations.ApplySummaryAsync(TelegramGroup, new ConversationSummary("first", 5, "o200k_base", 1), Ct);
        var second = new ConversationSummary("first and more", 8, "o200k_base", 3);

        await store.Conversations.ApplySummaryAsync(TelegramGroup, second, Ct);

        ConversationSnapshot snapshot = await store.Conversations.LoadAsync(TelegramGroup, Ct);
        Assert.Equal(second, snapshot.Summary);
        Assert.Equal([turns[3]], snapshot.Turns);
    }

    [Fact]
    public async Task ResetAsync_ConversationWithSummaryAndTurns_ForgetsBothAndOnlyThatConversation()
    {
        StoreUnderTest store = await OpenStoreAsync();
        await store.Conversations.AppendTurnsAsync(TelegramGroup, [UserTurn(1, "a"), AssistantTurn(2, "b"), UserTurn(3, "c")], Ct);
        await store.Conversations.ApplySummaryAsync(TelegramGroup, new ConversationSummary("a, b", 4, "o200k_base", 2), Ct);
        StoredTurn[] other = [UserTurn(1, "elsewhere")];
        await store.Conversations.AppendTurnsAsync(DiscordChannel, other, Ct);

        await store.Conversations.ResetAsync(TelegramGroup, Ct);

        ConversationSnapshot reset = await store.Conversations.LoadAsync(TelegramGroup, Ct);
        Assert.Null(reset.Summary);
        Assert.Empty(reset.Turns);
        Assert.Equal(other, (await store.Conversations.LoadAsync(DiscordChannel, Ct)).Turns);
        Assert.Equal(1, await store.Conversations.CountConversationsAsync(Ct));
    }

    [Fact]
    public async Task ResetAsync_ThenAppend_StartsAFreshHistory()
    {
        StoreUnderTest store = await OpenStoreAsync();
        await store.Conversations.AppendTurnsAsync(TelegramGroup, [UserTurn(1, "old"), AssistantTurn(2, "old reply")], Ct);
        await store.Conversations.ResetAsync(TelegramGroup, Ct);
        StoredTurn[] fresh = [UserTurn(3, "new")];

        await store.Conversations.AppendTurnsAsync(TelegramGroup, fresh, Ct);

        Assert.Equal(fresh, (await store.Conversations.LoadAsync(TelegramGroup, Ct)).Turns);
    }

    [Fact]
    public async Task AppendTurnsAsync_ChatItsThreadAndOtherPlatform_KeepSeparateHistories()
    {
        StoreUnderTest store = await OpenStoreAsync();
        var discordSameId = new ConversationKey(Platform.Discord, "-100123");
        StoredTurn[] chat = [UserTurn(1, "in the group"), AssistantTurn(2, "group reply")];
        StoredTurn[] topic = [UserTurn(1, "in the topic")];
        StoredTurn[] discord = [UserTurn(1, "same id, other platform"), AssistantTurn(2, "discord reply"), UserTurn(3, "more")];

        await store.Conversations.AppendTurnsAsync(TelegramGroup, chat, Ct);
        await store.Conversations.AppendTurnsAsync(TelegramTopic, topic, Ct);
        await store.Conversations.AppendTurnsAsync(discordSameId, discord, Ct);
        await store.Conversations.ApplySummaryAsync(TelegramTopic, new ConversationSummary("topic so far", 3, "o200k_base", 0), Ct);

        Assert.Equal(chat, (await store.Conversations.LoadAsync(TelegramGroup, Ct)).Turns);
        Assert.Null((await store.Conversations.LoadAsync(TelegramGroup, Ct)).Summary);
        Assert.Equal(topic, (await store.Conversations.LoadAsync(TelegramTopic, Ct)).Turns);
        Assert.Equal("topic so far", (await store.Conversations.LoadAsync(TelegramTopic, Ct)).Summary?.Text);
        Assert.Equal(discord, (await store.Conversations.LoadAsync(discordSameId, Ct)).Turns);
        Assert.Equal(3, await store.Conversations.CountConversationsAsync(Ct));

        await store.Conversations.ResetAsync(TelegramGroup, Ct);
        Assert.Equal(topic, (await store.Conversations.LoadAsync(TelegramTopic, Ct)).Turns);
    }

    [Fact]
    public async Task CountConversationsAsync_TurnsSummaryOnlyAndReset_CountsOnlyConversationsWithHistory()
    {
        StoreUnderTest store = await OpenStoreAsync();
        await store.Conversations.AppendTurnsAsync(TelegramGroup, [UserTurn(1, "turns only")], Ct);
        await store.Conversations.AppendTurnsAsync(TelegramTopic, [UserTurn(1, "a"), AssistantTurn(2, "b")], Ct);
        // Every turn folded: the summary alone is history.
        await store.Conversations.ApplySummaryAsync(TelegramTopic, new ConversationSummary("a, b", 3, "o200k_base", 2), Ct);
        await store.Conversations.AppendTurnsAsync(DiscordChannel, [UserTurn(1, "gone soon")], Ct);
        await store.Conversations.ResetAsync(DiscordChannel, Ct);

        Assert.Equal(2, await store.Conversations.CountConversationsAsync(Ct));
        Assert.Empty((await store.Conversations.LoadAsync(TelegramTopic, Ct)).Turns);
    }

    [Fact]
    public async Task AppendTurnsAsync_TwentyConversationsInParallel_EveryTurnAndLedgerEntryLands()
    {
        StoreUnderTest store = await OpenStoreAsync();
        const int Conversations = 20;
        const int Messages = 10;
        ConversationKey[] keys = [.. Enumerable.Range(0, Conversations).Select(i => new ConversationKey(Platform.Telegram, $"chat{i}"))];

        // Like the engine: each conversation's lane is sequential, the lanes run at once.
        await Task.WhenAll(keys.Select(key => Task.Run(
            async () =>
            {
                for (int n = 1; n <= Messages; n++)
                {
                    await store.Conversations.LoadAsync(key, Ct);
                    await store.Conversations.AppendTurnsAsync(key, [UserTurn(2 * n - 1, $"{key} q{n}"), AssistantTurn(2 * n, $"{key} a{n}")], Ct);
                    await store.Ledger.AppendAsync(Entry(Day1.AddSeconds(n), key, "telegram:1", "gpt-4.1-mini", cost: n), Ct);
                    await store.KeyValues.SetAsync($"last:{key}", n.ToString(System.Globalization.CultureInfo.InvariantCulture), Ct);
                }
            },
            Ct)));

        foreach (ConversationKey key in keys)
        {
            IReadOnlyList<StoredTurn> turns = (await store.Conversations.LoadAsync(key, Ct)).Turns;
            Assert.Equal(Enumerable.Range(1, 2 * Messages).Select(i => (long)i), turns.Select(t => t.Sequence));
            Assert.Equal($"{key} a{Messages}", turns[^1].Text);
            Assert.Equal("10", await store.KeyValues.GetAsync($"last:{key}", Ct));
        }

        Assert.Equal(Conversations, await store.Conversations.CountConversationsAsync(Ct));
        UsageTotals totals = await store.Ledger.SumAsync(new LedgerFilter(), Ct);
        Assert.Equal(Conversations * Messages, totals.Calls);
        Assert.Equal(new MicroUsd(Conversations * (Messages * (Messages + 1) / 2)), totals.Cost);
    }

    [Fact]
    public async Task Store_ChineseAndEmoji_RoundTripExactly()
    {
        StoreUnderTest store = await OpenStoreAsync();
        var key = new ConversationKey(Platform.Discord, "频道", "话题😀");
        const string Text = "你好，世界！👋🏽 我们用 𝕏 和 e\u0301 测试 — 👨‍👩‍👧‍👦";
        StoredTurn[] turns =
        [
            new StoredTurn(1, TurnRole.User, "discord:用户", "王小明 🐉", Text, 30, "o200k_base", Day1),
            new StoredTurn(2, TurnRole.Assistant, null, null, "收到 ✅ " + Text, 33, "o200k_base", Day1.AddSeconds(1)),
        ];
        var summary = new ConversationSummary("总结：🐉 在问问题", 12, "o200k_base", 1);

        await store.Conversations.AppendTurnsAsync(key, turns, Ct);
        await store.Conversations.ApplySummaryAsync(key, summary, Ct);
        await store.KeyValues.SetAsync("转录:🎙️:1", Text, Ct);
        await store.KeyValues.SetAsync("转录:🎙️:2", "二", Ct);
        await store.Ledger.AppendAsync(Entry(Day1, key, "discord:用户", "模型-😀", cost: 5), Ct);
        await store.DisposeAsync();
        StoreUnderTest reopened = await OpenStoreAsync();

        ConversationSnapshot snapshot = await reopened.Conversations.LoadAsync(key, Ct);
        Assert.Equal(summary, snapshot.Summary);
        Assert.Equal([turns[1]], snapshot.Turns);
        Assert.Equal(Text, await reopened.KeyValues.GetAsync("转录:🎙️:1", Ct));
        Assert.Equal(["转录:🎙️:1", "转录:🎙️:2"], (await reopened.KeyValues.ListAsync("转录:🎙️", Ct)).Select(e => e.Key));
        Assert.Equal(1, (await reopened.Ledger.SumAsync(new LedgerFilter(UserId: "discord:用户", Conversation: key), Ct)).Calls);
        UsageRow row = Assert.Single(await reopened.Ledger.GroupAsync(UsageGrouping.Model, new LedgerFilter(), Ct));
        Assert.Equal("模型-😀", row.Group);
        Assert.Equal(key.ToString(), Assert.Single(await reopened.Ledger.GroupAsync(UsageGrouping.Conversation, new LedgerFilter(), Ct)).Group);
    }

    // ---- Conversation settings ----

    [Fact]
    public async Task LoadAsync_NothingSet_CarriesDefaultSettings()
    {
        StoreUnderTest store = await OpenStoreAsync();

        Assert.Equal(ConversationSettings.Default, (await store.Conversations.LoadAsync(TelegramGroup, Ct)).Settings);
    }

    [Fact]
    public async Task SetSettingsAsync_ConversationWithHistory_LoadReturnsThemAndTheHistoryStays()
    {
        StoreUnderTest store = await OpenStoreAsync();
        StoredTurn[] turns = [UserTurn(1, "hello"), AssistantTurn(2, "hi")];
        await store.Conversations.AppendTurnsAsync(TelegramGroup, turns, Ct);
        var summary = new ConversationSummary("earlier", 5, "o200k_base", 0);
        await store.Conversations.ApplySummaryAsync(TelegramGroup, summary, Ct);
        var settings = new ConversationSettings(ContextTokenCap: 8_000, CostFooter: true);

        await store.Conversations.SetSettingsAsync(TelegramGroup, settings, Ct);

        ConversationSnapshot snapshot = await store.Conversations.LoadAsync(TelegramGroup, Ct);
        Assert.Equal(settings, snapshot.Settings);
        Assert.Equal(summary, snapshot.Summary);
        Assert.Equal(turns, snapshot.Turns);
    }

    [Fact]
    public async Task SetSettingsAsync_OneFieldSet_TheOtherStaysDefault()
    {
        StoreUnderTest store = await OpenStoreAsync();

        await store.Conversations.SetSettingsAsync(TelegramGroup, new ConversationSettings(CostFooter: false), Ct);

        ConversationSettings settings = (await store.Conversations.LoadAsync(TelegramGroup, Ct)).Settings;
        Assert.Null(settings.ContextTokenCap);
        Assert.False(settings.CostFooter);
    }

    [Fact]
    public async Task SetSettingsAsync_OnlySettings_DoNotCountAsHistoryAndLoadIsOtherwiseEmpty()
    {
        StoreUnderTest store = await OpenStoreAsync();

        await store.Conversations.SetSettingsAsync(TelegramGroup, new ConversationSettings(ContextTokenCap: 4_000), Ct);

        ConversationSnapshot snapshot = await store.Conversations.LoadAsync(TelegramGroup, Ct);
        Assert.Null(snapshot.Summary);
        Assert.Empty(snapshot.Turns);
        Assert.Equal(4_000, snapshot.Settings.ContextTokenCap);
        Assert.Equal(0, await store.Conversations.CountConversationsAsync(Ct));
    }

    [Fact]
    public async Task SetSettingsAsync_TopicChatAndOtherPlatform_KeepSeparateSettings()
    {
        StoreUnderTest store = await OpenStoreAsync();

        await store.Conversations.SetSettingsAsync(TelegramTopic, new ConversationSettings(ContextTokenCap: 4_000), Ct);
        await store.Conversations.SetSettingsAsync(DiscordChannel, new ConversationSettings(CostFooter: true), Ct);

        Assert.Equal(ConversationSettings.Default, (await store.Conversations.LoadAsync(TelegramGroup, Ct)).Settings);
        Assert.Equal(new ConversationSettings(ContextTokenCap: 4_000), (await store.Conversations.LoadAsync(TelegramTopic, Ct)).Settings);
        Assert.Equal(new ConversationSettings(CostFooter: true), (await store.Conversations.LoadAsync(DiscordChannel, Ct)).Settings);
    }

    [Fact]
    public async Task ResetAsync_ConversationWithSettings_ForgetsHistoryButKeepsSettings()
    {
        StoreUnderTest store = await OpenStoreAsync();
        await store.Conversations.AppendTurnsAsync(TelegramGroup, [UserTurn(1, "a"), AssistantTurn(2, "b"), UserTurn(3, "c")], Ct);
        await store.Conversations.ApplySummaryAsync(TelegramGroup, new ConversationSummary("a, b", 4, "o200k_base", 2), Ct);
        var settings = new ConversationSettings(ContextTokenCap: 8_000, CostFooter: true);
        await store.Conversations.SetSettingsAsync(TelegramGroup, settings, Ct);

        await store.Conversations.ResetAsync(TelegramGroup, Ct);

        ConversationSnapshot snapshot = await store.Conversations.LoadAsync(TelegramGroup, Ct);
        Assert.Null(snapshot.Summary);
        Assert.Empty(snapshot.Turns);
        Assert.Equal(settings, snapshot.Settings);
        Assert.Equal(0, await store.Conversations.CountConversationsAsync(Ct));
    }

    [Fact]
    public async Task SetSettingsAsync_BackToDefault_ClearsThemAndKeepsTheHistory()
    {
        StoreUnderTest store = await OpenStoreAsync();
        StoredTurn[] turns = [UserTurn(1, "hello")];
        await store.Conversations.AppendTurnsAsync(TelegramGroup, turns, Ct);
        await store.Conversations.SetSettingsAsync(TelegramGroup, new ConversationSettings(ContextTokenCap: 8_000), Ct);
        await store.Conversations.SetSettingsAsync(DiscordChannel, new ConversationSettings(CostFooter: true), Ct);

        await store.Conversations.SetSettingsAsync(TelegramGroup, ConversationSettings.Default, Ct);
        await store.Conversations.SetSettingsAsync(DiscordChannel, ConversationSettings.Default, Ct);

        Assert.Equal(ConversationSettings.Default, (await store.Conversations.LoadAsync(TelegramGroup, Ct)).Settings);
        Assert.Equal(ConversationSettings.Default, (await store.Conversations.LoadAsync(DiscordChannel, Ct)).Settings);
        Assert.Equal(turns, (await store.Conversations.LoadAsync(TelegramGroup, Ct)).Turns);
        Assert.Equal(1, await store.Conversations.CountConversationsAsync(Ct));
    }

    [Fact]
    public async Task SetSettingsAsync_StoreClosedAndReopened_SettingsSurviveAlsoAfterAReset()
    {
        StoreUnderTest store = await OpenStoreAsync();
        await store.Conversations.AppendTurnsAsync(TelegramGroup, [UserTurn(1, "hello")], Ct);
        var group = new ConversationSettings(ContextTokenCap: 8_000, CostFooter: true);
        var topic = new ConversationSettings(CostFooter: false);
        await store.Conversations.SetSettingsAsync(TelegramGroup, group, Ct);
        await store.Conversations.SetSettingsAsync(TelegramTopic, topic, Ct);
        await store.Conversations.ResetAsync(TelegramGroup, Ct);
        await store.DisposeAsync();

        StoreUnderTest reopened = await OpenStoreAsync();

        Assert.Equal(group, (await reopened.Conversations.LoadAsync(TelegramGroup, Ct)).Settings);
        Assert.Equal(topic, (await reopened.Conversations.LoadAsync(TelegramTopic, Ct)).Settings);
        Assert.Empty((await reopened.Conversations.LoadAsync(TelegramGroup, Ct)).Turns);
    }

    // ---- Ledger ----

    [Fact]
    public async Task SumAsync_EmptyLedger_ReturnsZeroTotals()
    {
        StoreUnderTest store = await OpenStoreAsync();

        Assert.Equal(UsageTotals.None, await store.Ledger.SumAsync(new LedgerFilter(), Ct));
        Assert.Empty(await store.Ledger.GroupAsync(UsageGrouping.Day, new LedgerFilter(), Ct));
    }

    [Fact]
    public async Task SumAsync_NoFilter_TotalsAreExactlyTheSumOfEveryEntry()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();

        UsageTotals totals = await store.Ledger.SumAsync(new LedgerFilter(), Ct);

        Assert.Equal(Expected(LedgerEntries), totals);
        Assert.Equal(new MicroUsd(1_234 + 999_999 + 1 + 123_456_789_012 + 3), totals.Cost);
        Assert.Equal(5, totals.Calls);
        Assert.Equal(1000 + 5000 + 10 + 0 + 7, totals.InputTokens);
        Assert.Equal(203, totals.CachedInputTokens);
        Assert.Equal(357, totals.OutputTokens);
        Assert.Equal(12.5m, totals.AudioSeconds);
    }

    [Fact]
    public async Task SumAsync_FromFilter_IncludesAnEntryExactlyAtFrom()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();

        UsageTotals totals = await store.Ledger.SumAsync(new LedgerFilter(From: Day2Start), Ct);

        Assert.Equal(Expected(LedgerEntries.Where(e => e.At >= Day2Start)), totals);
        Assert.Equal(3, totals.Calls);
    }

    [Fact]
    public async Task SumAsync_ToFilter_ExcludesAnEntryExactlyAtTo()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();

        UsageTotals totals = await store.Ledger.SumAsync(new LedgerFilter(To: Day2Start), Ct);

        Assert.Equal(Expected(LedgerEntries.Where(e => e.At < Day2Start)), totals);
        Assert.Equal(new MicroUsd(1_234 + 999_999), totals.Cost);
    }

    [Fact]
    public async Task SumAsync_FromAndTo_SumsTheHalfOpenRange()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();
        DateTimeOffset to = Day2Start.AddHours(12);

        UsageTotals totals = await store.Ledger.SumAsync(new LedgerFilter(From: Day1, To: to), Ct);

        Assert.Equal(Expected(LedgerEntries.Where(e => e.At >= Day1 && e.At < to)), totals);
        Assert.Equal(3, totals.Calls);
    }

    [Fact]
    public async Task SumAsync_UserIdFilter_SumsOnlyThatUsersCalls()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();

        UsageTotals totals = await store.Ledger.SumAsync(new LedgerFilter(UserId: "telegram:42"), Ct);

        Assert.Equal(Expected(LedgerEntries.Where(e => e.UserId == "telegram:42")), totals);
        Assert.Equal(new MicroUsd(1_234 + 999_999), totals.Cost);
    }

    [Fact]
    public async Task SumAsync_ConversationFilter_ExcludesThreadsOfThatChat()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();

        UsageTotals group = await store.Ledger.SumAsync(new LedgerFilter(Conversation: TelegramGroup), Ct);
        UsageTotals topic = await store.Ledger.SumAsync(new LedgerFilter(Conversation: TelegramTopic), Ct);

        Assert.Equal(Expected(LedgerEntries.Where(e => e.Conversation == TelegramGroup)), group);
        Assert.Equal(new MicroUsd(1_234 + 123_456_789_012), group.Cost);
        Assert.Equal(Expected(LedgerEntries.Where(e => e.Conversation == TelegramTopic)), topic);
    }

    [Fact]
    public async Task SumAsync_AllFiltersTogether_AppliesEveryOne()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();
        var filter = new LedgerFilter(From: Day2Start, To: Day2Start.AddDays(1), UserId: "discord:9", Conversation: DiscordChannel);

        UsageTotals totals = await store.Ledger.SumAsync(filter, Ct);

        Assert.Equal(new MicroUsd(1 + 3), totals.Cost);
        Assert.Equal(2, totals.Calls);
        Assert.Equal(UsageTotals.None, await store.Ledger.SumAsync(filter with { UserId = "telegram:42" }, Ct));
    }

    [Fact]
    public async Task SumAsync_EstimatedEntries_CountsEstimatedCalls()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();

        Assert.Equal(2, (await store.Ledger.SumAsync(new LedgerFilter(), Ct)).EstimatedCalls);
        Assert.Equal(1, (await store.Ledger.SumAsync(new LedgerFilter(Conversation: DiscordChannel), Ct)).EstimatedCalls);
        Assert.Equal(0, (await store.Ledger.SumAsync(new LedgerFilter(Conversation: TelegramGroup), Ct)).EstimatedCalls);
    }

    [Theory]
    [InlineData(UsageGrouping.Day, "2026-11-27|2026-11-28")]
    [InlineData(UsageGrouping.Model, "gpt-4.1|gpt-4.1-mini|whisper-1")]
    [InlineData(UsageGrouping.Platform, "discord|telegram")]
    [InlineData(UsageGrouping.Conversation, "discord:777|telegram:-100123|telegram:-100123/45")]
    public async Task GroupAsync_Grouping_ReturnsTotalsPerGroupOrderedByGroup(UsageGrouping grouping, string expectedGroups)
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();
        Func<LedgerEntry, string> groupOf = grouping switch
        {
            UsageGrouping.Day => e => e.At.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            UsageGrouping.Model => e => e.Model,
            UsageGrouping.Platform => e => e.Conversation.Platform.ToString().ToLowerInvariant(),
            _ => e => e.Conversation.ToString(),
        };

        IReadOnlyList<UsageRow> rows = await store.Ledger.GroupAsync(grouping, new LedgerFilter(), Ct);

        Assert.Equal(expectedGroups.Split('|'), rows.Select(r => r.Group));
        foreach (UsageRow row in rows)
        {
            Assert.Equal(Expected(LedgerEntries.Where(e => groupOf(e) == row.Group)), row.Totals);
        }
    }

    [Fact]
    public async Task GroupAsync_ByDayWithUserFilter_GroupsOnlyMatchingEntries()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();

        IReadOnlyList<UsageRow> rows = await store.Ledger.GroupAsync(UsageGrouping.Day, new LedgerFilter(UserId: "discord:9"), Ct);

        UsageRow row = Assert.Single(rows);
        Assert.Equal("2026-11-28", row.Group);
        Assert.Equal(new MicroUsd(1 + 3), row.Totals.Cost);
        Assert.Equal(1, row.Totals.EstimatedCalls);
    }

    [Fact]
    public async Task AppendAsync_StoreReopened_LedgerSurvives()
    {
        StoreUnderTest store = await OpenStoreWithLedgerAsync();
        await store.DisposeAsync();

        StoreUnderTest reopened = await OpenStoreAsync();

        Assert.Equal(Expected(LedgerEntries), await reopened.Ledger.SumAsync(new LedgerFilter(), Ct));
    }

    // ---- Key-value ----

    [Fact]
    public async Task KeyValues_SetGetOverwriteDelete_BehaveLikeADictionary()
    {
        StoreUnderTest store = await OpenStoreAsync();
        IKeyValueStore kv = store.KeyValues;

        Assert.Null(await kv.GetAsync("telegram:offset", Ct));
        await kv.SetAsync("telegram:offset", "100", Ct);
        Assert.Equal("100", await kv.GetAsync("telegram:offset", Ct));
        await kv.SetAsync("telegram:offset", "101", Ct);
        Assert.Equal("101", await kv.GetAsync("telegram:offset", Ct));
        await kv.SetAsync("empty", "", Ct);
        Assert.Equal("", await kv.GetAsync("empty", Ct));

        Assert.True(await kv.DeleteAsync("telegram:offset", Ct));
        Assert.False(await kv.DeleteAsync("telegram:offset", Ct));
        Assert.Null(await kv.GetAsync("telegram:offset", Ct));
    }

    [Fact]
    public async Task TryAddAsync_ExistingKey_ReturnsFalseAndKeepsTheFirstValue()
    {
        StoreUnderTest store = await OpenStoreAsync();
        IKeyValueStore kv = store.KeyValues;

        Assert.True(await kv.TryAddAsync("telegram:done:7", "first", Ct));
        Assert.False(await kv.TryAddAsync("telegram:done:7", "second", Ct));

        Assert.Equal("first", await kv.GetAsync("telegram:done:7", Ct));
        Assert.True(await kv.DeleteAsync("telegram:done:7", Ct));
        Assert.True(await kv.TryAddAsync("telegram:done:7", "again", Ct));
    }

    [Fact]
    public async Task ListAsync_Prefix_ReturnsOnlyMatchingKeysOrderedByKey()
    {
        StoreUnderTest store = await OpenStoreAsync();
        IKeyValueStore kv = store.KeyValues;
        foreach (string key in new[] { "telegram:pending:3", "discord:session", "telegram:pending:1", "telegram:offset", "telegram:pending:2", "telegram:pending" })
        {
            await kv.SetAsync(key, "v-" + key, Ct);
        }

        IReadOnlyList<KeyValuePair<string, string>> pending = await kv.ListAsync("telegram:pending", Ct);

        Assert.Equal(["telegram:pending", "telegram:pending:1", "telegram:pending:2", "telegram:pending:3"], pending.Select(e => e.Key));
        Assert.Equal("v-telegram:pending:2", pending[2].Value);
        Assert.Equal(6, (await kv.ListAsync("", Ct)).Count);
        Assert.Equal(["discord:session", "telegram:offset", "telegram:pending"], (await kv.ListAsync("", Ct)).Select(e => e.Key).Take(3));
        Assert.Empty(await kv.ListAsync("telegram:pending:4", Ct));
    }

    [Fact]
    public async Task ListAsync_PrefixWithPercentAndUnderscore_MatchesThemLiterally()
    {
        StoreUnderTest store = await OpenStoreAsync();
        IKeyValueStore kv = store.KeyValues;
        foreach (string key in new[] { "a%b:1", "a%b:2", "axb:1", "a_b:1", "acb:1", "A_B:1", "a%%b:1", "a_bc" })
        {
            await kv.SetAsync(key, key, Ct);
        }

        Assert.Equal(["a%b:1", "a%b:2"], (await kv.ListAsync("a%b:", Ct)).Select(e => e.Key));
        Assert.Equal(["a_b:1"], (await kv.ListAsync("a_b:", Ct)).Select(e => e.Key));
        Assert.Equal(["a_b:1", "a_bc"], (await kv.ListAsync("a_b", Ct)).Select(e => e.Key));
        Assert.Empty(await kv.ListAsync("%", Ct));
        Assert.Empty(await kv.ListAsync("_", Ct));
    }

    [Fact]
    public async Task ListAsync_PrefixEndingInFourByteCharacter_MatchesOnlyThatCharacter()
    {
        StoreUnderTest store = await OpenStoreAsync();
        IKeyValueStore kv = store.KeyValues;
        foreach (string key in new[] { "😀", "😀a", "😀😀", "😁", "😀\u007f", "\u007f" })
        {
            await kv.SetAsync(key, "x", Ct);
        }

        Assert.Equal(["😀", "😀a", "😀\u007f", "😀😀"], (await kv.ListAsync("😀", Ct)).Select(e => e.Key));
        Assert.Equal(["\u007f"], (await kv.ListAsync("\u007f", Ct)).Select(e => e.Key));
    }

    [Fact]
    public async Task KeyValues_StoreReopened_ValuesSurvive()
    {
        StoreUnderTest store = await OpenStoreAsync();
        await store.KeyValues.SetAsync("discord:session", "{\"id\":\"abc\",\"seq\":42}", Ct);
        await store.KeyValues.TryAddAsync("telegram:done:1", "1", Ct);
        await store.DisposeAsync();

        StoreUnderTest reopened = await OpenStoreAsync();

        Assert.Equal("{\"id\":\"abc\",\"seq\":42}", await reopened.KeyValues.GetAsync("discord:session", Ct));
        Assert.False(await reopened.KeyValues.TryAddAsync("telegram:done:1", "2", Ct));
    }

    // ---- Helpers ----

    /// <summary>Opens the store and remembers it so the test's end closes it even when an assertion fails.</summary>
    protected async Task<StoreUnderTest> OpenStoreAsync()
    {
        StoreUnderTest store = await OpenStoreCoreAsync(Ct);
        _opened.Add(store);
        return store;
    }

    private static LedgerEntry[] LedgerEntries { get; } =
    [
        Entry(Day1, TelegramGroup, "telegram:42", "gpt-4.1-mini", cost: 1_234, input: 1000, cached: 200, output: 50),
        Entry(Day2Start.AddMilliseconds(-1), TelegramTopic, "telegram:42", "gpt-4.1", cost: 999_999, input: 5000, output: 300, kind: LedgerKind.Summary, estimated: true),
        Entry(Day2Start, DiscordChannel, "discord:9", "gpt-4.1-mini", cost: 1, input: 10, output: 5),
        Entry(Day2Start.AddHours(12), TelegramGroup, "telegram:7", "whisper-1", cost: 123_456_789_012, kind: LedgerKind.Transcription, audioSeconds: 12.5m),
        Entry(Day2Start.AddDays(1).AddMilliseconds(-1), DiscordChannel, "discord:9", "gpt-4.1", cost: 3, input: 7, cached: 3, output: 2, estimated: true),
    ];

    private async Task<StoreUnderTest> OpenStoreWithLedgerAsync()
    {
        StoreUnderTest store = await OpenStoreAsync();
        foreach (LedgerEntry entry in LedgerEntries)
        {
            await store.Ledger.AppendAsync(entry, Ct);
        }

        return store;
    }

    private static UsageTotals Expected(IEnumerable<LedgerEntry> entries)
    {
        LedgerEntry[] list = [.. entries];
        return new UsageTotals(
            list.Length,
            list.Sum(e => e.InputTokens),
            list.Sum(e => e.CachedInputTokens),
            list.Sum(e => e.OutputTokens),
            list.Sum(e => e.AudioSeconds),
            new MicroUsd(list.Sum(e => e.Cost.Value)),
            list.Count(e => e.Estimated));
    }

    private static LedgerEntry Entry(
        DateTimeOffset at,
        ConversationKey conversation,
        string userId,
        string model,
        long cost,
        long input = 0,
        long cached = 0,
        long output = 0,
        LedgerKind kind = LedgerKind.Chat,
        decimal audioSeconds = 0m,
        bool estimated = false) =>
        new(at, conversation, userId, model, kind, input, cached, output, audioSeconds, new MicroUsd(cost), estimated, "2026-11-28");

    private static StoredTurn UserTurn(long sequence, string text) =>
        new(sequence, TurnRole.User, "telegram:42", "Ann", text, text.Length + 4, "o200k_base", Day1.AddSeconds(sequence));

    private static StoredTurn AssistantTurn(long sequence, string text) =>
        new(sequence, TurnRole.Assistant, null, null, text, text.Length + 3, "o200k_base", Day1.AddSeconds(sequence).AddMilliseconds(250));
}
