// The marks that fold into the character before them as one grapheme cluster: each escaper and validator is
// tried with every one of them after every character that matters to it.

public enum CombiningMarks {
    /// Acute, diaeresis, enclosing circle, long solidus (after `<` it makes the cluster `≮`), zero-width joiner,
    /// and the two variation selectors.
    public static let all: [String] = ["\u{0301}", "\u{0308}", "\u{20DD}", "\u{0338}", "\u{200D}", "\u{FE0F}", "\u{FE0E}"]

    /// `character` followed by each mark, alone and inside text.
    public static func after(_ characters: [String]) -> [(character: String, text: String)] {
        characters.flatMap { character in all.flatMap { mark in [(character, character + mark), (character, "a" + character + mark + "b")] } }
    }
}
