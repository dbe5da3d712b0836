//! LEB128 varints, the one way numbers are packed into bytes here (word counts, search
//! postings, the parse memo): seven bits a byte, low bits first, the high bit saying another
//! byte follows, so small numbers take one byte.

/// Appends `n`.
pub(crate) fn push(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads one number off the front of `bytes`; `None` when they end before it does, or it does
/// not fit in 64 bits.
pub(crate) fn read(bytes: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= u64::from(b & 0x7F).checked_shl(shift)?;
        if b < 0x80 {
            return Some(n);
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_in_the_fewest_bytes() {
        for (n, len) in [(0, 1), (127, 1), (128, 2), (16_383, 2), (16_384, 3), (u64::from(u32::MAX), 5), (u64::MAX, 10)]
        {
            let mut out = Vec::new();
            push(&mut out, n);
            assert_eq!(out.len(), len, "{n}");
            let mut rest = &out[..];
            assert_eq!((read(&mut rest), rest.len()), (Some(n), 0));
        }
        assert_eq!(read(&mut &[0x80u8][..]), None, "cut short");
        assert_eq!(read(&mut &[0xFFu8; 11][..]), None, "too long");
    }
}
