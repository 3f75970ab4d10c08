namespace Otklik.Web.Data;

/// <summary>Column and input lengths, shared by the schema and the API validation.</summary>
public static class Limits
{
    public const int Name = 200;
    public const int Slug = 80;
    public const int Text = 500;
    public const int Url = 1000;
    public const int Email = 256;
    public const int Phone = 32;
    /// <summary>Free text a customer writes (feedback) or a consent text.</summary>
    public const int LongText = 2000;
}
