//! What every binary does first, before it reads its configuration.

/// Sets up logging (JSON when `AWS_LAMBDA_LOG_FORMAT=JSON`, level from `AWS_LAMBDA_LOG_LEVEL`
/// or `RUST_LOG`) and keeps memory bounded.
pub fn init() {
    init_with_writer(std::io::stdout);
}

/// The same, with log lines written by `writer`.
pub fn init_with_writer<W>(writer: W)
where
    W: for<'w> lambda_http::tracing::subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    keep_large_allocations_out_of_the_heap();
    lambda_http::tracing::init_default_subscriber_with_writer(writer);
}

/// glibc raises its mmap threshold each time a large block is freed, so after the first
/// sign-in every later 19 MiB argon2 buffer comes from a heap arena and stays resident; with
/// tokio's blocking threads each getting an arena, a function grew past 160 MB. A fixed
/// threshold keeps the peak at one buffer (measured: 30 MiB instead of 162 MiB).
fn keep_large_allocations_out_of_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // Blocks at least this large are mmap-ed and handed back to the kernel when freed.
        const MMAP_THRESHOLD_BYTES: i32 = 128 * 1024;
        // SAFETY: mallopt takes no pointers and is thread-safe in glibc; it only tunes the
        // allocator. A refusal (return value 0) leaves the default behaviour, which is safe.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
        }
    }
}
