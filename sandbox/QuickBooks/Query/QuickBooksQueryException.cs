namespace OrleansSync.Sandbox.QuickBooks.Query;

/// <summary>
/// A query QuickBooks refuses, with the fields of the Fault it answers with (HTTP 400, type ValidationFault):
/// 4000 "Error parsing query" when the text is not in the language, 4001 "Invalid query" when it is but asks for
/// something that cannot be done (an unknown property, <c>Id &lt; '5'</c>, MAXRESULTS over 1,000, …).
/// </summary>
public sealed class QuickBooksQueryException : Exception
{
    public const string ParseErrorCode = "4000";
    public const string ValidationErrorCode = "4001";
    public const string FaultType = "ValidationFault";
    public const int HttpStatus = 400;

    private QuickBooksQueryException(string code, string faultMessage, string detail)
        : base($"{code} {faultMessage}: {detail}")
    {
        Code = code;
        FaultMessage = faultMessage;
        Detail = detail;
    }

    /// <summary>The Fault error's <c>code</c>: "4000" or "4001".</summary>
    public string Code { get; }

    /// <summary>The Fault error's <c>Message</c>: "Error parsing query" or "Invalid query".</summary>
    public string FaultMessage { get; }

    /// <summary>The Fault error's <c>Detail</c>: what is wrong, starting "QueryParserError: " or "QueryValidationError: ".</summary>
    public string Detail { get; }

    /// <summary>The fault the sandbox answers with.</summary>
    internal SandboxFault ToFault() => new(HttpStatus, FaultType, Code, FaultMessage, Detail);

    internal static QuickBooksQueryException Parsing(string what)
        => new(ParseErrorCode, "Error parsing query", "QueryParserError: " + what);

    internal static QuickBooksQueryException Invalid(string what)
        => new(ValidationErrorCode, "Invalid query", "QueryValidationError: " + what);
}
