using System.Collections;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StrategyLab.Runner.Configuration;

/// <summary>
/// Rejects a null element in the lists and dictionaries of a bound configuration, naming it with its file and line.
/// </summary>
/// <remarks>
/// The serializer holds a property to its nullable annotation but not the elements of a collection
/// (<c>"symbols": ["SPY", null]</c> and <c>"instruments": { "SPY": null }</c> bind), and every list and dictionary of
/// the model holds values a run needs. So this one check after binding, walking the serializer's own metadata of the
/// model, stands for a null test in each place that reads a collection (a new collection is covered without one).
/// Free-form objects (<c>strategy.params</c>, <c>sweep.params</c>) are not walked: their nulls are values the strategy
/// or the sweep judges. The hand binder never binds a null element (it leaves such a file to the serializer), so only a
/// configuration the serializer bound is walked.
/// </remarks>
internal static class ConfigNullElements
{
    /// <summary>Throws when <paramref name="config"/> holds a null list or dictionary element.</summary>
    /// <param name="config">The bound configuration.</param>
    /// <param name="text">The configuration file's text (to find the line), or null for the built-in defaults.</param>
    /// <param name="file">The file's path, for the message.</param>
    /// <param name="overrides">The command-line overrides applied after the file: one that set the key is named instead.</param>
    /// <exception cref="ConfigException">A null element, named by its key (e.g. <c>data.symbols[1]</c>).</exception>
    public static void Require(RunConfig config, string? text, string? file, IReadOnlyList<ConfigOverride> overrides)
    {
        var path = new List<object>();
        var options = ConfigLoader.SerializerOptions;
        if (!FindNull(config, options.GetTypeInfo(typeof(RunConfig)), options, path))
        {
            return;
        }

        var key = KeyText(path);
        var problem = path[^1] is int
            ? "a list element must not be null (remove it or give a value)."
            : "must not be null (give an object, or remove the key).";
        var flag = overrides.LastOrDefault(o => key == o.Key || key.StartsWith(o.Key + ".", StringComparison.Ordinal) || key.StartsWith(o.Key + "[", StringComparison.Ordinal));
        if (flag is not null)
        {
            throw new ConfigException(key, problem, flag.Flag);
        }

        throw new ConfigException(key, problem, file, text is null ? null : LineOfNull(text, path));
    }

    /// <summary>Depth-first over the model's properties and collections; fills <paramref name="path"/> to the first null element.</summary>
    private static bool FindNull(object value, JsonTypeInfo info, JsonSerializerOptions options, List<object> path)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                foreach (var property in info.Properties)
                {
                    if (property.Get?.Invoke(value) is not { } child)
                    {
                        continue;
                    }

                    path.Add(property.Name);
                    if (FindNull(child, options.GetTypeInfo(property.PropertyType), options, path))
                    {
                        return true;
                    }

                    path.RemoveAt(path.Count - 1);
                }

                return false;

            case JsonTypeInfoKind.Dictionary when value is IDictionary dictionary:
                var valueInfo = options.GetTypeInfo(info.ElementType!);
                foreach (DictionaryEntry entry in dictionary)
                {
                    path.Add(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                    if (entry.Value is null || FindNull(entry.Value, valueInfo, options, path))
                    {
                        return true;
                    }

                    path.RemoveAt(path.Count - 1);
                }

                return false;

            case JsonTypeInfoKind.Enumerable when value is IEnumerable list:
                var elementInfo = options.GetTypeInfo(info.ElementType!);
                var index = 0;
                foreach (var element in list)
                {
                    path.Add(index++);
                    if (element is null || FindNull(element, elementInfo, options, path))
                    {
                        return true;
                    }

                    path.RemoveAt(path.Count - 1);
                }

                return false;

            default:
                // Scalars, and JSON nodes (free-form objects) the serializer reads whole.
                return false;
        }
    }

    private static string KeyText(List<object> path)
    {
        var text = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment is int index)
            {
                text.Append('[').Append(index).Append(']');
            }
            else
            {
                text.Append(text.Length == 0 ? string.Empty : ".").Append((string)segment);
            }
        }

        return text.ToString();
    }

    /// <summary>The 1-based line of the null token at <paramref name="target"/> in the file, or null when it is not there.</summary>
    private static long? LineOfNull(string text, List<object> target)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var path = new List<object>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        path[^1] = reader.GetString()!;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextElement(path);
                        path.Add(reader.TokenType == JsonTokenType.StartArray ? -1 : string.Empty);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    default:
                        NextElement(path);
                        if (reader.TokenType == JsonTokenType.Null && path.SequenceEqual(target))
                        {
                            return 1 + bytes.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n');
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The file was bound already, so it reads; should it not, the message goes without a line.
        }

        return null;

        // Inside an array, each value (scalar or container) takes the next index.
        static void NextElement(List<object> path)
        {
            if (path.Count > 0 && path[^1] is int i)
            {
                path[^1] = i + 1;
            }
        }
    }
}
