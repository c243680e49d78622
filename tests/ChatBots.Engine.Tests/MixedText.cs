using System.Text;

namespace ChatBots.Engine.Tests;

/// <summary>Deterministic random text mixing Chinese, English and emoji, the way our users write.</summary>
internal static class MixedText
{
    private const string Chinese = "你好今天天气很好我们去公园散步吧人工智能正在改变世界请记住我最喜欢的颜色是蓝绿色明天见谢谢朋友学习中文很有意思";
    private static readonly string[] English = ["hello", "token", "window", "budget", "summary", "the", "model", "answer", "remember", "colour", "teal", "tomorrow", "code", "price"];
    private static readonly string[] Emoji = ["😀", "🚀", "👍🏽", "🇨🇳", "❤️", "🤖"];

    public static string Next(Random random, int minChars, int maxChars)
    {
        int target = random.Next(minChars, maxChars + 1);
        var text = new StringBuilder(target + 16);
        while (text.Length < target)
        {
            switch (random.Next(3))
            {
                case 0:
                    int n = random.Next(2, 12);
                    for (int i = 0; i < n; i++)
                    {
                        text.Append(Chinese[random.Next(Chinese.Length)]);
                    }

                    text.Append('，');
                    break;
                case 1:
                    text.Append(English[random.Next(English.Length)]).Append(' ');
                    break;
                default:
                    text.Append(Emoji[random.Next(Emoji.Length)]);
                    break;
            }
        }

        return text.ToString();
    }
}
