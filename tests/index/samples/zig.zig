const std = @import("std");
const mem = std.mem;
const Allocator = std.mem.Allocator;

pub const max_items: usize = 64;

pub const Color = enum { red, green };

pub const Item = struct {
    name: []const u8,
    count: u32,

    pub fn init(name: []const u8) Item {
        return .{ .name = name, .count = 0 };
    }

    pub fn isEmpty(self: Item) bool {
        return self.count == 0;
    }
};

pub const Value = union(enum) {
    int: i64,
    text: []const u8,
};

pub const Inventory = struct {
    items: std.ArrayList(Item),

    pub fn add(self: *Inventory, item: Item) !void {
        if (self.items.items.len >= max_items) return error.Full;
        try self.items.append(item);
    }
};

fn sumCounts(items: []const Item) u64 {
    var total: u64 = 0;
    for (items) |item| total += item.count;
    return total;
}

test "sum of counts" {
    const items = [_]Item{Item.init("a")};
    try std.testing.expectEqual(@as(u64, 0), sumCounts(&items));
}
