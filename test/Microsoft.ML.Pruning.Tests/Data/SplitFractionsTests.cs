using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class SplitFractionsTests
{
    [Theory]
    [InlineData("0.7,0.1,0.2", 0.7, 0.1, 0.2)]
    [InlineData(" 0.8 , 0 , 0.2 ", 0.8, 0, 0.2)]
    [InlineData("1,0,0", 1, 0, 0)]
    public void Parses_three_fractions(string text, double train, double validation, double test)
    {
        Assert.Equal(new SplitFractions(train, validation, test), SplitFractions.Parse(text));
    }

    [Theory]
    [InlineData("0.7,0.3", "2 part(s)")]
    [InlineData("0.7,0.1,x", "'x' is not a number")]
    [InlineData("0.7,0.1,0.1", "sum to")]
    [InlineData("0.7,-0.1,0.4", "negative")]
    [InlineData("0,0.5,0.5", "training fraction")]
    [InlineData("0,7;0,1;0,2", "part(s)")]
    public void Rejects_bad_text_naming_it(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => SplitFractions.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains("0.7,0.1,0.2", e.Message);
    }

    [Fact]
    public void Default_split_of_ten_thousand_rows_is_7000_1000_2000_in_file_order()
    {
        var data = new InMemoryDataset(Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray(), new long[10_000], 1);

        var split = DataSource.SplitByIndex(data, "0.7,0.1,0.2");

        Assert.Equal((7000, 1000, 2000), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal(0f, split.Train.Row(0)[0]);
        Assert.Equal(7000f, split.Validation.Row(0)[0]);
        Assert.Equal(8000f, split.Test.Row(0)[0]);
        Assert.Equal(9999f, split.Test.Row(1999)[0]);
    }

    [Fact]
    public void Split_helper_reports_bad_text()
    {
        var data = new InMemoryDataset(new float[10], new long[10], 1);

        Assert.Throws<FormatException>(() => DataSource.SplitByIndex(data, "0.7;0.1;0.2"));
    }

    [Fact]
    public void Invalid_fractions_constructed_in_code_are_rejected_when_applied()
    {
        var data = new InMemoryDataset(new float[10], new long[10], 1);

        Assert.Throws<ArgumentException>(() => new SplitFractions(0.5, 0.5, 0.5).Apply(data));
    }

    [Fact]
    public void Prints_in_the_form_it_parses()
    {
        Assert.Equal("0.7,0.1,0.2", SplitFractions.Default.ToString());
        Assert.Equal(SplitFractions.Default, SplitFractions.Parse(SplitFractions.Default.ToString()));
    }
}
