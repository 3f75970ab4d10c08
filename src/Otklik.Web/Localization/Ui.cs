namespace Otklik.Web.Localization;

/// <summary>
/// Marker for the UI texts. Keys are the English texts themselves; <c>Ui.ru.resx</c> holds the Russian ones.
/// A test checks that every key used in a component has its Russian translation.
/// </summary>
public sealed class Ui;
