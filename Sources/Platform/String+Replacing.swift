// Template filling without _StringProcessing: its generic `replacing` cost a generate more instructions than
// everything else it does (every CGI request is a new process, so nothing of it is ever warm).

extension String {
    /// Every occurrence of `target` replaced by `replacement`, matched byte for byte.
    public func replacingEvery(_ target: String, with replacement: String) -> String {
        let text = Array(utf8), pattern = Array(target.utf8)
        guard !pattern.isEmpty else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if i + pattern.count <= text.count && text[i..<i + pattern.count].elementsEqual(pattern) {
                out += replacement.utf8
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
