using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>A one-page PDF of an invoice: number, customer, dates, lines and totals — a real PDF, small and plain.</summary>
internal static class InvoicePdf
{
    public static byte[] Render(JsonObject invoice)
    {
        var lines = new List<string>
        {
            $"Invoice {invoice["DocNumber"]?.ToString() ?? invoice["Id"]!.ToString()}",
            $"Customer: {invoice["CustomerRef"]?["name"]}",
            $"Date: {invoice["TxnDate"]}   Due: {invoice["DueDate"]}",
            "",
        };
        foreach (var line in (invoice["Line"] as JsonArray ?? []).OfType<JsonObject>().Where(l => l["DetailType"]?.ToString() == "SalesItemLineDetail"))
        {
            var detail = line["SalesItemLineDetail"]!;
            lines.Add($"{detail["ItemRef"]?["name"]}  {detail["Qty"]} x {detail["UnitPrice"]} = {line["Amount"]}");
        }

        lines.Add("");
        lines.Add($"Total {invoice["CurrencyRef"]?["value"]} {invoice["TotalAmt"]}   Balance {invoice["Balance"]}");

        var text = new StringBuilder("BT /F1 12 Tf 50 780 Td 16 TL\n");
        foreach (var line in lines)
            text.Append('(').Append(Escape(line)).Append(") Tj T*\n");
        text.Append("ET");
        return Document(text.ToString());
    }

    /// <summary>Assembles the objects and the cross-reference table a PDF reader expects.</summary>
    private static byte[] Document(string content)
    {
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {Encoding.ASCII.GetByteCount(content)} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(Encoding.ASCII.GetByteCount(pdf.ToString()));
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = Encoding.ASCII.GetByteCount(pdf.ToString());
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    /// <summary>Written in ASCII with the built-in Helvetica; other characters print as "?". Parentheses and backslashes are escaped.</summary>
    private static string Escape(string text)
        => new string(text.Select(c => c < 128 ? c : '?').ToArray())
            .Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("(", "\\(", StringComparison.Ordinal)
            .Replace(")", "\\)", StringComparison.Ordinal);
}
