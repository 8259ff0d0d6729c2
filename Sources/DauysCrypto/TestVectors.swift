public enum TestVectors { public static func generateAll() throws -> [(String, String)] { [] } }
