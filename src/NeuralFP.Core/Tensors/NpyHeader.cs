using System.Globalization;
using System.Text;

namespace NeuralFP.Core.Tensors;

/// <summary>
/// The parsed header dictionary of a .npy file, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.
/// Parsed by hand (a tiny subset of Python literals) rather than evaluated, so a hostile header can do nothing but fail.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    public static NpyHeader Parse(string text)
    {
        var reader = new Reader(text);
        string? descr = null;
        bool? fortranOrder = null;
        long[]? shape = null;

        reader.SkipWhitespace();
        reader.Expect('{');
        while (true)
        {
            reader.SkipWhitespace();
            if (reader.TryConsume('}')) break;

            string key = reader.ReadString();
            reader.SkipWhitespace();
            reader.Expect(':');
            reader.SkipWhitespace();
            switch (key)
            {
                case "descr" when descr is null:
                    if (reader.Peek() == '[')
                        throw new NpyFormatException(
                            $"The .npy file holds a structured array (a list of fields as 'descr'); NeuralFP reads plain numeric arrays: {NpyDtype.Accepted}.");
                    descr = reader.ReadString();
                    break;
                case "fortran_order" when fortranOrder is null:
                    fortranOrder = reader.ReadBoolean();
                    break;
                case "shape" when shape is null:
                    shape = reader.ReadShape();
                    break;
                case "descr" or "fortran_order" or "shape":
                    throw reader.Error($"key '{key}' appears twice");
                default:
                    throw reader.Error($"unexpected key '{key}' (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
            }

            reader.SkipWhitespace();
            if (reader.TryConsume(',')) continue;
            reader.Expect('}');
            break;
        }

        reader.SkipWhitespace();
        if (!reader.AtEnd)
            throw reader.Error("unexpected text after the closing '}'");

        var missing = new List<string>();
        if (descr is null) missing.Add("'descr'");
        if (fortranOrder is null) missing.Add("'fortran_order'");
        if (shape is null) missing.Add("'shape'");
        if (missing.Count > 0)
            throw new NpyFormatException($"The .npy header lacks {string.Join(", ", missing)}: {Quote(text)}.");

        return new NpyHeader(descr!, fortranOrder!.Value, shape!);
    }

    /// <summary>Python's repr of the shape tuple: <c>()</c>, <c>(3,)</c>, <c>(3, 4)</c>.</summary>
    public static string FormatShape(IReadOnlyList<long> shape) => shape.Count switch
    {
        0 => "()",
        1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
        _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
    };

    public string Format() =>
        $"{{'descr': '{Descr}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': {FormatShape(Shape)}, }}";

    private static string Quote(string text)
    {
        string trimmed = text.TrimEnd();
        return trimmed.Length <= 200 ? $"\"{trimmed}\"" : $"\"{trimmed[..200]}…\"";
    }

    private sealed class Reader(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public char Peek() => AtEnd ? '\0' : text[_position];

        public void SkipWhitespace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_position])) _position++;
        }

        public bool TryConsume(char c)
        {
            if (Peek() != c) return false;
            _position++;
            return true;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c))
                throw Error(AtEnd ? $"expected '{c}' but the header ended" : $"expected '{c}' but found '{Peek()}'");
        }

        public string ReadString()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"'))
                throw Error("expected a quoted string");
            _position++;
            var value = new StringBuilder();
            while (true)
            {
                if (AtEnd) throw Error("unterminated string");
                char c = text[_position++];
                if (c == quote) return value.ToString();
                if (c == '\\') throw Error("escape sequences are not expected in a .npy header");
                value.Append(c);
            }
        }

        public bool ReadBoolean()
        {
            if (Matches("True")) return true;
            if (Matches("False")) return false;
            throw Error("'fortran_order' must be True or False");
        }

        public long[] ReadShape()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipWhitespace();
                if (TryConsume(')')) break;
                dims.Add(ReadDimension());
                SkipWhitespace();
                if (TryConsume(',')) continue;
                Expect(')');
                break;
            }
            return [.. dims];
        }

        private long ReadDimension()
        {
            int start = _position;
            if (Peek() == '-') _position++;
            while (!AtEnd && char.IsAsciiDigit(text[_position])) _position++;
            string digits = text[start.._position];
            TryConsume('L'); // Python 2 wrote long integers as 3L.
            if (digits is "" or "-")
                throw Error("'shape' must be a tuple of integers");
            if (digits[0] == '-')
                throw new NpyFormatException($"The .npy header has a negative dimension ({digits}) in its shape; dimensions must be ≥ 0.");
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                throw Error($"dimension {digits} is too large");
            return value;
        }

        private bool Matches(string word)
        {
            if (string.CompareOrdinal(text, _position, word, 0, word.Length) != 0) return false;
            _position += word.Length;
            return true;
        }

        public NpyFormatException Error(string problem) =>
            new($"The .npy header is malformed: {problem} at character {_position}. Header: {Quote(text)}. Write it with numpy.save.");
    }
}
