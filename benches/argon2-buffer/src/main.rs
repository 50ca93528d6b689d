// CPU per argon2id hash with the service's parameters: a fresh 19 MiB buffer per hash (what
// `argon2::PasswordVerifier` does, each buffer a new mapping under the service's mmap threshold)
// against one buffer reused (`hash_password_into_with_memory`). benches/RESULTS.md has the numbers.
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::time::Instant;
fn cpu() -> f64 {
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut r) };
    (r.ru_utime.tv_sec as f64 + r.ru_utime.tv_usec as f64 / 1e6) + (r.ru_stime.tv_sec as f64 + r.ru_stime.tv_usec as f64 / 1e6)
}
fn main() {
    unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
    let params = Params::new(19 * 1024, 2, 1, None).unwrap();
    let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let n = 60;
    let mut out = [0u8; 32];
    for round in 0..2 {
        let (c0, t0) = (cpu(), Instant::now());
        for i in 0..n { a.hash_password_into(b"Versus-pass-7341", format!("saltsalt{i:08}").as_bytes(), &mut out).unwrap(); }
        let fresh = (cpu() - c0) * 1000.0 / n as f64;
        let fresh_wall = t0.elapsed().as_secs_f64() * 1000.0 / n as f64;
        let mut blocks = vec![Block::default(); params.block_count()];
        let (c0, t0) = (cpu(), Instant::now());
        for i in 0..n { a.hash_password_into_with_memory(b"Versus-pass-7341", format!("saltsalt{i:08}").as_bytes(), &mut out, &mut blocks).unwrap(); }
        let reused = (cpu() - c0) * 1000.0 / n as f64;
        let reused_wall = t0.elapsed().as_secs_f64() * 1000.0 / n as f64;
        println!("round {round}: fresh buffer {fresh:.2} ms CPU ({fresh_wall:.2} wall), reused buffer {reused:.2} ms CPU ({reused_wall:.2} wall)");
    }
}
