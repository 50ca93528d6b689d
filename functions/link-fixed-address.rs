//! The build script of every function crate (and of the cold-start floor, `benches/hello`):
//! the function's executable is linked at a fixed address instead of as a position-independent
//! one. The loader then has no relative relocations to apply before `main`: a function has
//! about 22,000 (pointers in vtables and static tables), which were a third of the instructions
//! of a cold start and a copy-on-write fault for every page of them. Only the executables are
//! linked so (`rustc-link-arg-bins`); libraries, tests and build tools are unchanged. The
//! trade-off (the executable's own code is not address-randomised) is in `docs/security.md`.

fn main() {
    // Nothing to watch: a change to this script reruns it anyway.
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
