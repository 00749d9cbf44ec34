using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class CsvReaderTests
{
    private static string WriteCsv(TempDirectory dir, string text, string name = "data.csv")
    {
        string path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Reads_a_file_with_a_header_and_integer_labels()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "label,a,b,c\n2,0.5,1,-3e-1\n0,1.5,2,3\n1,0,0,0\n");

        var result = CsvReader.Read(path);

        Assert.Equal(3, result.Data.Count);
        Assert.Equal(3, result.Data.FeatureCount);
        Assert.Null(result.Data.Shape);
        Assert.Equal(new long[] { 2, 0, 1 }, result.Data.Labels.ToArray());
        Assert.Equal(new[] { 0.5f, 1f, -0.3f }, result.Data.Row(0).ToArray());
        Assert.Equal(new[] { "a", "b", "c" }, result.FeatureNames);
        Assert.Equal(new[] { "0", "1", "2" }, result.ClassNames);
    }

    [Fact]
    public void Detects_a_file_without_header()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "1,0.5,1\n0,1.5,2\n");

        var result = CsvReader.Read(path);

        Assert.Equal(2, result.Data.Count);
        Assert.Null(result.FeatureNames);
        Assert.Equal(new long[] { 1, 0 }, result.Data.Labels.ToArray());
    }

    [Fact]
    public void Detects_a_header_whose_only_text_is_the_label_name()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "class,1,2\n1,0.5,1\n0,1.5,2\n");

        var result = CsvReader.Read(path);

        Assert.Equal(2, result.Data.Count);
        Assert.Equal(new[] { "1", "2" }, result.FeatureNames);
    }

    [Fact]
    public void A_numeric_header_can_be_declared()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "0,1,2\n1,0.5,1\n0,1.5,2\n");

        Assert.Equal(3, CsvReader.Read(path).Data.Count);
        Assert.Equal(2, CsvReader.Read(path, new CsvReadOptions { HasHeader = true }).Data.Count);
    }

    [Fact]
    public void String_labels_map_to_classes_in_sorted_order()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "x,y,species\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n7,8,setosa\n");

        var result = CsvReader.Read(path, new CsvReadOptions { LabelColumnName = "Species" });

        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, result.ClassNames);
        Assert.Equal(new long[] { 2, 0, 1, 0 }, result.Data.Labels.ToArray());
        Assert.Equal(3, result.Data.ClassCount);
        Assert.Equal(new[] { "x", "y" }, result.FeatureNames);
        Assert.Equal(new[] { 3f, 4f }, result.Data.Row(1).ToArray());
    }

    [Fact]
    public void Label_column_can_be_chosen_by_index_from_the_end()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "0.5,1,cat\n1.5,2,dog\n");

        var result = CsvReader.Read(path, new CsvReadOptions { LabelColumnIndex = -1 });

        Assert.Equal(new[] { "cat", "dog" }, result.ClassNames);
        Assert.Equal(new long[] { 0, 1 }, result.Data.Labels.ToArray());
        Assert.Equal(new[] { 0.5f, 1f }, result.Data.Row(0).ToArray());
    }

    [Fact]
    public void Negative_integer_labels_are_mapped_in_numeric_order()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "1,0.5\n-1,1.5\n10,2\n");

        var result = CsvReader.Read(path);

        Assert.Equal(new[] { "-1", "1", "10" }, result.ClassNames);
        Assert.Equal(new long[] { 1, 0, 2 }, result.Data.Labels.ToArray());
    }

    [Fact]
    public void Separator_quotes_blank_lines_and_image_shape_are_supported()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "\"label\";\"p 1\";p2;p3;p4\n\n\"a \"\"b\"\"\"; 0.1 ;\"0.2\";0.3;0.4\r\nc;1;2;3;4\n\n");

        var result = CsvReader.Read(path, new CsvReadOptions { Separator = ';', Shape = new ImageShape(1, 2, 2) });

        Assert.Equal(new[] { "a \"b\"", "c" }, result.ClassNames);
        Assert.Equal(new[] { "p 1", "p2", "p3", "p4" }, result.FeatureNames);
        Assert.Equal(new ImageShape(1, 2, 2), result.Data.Shape);
        Assert.Equal(new[] { 0.1f, 0.2f, 0.3f, 0.4f }, result.Data.Row(0).ToArray());
    }

    [Fact]
    public void Ragged_row_is_reported_with_file_and_line()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "label,a,b\n1,2,3\n\n0,1\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 4", e.Message); // blank lines still count
        Assert.Contains("2 columns", e.Message);
    }

    [Fact]
    public void Non_numeric_feature_is_reported_with_file_line_and_column()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "label,a,b\n1,2,3\n0,1,abc\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("column 3 ('b')", e.Message);
        Assert.Contains("'abc' is not a number", e.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e999")]
    public void Non_finite_feature_is_reported(string value)
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, $"1,2,3\n0,{value},1\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 2, column 2", e.Message);
        Assert.Contains("finite", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n\n")]
    public void Empty_file_is_reported(string text)
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, text);

        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Header_without_rows_is_reported()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "label,a,b\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("no data rows", e.Message);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        using var dir = new TempDirectory();
        string path = dir.File("missing.csv");

        var e = Assert.Throws<FileNotFoundException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Unknown_label_column_lists_the_columns()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "label,a\n1,2\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvReadOptions { LabelColumnName = "target" }));
        Assert.Contains(path, e.Message);
        Assert.Contains("'target'", e.Message);
        Assert.Contains("'label', 'a'", e.Message);
    }

    [Fact]
    public void Empty_label_and_unclosed_quote_are_reported()
    {
        using var dir = new TempDirectory();
        string emptyLabel = WriteCsv(dir, "1,2\n,3\n", "empty-label.csv");
        string unclosed = WriteCsv(dir, "1,2\n0,\"3\n", "unclosed.csv");

        var e1 = Assert.Throws<InvalidDataException>(() => CsvReader.Read(emptyLabel));
        Assert.Contains(emptyLabel, e1.Message);
        Assert.Contains("line 2", e1.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => CsvReader.Read(unclosed));
        Assert.Contains(unclosed, e2.Message);
        Assert.Contains("line 2", e2.Message);
    }

    [Fact]
    public void Shape_that_does_not_match_the_columns_is_reported()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "1,2,3\n");

        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvReadOptions { Shape = new ImageShape(1, 28, 28) }));
        Assert.Contains(path, e.Message);
        Assert.Contains("784", e.Message);
    }

    [Fact]
    public void A_declared_class_count_widens_integer_labels_and_refuses_labels_outside_it()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "label,a\n0,1\n1,2\n0,3\n7,4\n");

        var wide = CsvReader.Read(path, new CsvReadOptions { ClassCount = 10 });
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvReadOptions { ClassCount = 3 }));

        Assert.Equal(10, wide.Data.ClassCount);
        Assert.Equal(10, wide.ClassNames.Count);
        Assert.Contains("line 5, column 1 ('label'): label '7' is outside 0..2, the 3 declared classes", e.Message);
    }

    [Fact]
    public void A_declared_class_count_smaller_than_the_distinct_text_labels_is_refused()
    {
        using var dir = new TempDirectory();
        string path = WriteCsv(dir, "cat,1\ndog,2\nemu,3\n", "animals.csv");

        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvReadOptions { ClassCount = 2 }));

        Assert.Contains("3 distinct labels ('cat', 'dog', 'emu') but 2 classes are declared", e.Message);
    }

    [Fact]
    public void A_folder_given_as_the_file_is_reported_as_a_folder()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<FileNotFoundException>(() => CsvReader.Read(dir.Path));

        Assert.Contains("is a folder, not a file", e.Message);
    }
}
