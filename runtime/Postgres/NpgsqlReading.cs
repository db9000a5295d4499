using Npgsql;

namespace OrleansSync.Runtime.Postgres;

/// <summary>Reading a query's rows into a list, one record per row.</summary>
internal static class NpgsqlReading
{
    public static async Task<List<T>> ReadListAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> readRow, CancellationToken cancellationToken = default)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(readRow(reader));
        return rows;
    }
}
