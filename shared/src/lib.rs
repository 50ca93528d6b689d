//! The Users service's one library crate: the domain, the DynamoDB store, authentication
//! (passwords, access and refresh tokens) and the HTTP plumbing every function shares.
//!
//! Function crates stay thin: they parse a request into domain types, call one function of
//! [`service`], and render the result in their contract's shape with [`http`].

pub mod auth;
pub mod clock;
pub mod config;
pub mod contracts;
pub mod domain;
pub mod http;
pub mod lambda;
pub mod notify;
pub mod openapi;
pub mod process;
pub mod service;
pub mod store;
