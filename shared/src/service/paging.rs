//! The page arithmetic of every contract: careers batches count from 0, the push and chat
//! pages and the follow lists from 1. Pure functions, so each rule has a fast test.

/// Entries before page `page` (from 1) of `limit` entries; page 0 reads as page 1.
pub fn page_skip(page: usize, limit: usize) -> usize {
    page.saturating_sub(1).saturating_mul(limit)
}

/// Entries before batch `number` (from 0) of `size` entries.
pub fn batch_skip(number: usize, size: usize) -> usize {
    number.saturating_mul(size)
}

/// How many pages (or batches) of `size` entries hold `total` entries; none of size 0.
pub fn page_count(total: u64, size: usize) -> u64 {
    match u64::try_from(size) {
        Ok(size) if size > 0 => total.div_ceil(size),
        _ => 0,
    }
}

/// Whether a page starting after `skip` entries lies past the last of `total`: nothing to read.
pub fn past_the_end(skip: usize, total: u64) -> bool {
    u64::try_from(skip).unwrap_or(u64::MAX) >= total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn careers_batches_count_from_zero() {
        assert_eq!(batch_skip(0, 10), 0);
        assert_eq!(batch_skip(3, 10), 30);
        assert_eq!(batch_skip(usize::MAX, 10), usize::MAX);
    }

    #[test]
    fn total_batches_round_up_and_are_zero_without_users() {
        assert_eq!(page_count(0, 10), 0);
        assert_eq!(page_count(1, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
        assert_eq!(page_count(5, 0), 0);
    }

    #[test]
    fn push_and_chat_pages_count_from_one() {
        assert_eq!(page_skip(1, 10), 0);
        assert_eq!(page_skip(2, 10), 10);
        assert_eq!(page_skip(0, 10), 0, "page 0 reads as the first");
        assert_eq!(page_skip(usize::MAX, 100), usize::MAX);
    }

    #[test]
    fn chat_total_page_is_the_page_count_of_its_limit() {
        assert_eq!(page_count(4, 2), 2);
        assert_eq!(page_count(4, 100), 1);
    }

    #[test]
    fn a_page_past_the_last_entry_reads_nothing() {
        assert!(!past_the_end(0, 1));
        assert!(past_the_end(0, 0));
        assert!(past_the_end(10, 10));
        assert!(!past_the_end(9, 10));
        assert!(past_the_end(usize::MAX, u64::MAX - 1));
    }
}
