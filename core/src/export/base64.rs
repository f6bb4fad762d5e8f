//! Base64 for YAML `!!binary` scalars (hash columns such as `skymap.hash`).
//!
//! The records keep hashes as hex; PyYAML writes `bytes` as `!!binary` with base64 text
//! broken into lines of 76 characters, as Python's `base64.encodebytes` does.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 of `bytes` in lines of at most 76 characters, each ending with `\n`.
pub(super) fn encode_lines(bytes: &[u8]) -> String {
    let mut flat = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                flat.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                flat.push('=');
            }
        }
    }
    let mut out = String::with_capacity(flat.len() + flat.len() / 76 + 1);
    for line in flat.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out
}

/// Decodes base64, ignoring whitespace; `None` when the text is not base64.
pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    let mut padding = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return None;
        }
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (padding <= 2).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_like_python_encodebytes() {
        // base64.encodebytes(bytes.fromhex("2adeecc10f5ee735227fb7e8d4e9e3ddecc7f93b"))
        let bytes: Vec<u8> = (0..20)
            .map(|i| [0x2a, 0xde, 0xec, 0xc1, 0x0f][i % 5])
            .collect();
        let text = encode_lines(&bytes);
        assert_eq!(text, "Kt7swQ8q3uzBDyre7MEPKt7swQ8=\n");
        assert_eq!(decode(&text).unwrap(), bytes);
        assert_eq!(decode("Kt7swQ9e5zUif7fo1Onj3ezH+Ts=\n").unwrap().len(), 20);
        let long = encode_lines(&[7u8; 100]);
        assert_eq!(long.lines().map(str::len).collect::<Vec<_>>(), [76, 60]);
        assert_eq!(decode(&long).unwrap(), [7u8; 100]);
        assert_eq!(decode("not base64!"), None);
    }
}
