//! Hands the memory a build freed back to the system.
//!
//! A full build allocates several times the site it leaves behind (parsed pages, render
//! buffers, the search index) from every worker's malloc arena. glibc gives back only the free
//! top of an arena, so the freed holes between the pages `serve` keeps stay resident for as
//! long as it runs: at 10,000 pages, up to some 40 MB depending on how the build's
//! allocations happened to interleave. `malloc_trim` returns the free pages of every arena.
//! Other C libraries (and other systems) get the fallback, which does nothing.

/// Returns the whole free pages of the allocator's arenas to the system; `true` when some
/// memory was given back.
pub(crate) fn release_freed() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        glibc()
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        fallback()
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn glibc() -> bool {
    // SAFETY: malloc_trim takes no pointers; it walks glibc's own arenas under their locks and
    // only advises the kernel about pages no allocation holds.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Without glibc there is nothing to ask: the allocator keeps what it keeps.
#[cfg_attr(all(target_os = "linux", target_env = "gnu"), allow(dead_code))]
fn fallback() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_gives_nothing_back() {
        assert!(!fallback());
    }

    /// Resident memory of this process in KiB.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn resident_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_holes_below_a_kept_block_are_given_back() {
        // 64 MiB in blocks below the mmap threshold, written so they are resident, then all
        // freed but the last: it pins the arena's top, so free() alone keeps the rest.
        let mut blocks: Vec<Vec<u8>> = (0..4096).map(|_| vec![1u8; 16 * 1024]).collect();
        let kept = blocks.pop().unwrap();
        drop(blocks);
        let before = resident_kib();
        assert!(release_freed(), "glibc gave nothing back");
        let after = resident_kib();
        assert!(before.saturating_sub(after) >= 32 * 1024, "resident {before} KiB -> {after} KiB");
        assert_eq!(kept[0], 1);
    }
}
