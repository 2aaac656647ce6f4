//! Text helpers every room shares, defined once.

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary:
/// how every room bounds text it did not write before working on it.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn a_cut_never_splits_a_character() {
        assert_eq!(cut("abc", 10), "abc");
        assert_eq!(cut("abc", 2), "ab");
        // 'é' is two bytes: a cut in its middle falls back before it
        assert_eq!(cut("café", 4), "caf");
        assert_eq!(cut("café", 5), "café");
        assert_eq!(cut("😀x", 3), "");
        assert_eq!(cut("", 0), "");
    }
}
