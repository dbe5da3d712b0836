//! Reading the cache's binary files front to back: every read past the end is `None`, so a
//! truncated file reads as no file rather than a panic.

pub(super) struct Reader<'a>(pub(super) &'a [u8]);

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    pub(super) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub(super) fn u128(&mut self) -> Option<u128> {
        Some(u128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::Reader;

    #[test]
    fn reads_in_order_and_nothing_past_the_end() {
        let bytes = [1u8, 0, 0, 0, 7, 8];
        let mut r = Reader(&bytes);
        assert_eq!(r.u32(), Some(1));
        assert_eq!(r.take(3), None, "two bytes left");
        assert_eq!(r.take(2), Some(&[7u8, 8][..]));
        assert_eq!(r.u128(), None);
        assert_eq!(r.take(0), Some(&[][..]));
    }
}
