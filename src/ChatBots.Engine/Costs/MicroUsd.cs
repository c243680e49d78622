using System.Globalization;

namespace ChatBots.Engine.Costs;

/// <summary>
/// An amount of money in millionths of a US dollar. Stored as an integer so sums are exact;
/// computed from <see cref="decimal"/> prices and rounded up once, so costs are never under-counted.
/// </summary>
public readonly record struct MicroUsd(long Value) : IComparable<MicroUsd>
{
    public static MicroUsd Zero => default;

    public decimal Dollars => Value / 1_000_000m;

    public static MicroUsd FromDollars(decimal dollars) => new((long)decimal.Ceiling(dollars * 1_000_000m));

    public static MicroUsd operator +(MicroUsd a, MicroUsd b) => new(checked(a.Value + b.Value));

    public static MicroUsd operator -(MicroUsd a, MicroUsd b) => new(checked(a.Value - b.Value));

    public static bool operator <(MicroUsd a, MicroUsd b) => a.Value < b.Value;

    public static bool operator >(MicroUsd a, MicroUsd b) => a.Value > b.Value;

    public static bool operator <=(MicroUsd a, MicroUsd b) => a.Value <= b.Value;

    public static bool operator >=(MicroUsd a, MicroUsd b) => a.Value >= b.Value;

    public int CompareTo(MicroUsd other) => Value.CompareTo(other.Value);

    /// <summary>Dollars with enough digits to show sub-cent costs: <c>$0.000123</c>.</summary>
    public override string ToString() => Dollars.ToString(Value % 10_000 == 0 ? "$0.00##" : "$0.######", CultureInfo.InvariantCulture);
}
