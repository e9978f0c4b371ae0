import Foundation
import Combine

let maxItems = 100

typealias ItemID = UUID

protocol Storage {
    func load(id: ItemID) throws -> Item?
    func save(_ item: Item) throws
}

struct Item: Codable, Identifiable {
    let id: ItemID
    var title: String
}

enum StorageError: Error {
    case notFound
    case corrupted(reason: String)
}

final class FileStorage: Storage {
    private let directory: URL

    init(directory: URL) {
        self.directory = directory
    }

    func load(id: ItemID) throws -> Item? {
        let data = try Data(contentsOf: url(for: id))
        return try JSONDecoder().decode(Item.self, from: data)
    }

    func save(_ item: Item) throws {
        let data = try JSONEncoder().encode(item)
        try data.write(to: url(for: item.id))
    }

    private func url(for id: ItemID) -> URL {
        directory.appendingPathComponent(id.uuidString)
    }
}

extension Item {
    static func placeholder() -> Item {
        Item(id: UUID(), title: "untitled")
    }
}

func makeStorage() -> Storage {
    FileStorage(directory: FileManager.default.temporaryDirectory)
}
