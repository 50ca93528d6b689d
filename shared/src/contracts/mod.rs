//! Each contract's request fields and response shapes, in one module per contract. Handlers
//! call these to turn a body into domain values and a domain value into that contract's JSON.

pub mod accounts;
pub mod campaign;
pub mod careers;
pub mod chat;
pub mod push;
