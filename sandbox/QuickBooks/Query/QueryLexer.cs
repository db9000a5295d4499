using System.Globalization;
using System.Text;

namespace OrleansSync.Sandbox.QuickBooks.Query;

internal enum TokenKind
{
    /// <summary>A keyword, an entity or a property name: letters, digits and underscores, not starting with a digit.</summary>
    Word,
    Number,
    String,
    /// <summary>One of <c>* ( ) , . = &lt; &gt; &lt;= &gt;=</c>, or <c>!=</c> / <c>&lt;&gt;</c>, which are read only to be refused clearly.</summary>
    Symbol,
    End,
}

/// <param name="Text">The word or symbol as written; a string's content with its escapes undone; a number as written.</param>
internal sealed record QueryToken(TokenKind Kind, string Text, int Line, int Column)
{
    public bool IsWord(string word) => Kind == TokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    public string Where => $"line {Line}, column {Column}";

    /// <summary>The token as an error message quotes it.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the query",
        TokenKind.String => $"the string '{Text}'",
        TokenKind.Number => $"the number {Text}",
        _ => $"\"{Text}\"",
    };
}

/// <summary>Splits query text into tokens. Strings are single-quoted; inside them <c>\'</c> is a quote and <c>\\</c> a backslash.</summary>
internal static class QueryLexer
{
    public static IReadOnlyList<QueryToken> Tokenize(string text)
    {
        var tokens = new List<QueryToken>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
                i++;

            var (line, column) = Position(text, i);
            if (i == text.Length)
            {
                tokens.Add(new QueryToken(TokenKind.End, "", line, column));
                return tokens;
            }

            var c = text[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    i++;
                tokens.Add(new QueryToken(TokenKind.Word, text[start..i], line, column));
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i;
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                    i++;
                if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                        i++;
                }

                tokens.Add(new QueryToken(TokenKind.Number, text[start..i], line, column));
            }
            else if (c == '\'')
            {
                tokens.Add(new QueryToken(TokenKind.String, ReadString(text, ref i, line, column), line, column));
            }
            else if (TwoCharacterSymbol(text, i) is { } pair)
            {
                tokens.Add(new QueryToken(TokenKind.Symbol, pair, line, column));
                i += 2;
            }
            else if (c is '*' or '(' or ')' or ',' or '.' or '=' or '<' or '>')
            {
                tokens.Add(new QueryToken(TokenKind.Symbol, c.ToString(), line, column));
                i++;
            }
            else
            {
                var hint = c switch
                {
                    '"' => " Strings are written in single quotes, e.g. DisplayName = 'Ada Lovelace'.",
                    ';' => " A query is a single statement and does not end with a semicolon.",
                    '-' => " A minus sign must be followed by the digits of a number.",
                    _ => "",
                };
                throw QuickBooksQueryException.Parsing(
                    $"Unexpected character '{c}' (U+{(int)c:X4}) at line {line}, column {column}.{hint}");
            }
        }
    }

    /// <summary>Line and column (both from 1) of a character, as error messages give them.</summary>
    private static (int Line, int Column) Position(string text, int offset)
    {
        var before = text.AsSpan(0, offset);
        return (1 + before.Count('\n'), offset - (before.LastIndexOf('\n') + 1) + 1);
    }

    private static string? TwoCharacterSymbol(string text, int i)
    {
        if (i + 1 >= text.Length)
            return null;
        var pair = text.Substring(i, 2);
        return pair is "<=" or ">=" or "!=" or "<>" ? pair : null;
    }

    // Escapes: \' is a quote and \\ a backslash (what our client writes). A backslash before any other character is
    // kept as it is, so that 'C:\Temp' from a client that escapes only quotes still means what it says.
    private static string ReadString(string text, ref int i, int line, int column)
    {
        var value = new StringBuilder();
        i++;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '\'' or '\\')
            {
                value.Append(text[i + 1]);
                i += 2;
            }
            else if (c == '\'')
            {
                i++;
                return value.ToString();
            }
            else
            {
                value.Append(c);
                i++;
            }
        }

        throw QuickBooksQueryException.Parsing(
            $"The string that starts at line {line}, column {column} is never closed: expected a ' before the end of the query. "
            + "Write a quote inside a string as \\' and a backslash as \\\\.");
    }

    public static decimal? ParseNumber(string literal)
        => decimal.TryParse(literal, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
