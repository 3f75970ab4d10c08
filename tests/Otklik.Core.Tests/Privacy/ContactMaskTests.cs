using CsCheck;
using Otklik.Core.Privacy;

namespace Otklik.Core.Tests.Privacy;

public class ContactMaskTests
{
    [Theory]
    [InlineData("+7 912 345 67 12", "+7 9•• ••• •• 12")]
    [InlineData("+7 (900) 123-45-67", "+7 (9••) •••-••-67")]
    [InlineData("89123456712", "89•••••••12")]
    [InlineData("12345", "•••45")]
    [InlineData("", "")]
    public void Phone_KeepsTheFirstTwoAndLastTwoDigits_AndTheFormatting(string phone, string expected) =>
        Assert.Equal(expected, ContactMask.Phone(phone));

    [Theory]
    [InlineData("olga.petrova@example.com", "o•••@e•••.com")]
    [InlineData("a@b.ru", "a•••@b•••.ru")]
    [InlineData("x@localhost", "x•••@l•••")]
    [InlineData("not-an-address", "n•••")]
    [InlineData("", "")]
    public void Email_KeepsTheFirstLettersAndTheTopLevelDomain(string email, string expected) =>
        Assert.Equal(expected, ContactMask.Email(email));

    [Fact]
    public void Phone_OfAnyNumber_HidesAllButFourDigits_AndKeepsItsLength() =>
        Gen.String[Gen.Char["0123456789 +-()"], 5, 20].Sample(phone =>
        {
            var masked = ContactMask.Phone(phone);
            var digits = phone.Count(char.IsAsciiDigit);
            return masked.Length == phone.Length
                && masked.Count(char.IsAsciiDigit) == Math.Min(digits, digits > 6 ? 4 : 2)
                && masked.Zip(phone).All(p => p.First == p.Second || (p.First == ContactMask.Hidden && char.IsAsciiDigit(p.Second)));
        });

    [Fact]
    public void Email_ShowsOnlyTheFirstCharactersAndTheTopLevelDomain_WhateverTheirLength() =>
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 30], Gen.String[Gen.Char.AlphaNumeric, 1, 30], Gen.String[Gen.Char.AlphaNumeric, 2, 6])
            .Sample((name, host, tld) =>
            {
                return ContactMask.Email($"{name}@{host}.{tld}") == $"{name[0]}•••@{host[0]}•••.{tld}";
            });
}
