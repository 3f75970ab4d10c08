using System.Globalization;
using Otklik.Core.Metrics;

namespace Otklik.Core.Bonus;

/// <summary>A metric a bonus component is tied to.</summary>
public enum BonusMetric
{
    /// <summary>Support index: new positive map reviews per customer served (<see cref="Metrics.SupportIndex"/>).</summary>
    SupportIndex,

    /// <summary>Green share of button presses, 0..1 (<see cref="ButtonPresses"/>).</summary>
    GreenShare,

    /// <summary>NPS of the employee's shifts, −100..100 (<see cref="Nps"/>).</summary>
    Nps,
}

/// <summary>One component of a bonus rule.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Weight">Relative weight (non-negative); the component's fund is base fund × weight / sum of weights.</param>
/// <param name="Threshold">Minimum value (inclusive) to earn this component; below it the component pays 0. Same scale as the metric.</param>
public sealed record BonusComponent(BonusMetric Metric, decimal Weight, double Threshold);

/// <summary>What the caller knows about one employee in the period. Counts only; metrics are computed here.</summary>
/// <param name="EmployeeId">Employee key.</param>
/// <param name="GreenPresses">Green presses during their shifts.</param>
/// <param name="RedPresses">Red presses during their shifts, already excluding presses tied to cases qualified as consumer terrorism.</param>
/// <param name="NewPositiveReviews">New positive map reviews attributed to them.</param>
/// <param name="CustomersServed">Customers served (receipts, or a manual count when there is no POS data).</param>
/// <param name="Promoters">NPS promoters from responses during their shifts.</param>
/// <param name="Passives">NPS passives from responses during their shifts.</param>
/// <param name="Detractors">NPS detractors from responses during their shifts.</param>
public sealed record EmployeePeriodCounts(
    string EmployeeId,
    long GreenPresses,
    long RedPresses,
    long NewPositiveReviews,
    long CustomersServed,
    int Promoters,
    int Passives,
    int Detractors);

/// <summary>One explainable line of a bonus statement.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Value">The employee's value, or <see langword="null"/> when there was no data.</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="Weight">The component's weight as written in the rule.</param>
/// <param name="ComponentFund">The part of the base fund for this component.</param>
/// <param name="EligibleEmployees">How many employees met the threshold and share the component fund.</param>
/// <param name="MetThreshold">True when the value is at or above the threshold.</param>
/// <param name="Amount">What this line pays (before the cap).</param>
/// <param name="Explanation">One-sentence explanation, invariant culture.</param>
public sealed record BonusLine(
    BonusMetric Metric,
    double? Value,
    double Threshold,
    decimal Weight,
    decimal ComponentFund,
    int EligibleEmployees,
    bool MetThreshold,
    decimal Amount,
    string Explanation);

/// <summary>One employee's bonus for the period.</summary>
/// <param name="EmployeeId">Employee key.</param>
/// <param name="Lines">One line per rule component, in rule order.</param>
/// <param name="Subtotal">Sum of line amounts.</param>
/// <param name="Cap">The per-employee cap, if any.</param>
/// <param name="Total">What is paid: the subtotal, limited by the cap.</param>
public sealed record BonusStatement(string EmployeeId, IReadOnlyList<BonusLine> Lines, decimal Subtotal, decimal? Cap, decimal Total)
{
    /// <summary>True when the cap cut the subtotal.</summary>
    public bool IsCapped => Total < Subtotal;
}

/// <summary>All statements for a period.</summary>
/// <param name="BaseFund">The fund that was split.</param>
/// <param name="Statements">One per employee, in input order.</param>
/// <param name="Allocated">Sum of totals paid.</param>
/// <param name="Unallocated">Fund left unpaid: components nobody earned, amounts cut by caps, rounding.</param>
public sealed record BonusCalculation(decimal BaseFund, IReadOnlyList<BonusStatement> Statements, decimal Allocated, decimal Unallocated);

/// <summary>
/// An organization's bonus rule: turns each employee's period metrics into a bonus.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Each component gets a fund: base fund × weight / sum of weights.</item>
/// <item>An employee earns a component when their metric is defined and at or above its threshold; otherwise the line pays 0.</item>
/// <item>A component's fund is split equally among the employees who earned it, rounded down to 0.01.</item>
/// <item>The employee's total is the sum of their lines, limited by the cap. What the cap cuts is not redistributed; it stays unallocated.</item>
/// </list>
/// Metrics come from the shared definitions: green share = green / (green + red), NPS from promoter/passive/detractor counts,
/// support index = new positive reviews / customers served. The caller removes red presses tied to
/// consumer-terrorism cases before passing counts in.
/// </remarks>
/// <param name="BaseFund">Fund for the period (non-negative).</param>
/// <param name="Components">Components, at most one per metric, with a positive total weight.</param>
/// <param name="CapPerEmployee">Maximum total per employee, or <see langword="null"/> for no cap.</param>
public sealed record BonusRule(decimal BaseFund, IReadOnlyList<BonusComponent> Components, decimal? CapPerEmployee = null)
{
    /// <summary>Computes every employee's statement.</summary>
    /// <param name="employees">Employees of the period, unique ids.</param>
    /// <exception cref="ArgumentException">The rule is invalid or employee ids repeat.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An employee count is negative.</exception>
    public BonusCalculation Calculate(IReadOnlyList<EmployeePeriodCounts> employees)
    {
        ArgumentNullException.ThrowIfNull(employees);
        Validate();
        if (employees.Select(e => e.EmployeeId).Distinct(StringComparer.Ordinal).Count() != employees.Count)
        {
            throw new ArgumentException("Employee ids must be unique.", nameof(employees));
        }

        var totalWeight = Components.Sum(c => c.Weight);
        var values = employees.Select(e => Components.Select(c => ValueOf(c.Metric, e)).ToArray()).ToArray();

        var lines = employees.Select(_ => new List<BonusLine>(Components.Count)).ToArray();
        for (var j = 0; j < Components.Count; j++)
        {
            var component = Components[j];
            var fund = BaseFund * component.Weight / totalWeight;
            var met = values.Select(v => v[j] is { } value && value >= component.Threshold).ToArray();
            var eligible = met.Count(m => m);
            var share = eligible == 0 ? 0m : Math.Floor(fund / eligible * 100m) / 100m;
            for (var i = 0; i < employees.Count; i++)
            {
                var amount = met[i] ? share : 0m;
                lines[i].Add(new BonusLine(
                    component.Metric, values[i][j], component.Threshold, component.Weight, fund, eligible, met[i], amount,
                    Explain(component, values[i][j], met[i], fund, eligible, amount)));
            }
        }

        var statements = new List<BonusStatement>(employees.Count);
        for (var i = 0; i < employees.Count; i++)
        {
            var subtotal = lines[i].Sum(l => l.Amount);
            var total = CapPerEmployee is { } cap ? Math.Min(subtotal, cap) : subtotal;
            statements.Add(new BonusStatement(employees[i].EmployeeId, lines[i], subtotal, CapPerEmployee, total));
        }

        var allocated = statements.Sum(s => s.Total);
        return new BonusCalculation(BaseFund, statements, allocated, BaseFund - allocated);
    }

    /// <summary>The metric value the rule uses for one employee, or <see langword="null"/> when undefined (no data).</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="employee">The employee's counts.</param>
    public static double? ValueOf(BonusMetric metric, EmployeePeriodCounts employee)
    {
        ArgumentNullException.ThrowIfNull(employee);
        return metric switch
        {
            BonusMetric.GreenShare => ButtonPresses.Compute(employee.GreenPresses, employee.RedPresses).GreenShare,
            BonusMetric.Nps => Nps.FromCounts(employee.Promoters, employee.Passives, employee.Detractors).Score,
            BonusMetric.SupportIndex => SupportIndex.Compute(employee.NewPositiveReviews, employee.CustomersServed).Index,
            _ => throw new ArgumentOutOfRangeException(nameof(metric)),
        };
    }

    private void Validate()
    {
        ArgumentNullException.ThrowIfNull(Components);
        if (BaseFund < 0)
        {
            throw new ArgumentException("Base fund must not be negative.");
        }

        if (CapPerEmployee is < 0)
        {
            throw new ArgumentException("Cap must not be negative.");
        }

        if (Components.Any(c => c is null || c.Weight < 0 || !Enum.IsDefined(c.Metric) || double.IsNaN(c.Threshold)))
        {
            throw new ArgumentException("Every component needs a known metric, a non-negative weight and a threshold.");
        }

        if (Components.Select(c => c.Metric).Distinct().Count() != Components.Count)
        {
            throw new ArgumentException("A metric may appear in only one component.");
        }

        if (Components.Sum(c => c.Weight) <= 0)
        {
            throw new ArgumentException("The total weight must be positive.");
        }
    }

    private static string Explain(BonusComponent component, double? value, bool met, decimal fund, int eligible, decimal amount)
    {
        var inv = CultureInfo.InvariantCulture;
        var name = component.Metric switch
        {
            BonusMetric.SupportIndex => "support index",
            BonusMetric.GreenShare => "green share",
            _ => "NPS",
        };
        if (value is null)
        {
            return string.Create(inv, $"{name}: no data, pays 0");
        }

        return met
            ? string.Create(inv, $"{name} {value:0.####} ≥ threshold {component.Threshold:0.####}: fund {fund:0.00} / {eligible} eligible = {amount:0.00}")
            : string.Create(inv, $"{name} {value:0.####} < threshold {component.Threshold:0.####}: pays 0");
    }
}
