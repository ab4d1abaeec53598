namespace StrategyLab.Tests.Support;

/// <summary>Clean-up of test folders that hold run journals (SQLite files).</summary>
internal static class JournalFolders
{
    /// <summary>
    /// Deletes <paramref name="folder"/> after closing the pooled SQLite connections that keep its journal files open; a
    /// file a killed child process still holds is left to the temp folder's own clean-up.
    /// </summary>
    public static void Delete(string folder)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
