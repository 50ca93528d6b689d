//! The `auth` function: sign-up, sign-in, token refresh, sign-out and the JWKS document.
//! The only function that holds the token signing key.

pub mod http_handler;

pub use http_handler::{handle, AuthState, Endpoint, ROUTES};
