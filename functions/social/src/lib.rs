//! The `social` function: the follow graph. Verifies access tokens with the public key only.

pub mod http_handler;

pub use http_handler::{handle, Endpoint, SocialState, ROUTES};
