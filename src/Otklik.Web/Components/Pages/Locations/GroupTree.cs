using Otklik.Web.Features.Locations;

namespace Otklik.Web.Components.Pages.Locations;

/// <summary>The location groups in tree order (parents before children, siblings by name), with depth and full path.</summary>
public sealed class GroupTree
{
    public sealed record Node(Guid Id, string Name, Guid? ParentId, int Depth, string Path);

    public IReadOnlyList<Node> Nodes { get; }
    private readonly Dictionary<Guid, Node> _byId;

    public GroupTree(IEnumerable<LocationGroup> groups)
    {
        var all = groups.ToList();
        var ids = all.Select(g => g.Id).ToHashSet();
        // A parent that is missing (or a cycle the API would refuse) makes a group a root rather than hiding it.
        var children = all.ToLookup(g => g.ParentId is { } p && ids.Contains(p) ? p : (Guid?)null);
        var nodes = new List<Node>();
        var seen = new HashSet<Guid>();
        void Walk(Guid? parent, int depth, string prefix)
        {
            foreach (var g in children[parent].OrderBy(g => g.Name, StringComparer.CurrentCulture))
            {
                if (!seen.Add(g.Id)) continue;
                var path = prefix.Length == 0 ? g.Name : $"{prefix} / {g.Name}";
                nodes.Add(new Node(g.Id, g.Name, g.ParentId, depth, path));
                Walk(g.Id, depth + 1, path);
            }
        }
        Walk(null, 0, "");
        foreach (var g in all.Where(g => !seen.Contains(g.Id))) nodes.Add(new Node(g.Id, g.Name, g.ParentId, 0, g.Name));
        Nodes = nodes;
        _byId = nodes.ToDictionary(n => n.Id);
    }

    public string PathOf(Guid? id) => id is { } g && _byId.TryGetValue(g, out var n) ? n.Path : "";

    /// <summary>The group and all groups below it (a group cannot move under these).</summary>
    public HashSet<Guid> Subtree(Guid id)
    {
        var result = new HashSet<Guid> { id };
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var n in Nodes)
                if (n.ParentId is { } p && result.Contains(p) && result.Add(n.Id)) changed = true;
        }
        return result;
    }
}
