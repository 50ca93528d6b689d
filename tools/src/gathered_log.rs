//! The local API's log: its lines gathered in memory and written to standard output together,
//! every [`FLUSH_EVERY`], when a lot has gathered, and when the server stops. The server logs
//! a line per request; written one `write(2)` each, they cost a request more CPU than most of
//! its handler. Warnings and errors are written at once, after whatever gathered before them.

use lambda_http::tracing::subscriber::fmt::MakeWriter;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a line may wait in memory.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Gathered lines are written out as soon as they reach this many bytes.
const MOST_HELD: usize = 64 * 1024;

/// The lines not written yet; clones share them.
#[derive(Clone, Default)]
pub struct GatheredLog(Arc<Mutex<Vec<u8>>>);

impl GatheredLog {
    fn lines(&self) -> MutexGuard<'_, Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes out every gathered line, in one call.
    pub fn flush(&self) {
        let lines = std::mem::take(&mut *self.lines());
        if !lines.is_empty() {
            let mut out = io::stdout().lock();
            let _ = out.write_all(&lines);
            let _ = out.flush();
        }
    }

    /// Writes out the gathered lines every [`FLUSH_EVERY`], until the task is dropped.
    pub async fn flush_periodically(self) {
        loop {
            tokio::time::sleep(FLUSH_EVERY).await;
            self.flush();
        }
    }
}

/// One log line's writer: into the gathered lines, or (`at_once`) straight out after them.
pub struct LineWriter<'a> {
    log: &'a GatheredLog,
    at_once: bool,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.at_once {
            self.log.flush();
            io::stdout().lock().write_all(buf)?;
            return Ok(buf.len());
        }
        let mut lines = self.log.lines();
        lines.extend_from_slice(buf);
        let full = lines.len() >= MOST_HELD;
        drop(lines);
        if full {
            self.log.flush();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for GatheredLog {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter {
            log: self,
            at_once: false,
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> LineWriter<'a> {
        LineWriter {
            log: self,
            at_once: *meta.level() <= tracing::Level::WARN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gathered(log: &GatheredLog) -> String {
        String::from_utf8(log.lines().clone()).unwrap()
    }

    #[test]
    fn lines_wait_in_memory_until_flushed_and_warnings_do_not_wait() {
        use lambda_http::tracing::subscriber::fmt;
        let log = GatheredLog::default();
        let subscriber = fmt().with_writer(log.clone()).without_time().finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("one");
            tracing::info!("two");
            let waiting = gathered(&log);
            assert!(
                waiting.contains("one") && waiting.contains("two"),
                "{waiting}"
            );
            tracing::warn!("careful");
            assert_eq!(
                gathered(&log),
                "",
                "a warning writes out what gathered before it"
            );
            tracing::info!("three");
            assert!(gathered(&log).contains("three"));
        });
        log.flush();
        assert_eq!(gathered(&log), "");
    }

    #[test]
    fn a_full_buffer_is_written_out_without_waiting() {
        let log = GatheredLog::default();
        let line = vec![b'x'; 1000];
        for _ in 0..(MOST_HELD / line.len()) {
            log.make_writer().write_all(&line).unwrap();
        }
        assert!(log.lines().len() < MOST_HELD);
    }
}
